"""A chat's "always allow" list is stored with the session, survives a reopen and an upgrade from 0002."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from sequence_maker.store import open_store
from sequence_maker.store.db import MIGRATIONS_DIR, make_engine


def test_allowed_tools_survive_reopen_and_go_with_the_session(db_url):
    s = open_store(db_url)
    a = s.chat.create_session("Song")["id"]
    b = s.chat.create_session("Song")["id"]
    assert s.chat.allowed_tools(a) == set()
    s.chat.set_allowed_tools(a, {"fill_range", "create_segment"})
    s.close()

    s = open_store(db_url)
    assert s.chat.allowed_tools(a) == {"fill_range", "create_segment"}
    assert s.chat.allowed_tools(b) == set()  # per chat, not global
    s.chat.set_allowed_tools(a, set())
    assert s.chat.allowed_tools(a) == set()
    s.chat.set_allowed_tools("no-such-session", {"x"})  # ignored, no error
    assert s.chat.allowed_tools("no-such-session") == set()
    s.chat.set_allowed_tools(b, {"clear_ball"})
    assert s.chat.delete_session(b) and s.chat.allowed_tools(b) == set()
    s.close()


def test_a_database_at_0002_upgrades_and_keeps_its_sessions(db_url):
    engine = make_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        conn.execute(text("INSERT INTO chat_sessions (id, project, title, profile, created, updated) "
                          "VALUES ('old', 'Song', 't', NULL, 1.0, 1.0)"))
    engine.dispose()

    s = open_store(db_url)
    assert "always_allowed" in {c["name"] for c in inspect(s.engine).get_columns("chat_sessions")}
    assert s.chat.get_session("old")["title"] == "t"
    assert s.chat.allowed_tools("old") == set()
    s.chat.set_allowed_tools("old", {"fill_range"})
    assert s.chat.allowed_tools("old") == {"fill_range"}
    s.close()
