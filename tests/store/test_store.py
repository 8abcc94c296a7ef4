"""Store behaviour on every supported database: migrations, chat, metrics, profiles, settings."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import inspect

from sequence_maker.assistant.providers.base import RequestMetrics
from sequence_maker.store import open_store
from sequence_maker.store.chat import StoredMessage
from sequence_maker.store.db import StoreError
from sequence_maker.store.profiles import ProfileError


@pytest.fixture
def store(db_url):
    s = open_store(db_url)
    yield s
    s.close()


def test_migrations_create_schema_and_are_idempotent(db_url):
    s1 = open_store(db_url)
    names = set(inspect(s1.engine).get_table_names())
    assert {"chat_sessions", "chat_messages", "request_metrics", "provider_profiles", "settings",
            "alembic_version"} <= names
    s1.close()
    s2 = open_store(db_url)  # second start on the same database: nothing to do, no error
    assert s2.chat.list_sessions("x") == []
    s2.close()


def test_chat_history_survives_reopen_in_order(db_url):
    s = open_store(db_url)
    sess = s.chat.create_session("My Song", title="first")
    turn = s.chat.next_turn(sess["id"])
    assert turn == 1
    s.chat.append(sess["id"], turn, [
        StoredMessage("user", {"role": "user", "content": "make ball 1 red"}, [{"type": "text", "text": "make ball 1 red"}]),
        StoredMessage("assistant", {"role": "assistant", "content": "", "tool_calls": [
            {"id": "c1", "name": "paint", "arguments": {"ball": 0}}]},
            [{"type": "tool-call", "call_id": "c1", "name": "paint", "arguments": {"ball": 0}}]),
        StoredMessage("tool", {"role": "tool", "content": "ok", "tool_call_id": "c1"}, []),
    ])
    s.chat.append(sess["id"], 2, [StoredMessage("user", {"role": "user", "content": "thanks"}, [])])
    s.close()

    s = open_store(db_url)
    msgs = s.chat.messages(sess["id"])
    assert [m["role"] for m in msgs] == ["user", "assistant", "tool", "user"]
    assert [m["turn"] for m in msgs] == [1, 1, 1, 2]
    assert msgs[1]["native"]["tool_calls"][0]["arguments"] == {"ball": 0}
    listed = s.chat.list_sessions("My Song")
    assert listed[0]["id"] == sess["id"] and listed[0]["turns"] == 2
    assert s.chat.next_turn(sess["id"]) == 3
    assert s.chat.delete_session(sess["id"]) is True
    assert s.chat.messages(sess["id"]) == []
    assert s.chat.get_session(sess["id"]) is None
    assert s.chat.delete_session(sess["id"]) is False
    s.close()


def test_sessions_follow_project_rename_and_delete(store):
    a = store.chat.create_session("A")
    store.chat.create_session("B")
    store.chat.rename_project("A", "A2")
    assert [x["id"] for x in store.chat.list_sessions("A2")] == [a["id"]]
    store.chat.delete_project("A2")
    assert store.chat.list_sessions("A2") == [] and len(store.chat.list_sessions("B")) == 1


def _m(provider="openai", model="m1", ttft=0.5, dur=2.0, err=None, retries=0, at=None, cost=0.01):
    m = RequestMetrics(provider=provider, model=model)
    m.started_at = time.time() if at is None else at
    m.ttft_s, m.duration_s, m.error, m.retries, m.cost_usd = ttft, dur, err, retries, cost
    m.input_tokens, m.output_tokens, m.tokens_per_s = 100, 20, 10.0
    return m


def test_metrics_summary_percentiles_window_and_scrubbing(store):
    for i in range(1, 11):
        store.metrics.record(_m(ttft=i / 10, dur=float(i)))
    store.metrics.record(_m(err="401 bad key sk-abcdefghijklmnop1234", retries=2, ttft=None))
    store.metrics.record(_m(model="old", at=time.time() - 7200))
    store.metrics.record(_m(provider="anthropic", model="claude", cost=None))
    groups = {(g["provider"], g["model"]): g for g in store.metrics.summary(3600)}
    assert set(groups) == {("openai", "m1"), ("anthropic", "claude")}
    g = groups[("openai", "m1")]
    assert g["requests"] == 11 and g["errors"] == 1 and g["retries"] == 2
    assert g["ttft_p50_s"] == pytest.approx(0.55) and g["ttft_p95_s"] == pytest.approx(0.955)
    assert g["duration_p50_s"] == pytest.approx(5.5)
    assert g["input_tokens"] == 1100 and g["total_tokens"] == 1320 and g["cost_usd"] == pytest.approx(0.11)
    assert groups[("anthropic", "claude")]["cost_usd"] is None
    assert ("openai", "old") in {(x["provider"], x["model"]) for x in store.metrics.summary(None)}
    recent = store.metrics.recent(5)
    assert len(recent) == 5
    errs = [r["error"] for r in store.metrics.recent(100) if r["error"]]
    assert errs and all("sk-abcdefghijklmnop1234" not in e for e in errs)


def test_profiles_and_settings(store):
    p = store.profiles.put("work", {"provider": "openai", "model": "gpt-4o-mini", "temperature": 0.2})
    assert p == {"name": "work", "provider": "openai", "model": "gpt-4o-mini", "temperature": 0.2}
    store.profiles.put("work", {"provider": "anthropic", "model": "claude-x"})
    assert [x["provider"] for x in store.profiles.list()] == ["anthropic"]
    with pytest.raises(ProfileError, match="provider"):
        store.profiles.put("bad", {"model": "m"})
    with pytest.raises(ProfileError, match="profile name"):
        store.profiles.put("../etc", {"provider": "openai"})
    with pytest.raises(ProfileError, match="base_url"):
        store.profiles.put("x", {"provider": "openai_compatible", "base_url": "file:///etc/passwd"})
    assert store.profiles.delete("work") and not store.profiles.delete("work")
    assert store.settings.update({"approval_mode": "ask", "autosave_s": 5}) == {"approval_mode": "ask", "autosave_s": 5}
    assert store.settings.update({"autosave_s": None}) == {"approval_mode": "ask"}
    assert store.settings.get("approval_mode") == "ask" and store.settings.get("missing", 1) == 1


def test_unreachable_database_error_hides_password():
    with pytest.raises(StoreError) as ei:
        open_store("postgresql+psycopg://user:hunter2secret@127.0.0.1:1/db?connect_timeout=1")
    assert "hunter2secret" not in str(ei.value) and "127.0.0.1" in str(ei.value)


def test_several_servers_starting_at_once_share_one_database(db_url):
    import threading

    stores, errors = [], []

    def start() -> None:
        try:
            stores.append(open_store(db_url))
        except Exception as e:  # pragma: no cover - the assertion below shows it
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(stores) == 4
    sess = stores[0].chat.create_session("shared")
    assert stores[3].chat.get_session(sess["id"])["project"] == "shared"
    for s in stores:
        s.close()


def test_project_leases(store):
    leases = store.leases
    assert leases.acquire("ws::A", "one", 60) is None
    assert leases.acquire("ws::A", "one", 60) is None  # renewing our own
    assert leases.acquire("ws::A", "two", 60) == "one"
    assert leases.holder("ws::A") == "one"
    assert leases.renew(["ws::A"], "two", 60) == ["ws::A"]  # two never held it
    leases.release("ws::A", "two")  # not the holder: nothing happens
    assert leases.holder("ws::A") == "one"
    leases.release("ws::A", "one")
    assert leases.acquire("ws::A", "two", 0.01) is None
    import time

    time.sleep(0.05)  # expired: anyone may take it
    assert leases.holder("ws::A") is None and leases.acquire("ws::A", "one", 60) is None
