"""The WebSocket protocol for whole assistant turns against the fake OpenAI-compatible server."""

from __future__ import annotations

import json

from tests.fakes.openai_server import fake_openai_server, openai_text_reply, openai_tool_reply
from tests.server.helpers import activate_fake, is_final, recv_until, ws

PAINT = ("call_1", "create_segment", {"balls": 1, "start": 0, "duration": 2, "color": "blue"})


def parts(frames):
    return [f["data"]["part"] for f in frames if f["type"] == "llm_chunk"]


def test_full_turn_with_approval_and_patch_in_two_tabs(client, project):
    script = [openai_tool_reply([PAINT], fragment_size=8), openai_text_reply("Painted ball 1 blue.", pieces=6)]
    with fake_openai_server(script) as server:
        activate_fake(client, server)
        with ws(client, f"project={project}") as tab1, \
                ws(client, f"project={project}") as tab2:
            st = tab1.receive_json()
            assert st["type"] == "status" and st["seq"] is None
            assert st["data"]["assistant"]["state"] == "ready" and st["data"]["busy"] is False
            tab2.receive_json()
            tab1.send_json({"type": "llm_request", "request_id": "r1",
                            "data": {"session_id": None, "content": "make the start of ball 1 blue",
                                     "approval_mode": "ask_all"}})
            frames = recv_until(tab1, lambda f: f["type"] == "llm_chunk"
                                and f["data"]["part"]["type"] == "approval-request")
            appr = frames[-1]["data"]["part"]
            assert appr["name"] == "create_segment" and appr["call_id"] == "call_1"
            assert appr["arguments"]["color"] == "blue"
            with ws(client, f"project={project}") as late_tab:  # a tab opened now sees what waits
                pending = late_tab.receive_json()["data"]["pending_approvals"]
                assert [p["part"]["call_id"] for p in pending] == ["call_1"] and pending[0]["request_id"] == "r1"
            tab1.send_json({"type": "approval_response", "data": {"call_id": "call_1", "decision": "approve"}})
            frames += recv_until(tab1, is_final)
            # the second tab saw the same numbered stream (ignoring connection-local status frames)
            frames2 = recv_until(tab2, is_final)

    numbered = [f for f in frames if f["seq"] is not None]
    numbered2 = [f for f in frames2 if f["seq"] is not None]
    assert [f["seq"] for f in numbered] == list(range(numbered[0]["seq"], numbered[0]["seq"] + len(numbered)))
    assert numbered == numbered2

    kinds = [p["type"] for p in parts(frames)]
    assert kinds[0] == "tool-call-start"
    assert "tool-call-delta" in kinds and "tool-call" in kinds and "tool-result" in kinds and "text-delta" in kinds
    assert kinds.index("approval-request") < kinds.index("tool-result") < kinds.index("text-delta")
    assert kinds[-1] == "turn-end"
    deltas = "".join(p["fragment"] for p in parts(frames) if p["type"] == "tool-call-delta")
    assert json.loads(deltas) == PAINT[2]
    text = "".join(p["text"] for p in parts(frames) if p["type"] == "text-delta")
    assert text == "Painted ball 1 blue."
    result = next(p for p in parts(frames) if p["type"] == "tool-result")
    assert result["ok"] is True
    assert all(f["request_id"] == "r1" for f in frames if f["type"] == "llm_chunk")
    session_id = frames[-1]["data"]["session_id"]

    patches = [f for f in numbered if f["type"] == "timeline_patch"]
    assert patches and patches[0]["data"]["origin"] == "assistant"
    ball = patches[-1]["data"]["balls"][0]
    assert ball["index"] == 0 and ball["segments"][0]["color"] == [0, 0, 255]
    # the REST view agrees, the edit is one undo step, and the chat was stored
    view = client.get(f"/api/projects/{project}").json()
    assert view["state"]["balls"][0]["segments"][0]["color"] == [0, 0, 255]
    assert view["undo_label"].startswith("Assistant:")
    stored = client.get(f"/api/sessions/{session_id}").json()
    roles = [m["role"] for m in stored["messages"]]
    assert roles == ["user", "assistant", "tool", "assistant"]
    assert stored["messages"][-1]["parts"] == [{"type": "text", "text": "Painted ball 1 blue."}]
    assert "native" not in stored["messages"][0]
    tool_part = stored["messages"][2]["parts"][0]
    assert tool_part["type"] == "tool-result" and tool_part["ok"] is True and isinstance(tool_part["result"], dict)
    assert stored["messages"][1]["parts"][0]["type"] == "tool-call"


def test_rejected_call_changes_nothing_and_history_continues(client, project):
    script = [openai_tool_reply([PAINT]), openai_text_reply("OK, left it."), openai_text_reply("Second answer.")]
    with fake_openai_server(script) as server:
        activate_fake(client, server)
        with ws(client, f"project={project}") as sock:
            sock.receive_json()
            sock.send_json({"type": "llm_request", "request_id": "a",
                          "data": {"content": "paint", "approval_mode": "ask_all"}})
            recv_until(sock, lambda f: f["type"] == "llm_chunk" and f["data"]["part"]["type"] == "approval-request")
            sock.send_json({"type": "approval_response", "data": {"call_id": "call_1", "decision": "reject"}})
            frames = recv_until(sock, is_final)
            assert not [f for f in frames if f["type"] == "timeline_patch"]
            res = next(p for p in parts(frames) if p["type"] == "tool-result")
            assert res["ok"] is False and "rejected" in res["error"]
            sid = frames[-1]["data"]["session_id"]
            sock.send_json({"type": "llm_request", "request_id": "b", "data": {"content": "again", "session_id": sid}})
            frames = recv_until(sock, is_final)
            assert "".join(p.get("text", "") for p in parts(frames)) == "Second answer."
            # the third request carried the whole earlier conversation
            body = server.requests[-1].json
            contents = [m.get("content") for m in body["messages"] if m["role"] == "user"]
            assert [c.split("\n", 1)[0] for c in contents[-2:]] == ["paint", "again"]
    assert client.get(f"/api/projects/{project}").json()["state"]["balls"][0]["segments"] == []
