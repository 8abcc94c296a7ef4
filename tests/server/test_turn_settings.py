"""What the user saved outside a turn reaches the assistant: custom instructions, liked/disliked
feedback, and a chat's "always allow" approvals (also after a server restart); settings validation
accepts exactly the assistant's approval modes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sequence_maker.assistant.approval import _ALIASES, APPROVAL_MODES
from sequence_maker.server.app import create_app
from sequence_maker.server.turns import feedback_from_store
from tests.fakes.openai_server import fake_openai_server, openai_text_reply, openai_tool_reply
from tests.server.conftest import BASE
from tests.server.helpers import activate_fake, is_final, recv_until, ws

PAINT = ("call_1", "create_segment", {"balls": 1, "start": 0, "duration": 2, "color": "blue"})
PAINT2 = ("call_2", "create_segment", {"balls": 1, "start": 3, "duration": 1, "color": "red"})


def _parts(frames: list[dict]) -> list[dict]:
    return [f["data"]["part"] for f in frames if f["type"] == "llm_chunk"]


def _turn(sock, content: str, session_id: str | None = None, **extra) -> list[dict]:
    sock.send_json({"type": "llm_request", "data": {"content": content, "session_id": session_id, **extra}})
    return recv_until(sock, is_final)


def _system(request) -> str:
    msgs = request.json["messages"]
    assert msgs[0]["role"] == "system"
    return msgs[0]["content"]


def test_custom_instructions_and_feedback_reach_the_system_prompt(client, project):
    assert client.patch("/api/settings", json={"custom_instructions": "Always use pastel colours."}).status_code == 200
    for rating, request, note in (("liked", "flash the chorus white", "great"), ("disliked", "rainbow everything", ""),
                                  ("liked", "", "")):  # the last one says nothing and is left out
        r = client.post("/api/ui/feedback", json={"rating": rating, "request": request, "note": note})
        assert r.status_code == 201, r.text
    with fake_openai_server([openai_text_reply("One."), openai_text_reply("Two.")]) as server:
        activate_fake(client, server)
        with ws(client, f"project={project}") as sock:
            sock.receive_json()
            sid = _turn(sock, "hello")[-1]["data"]["session_id"]
            first = _system(server.requests[-1])
            # a later change reaches the same chat (whose assistant is cached) on its next turn
            client.patch("/api/settings", json={"custom_instructions": "Only ever use green."})
            _turn(sock, "again", sid)
            second = _system(server.requests[-1])
    assert "Always use pastel colours." in first
    assert "The user liked the result of: 'flash the chorus white' (great)" in first
    assert "The user disliked the result of: 'rainbow everything'" in first
    assert "result of: ''" not in first
    assert "Only ever use green." in second and "pastel" not in second


def test_without_saved_settings_the_prompt_has_no_instructions_or_feedback(client, project):
    with fake_openai_server([openai_text_reply("Hi.")]) as server:
        activate_fake(client, server)
        with ws(client, f"project={project}") as sock:
            sock.receive_json()
            _turn(sock, "hello")
    system = _system(server.requests[-1])
    assert "standing instructions" not in system and "Feedback on earlier results" not in system


def test_always_allow_survives_a_server_restart(settings):
    script = [openai_tool_reply([PAINT]), openai_text_reply("Blue."),
              openai_tool_reply([PAINT2]), openai_text_reply("Red.")]
    with fake_openai_server(script) as server:
        with TestClient(create_app(settings), base_url=BASE) as c:
            assert c.post("/api/projects", json={"name": "P", "balls": 2, "duration_ms": 30_000}).status_code == 201
            activate_fake(c, server)
            with ws(c, "project=P") as sock:
                sock.receive_json()
                sock.send_json({"type": "llm_request", "data": {"content": "blue", "approval_mode": "ask_all"}})
                recv_until(sock, lambda f: f["type"] == "llm_chunk"
                           and f["data"]["part"]["type"] == "approval-request")
                sock.send_json({"type": "approval_response",
                                "data": {"call_id": "call_1", "decision": "approve", "always_allow": True}})
                sid = recv_until(sock, is_final)[-1]["data"]["session_id"]
        with TestClient(create_app(settings), base_url=BASE) as c:  # a new server process, same database
            activate_fake(c, server)
            with ws(c, "project=P") as sock:
                sock.receive_json()
                sock.send_json({"type": "llm_request", "data": {"content": "red too", "session_id": sid,
                                                                 "approval_mode": "ask_all"}})
                frames = recv_until(sock, lambda f: is_final(f) or (  # stop at an approval request: no hang
                    f["type"] == "llm_chunk" and f["data"]["part"]["type"] == "approval-request"))
            assert c.app.state.services.store.chat.allowed_tools(sid) == {"create_segment"}
    kinds = [p["type"] for p in _parts(frames)]
    assert "approval-request" not in kinds
    assert next(p for p in _parts(frames) if p["type"] == "tool-result")["ok"] is True


@pytest.mark.parametrize("mode", [*APPROVAL_MODES, *_ALIASES])
def test_settings_accept_every_mode_the_assistant_accepts(client, mode):
    r = client.patch("/api/settings", json={"approval_mode": mode})
    assert r.status_code == 200, r.text
    assert r.json()["settings"]["approval_mode"] in APPROVAL_MODES


def test_settings_refuse_unknown_modes_and_non_text_instructions(client):
    assert client.patch("/api/settings", json={"approval_mode": "sometimes"}).status_code == 400
    assert client.patch("/api/settings", json={"custom_instructions": ["not", "text"]}).status_code == 400
    assert client.patch("/api/settings", json={"custom_instructions": "x" * 20_001}).status_code == 400
    assert client.patch("/api/settings", json={"custom_instructions": None}).status_code == 200
    assert client.get("/api/settings").json()["settings"] == {}


def test_feedback_from_store_skips_junk_and_keeps_the_newest():
    items = [{"liked": True, "request": f"r{i}"} for i in range(10)] + ["junk", {"liked": False}]
    got = feedback_from_store(items, limit=3)
    assert [(f.liked, f.request) for f in got] == [(True, "r7"), (True, "r8"), (True, "r9")]
    assert feedback_from_store(None) == [] and feedback_from_store({"liked": True}) == []
