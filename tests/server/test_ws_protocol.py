"""WebSocket protocol: cancel, reconnect with resume, hand edits in sync across tabs, bad frames."""

from __future__ import annotations

import time

from tests.fakes.openai_server import fake_openai_server, openai_text_reply
from tests.server.helpers import activate_fake, is_final, recv_until, wait_for, ws

LONG = "The quick brown fox jumps over the lazy dog. " * 8
RED = {"kind": "solid", "start_ms": 0, "end_ms": 1000, "color": [255, 0, 0]}


def text_of(frames):
    return "".join(f["data"]["part"].get("text", "") for f in frames
                   if f["type"] == "llm_chunk" and f["data"]["part"]["type"] == "text-delta")


def test_cancel_stops_the_stream_and_frees_the_project(client, project):
    script = [openai_text_reply(LONG, pieces=60, delay_s=0.1), openai_text_reply("after")]  # ~6 s of text
    with fake_openai_server(script) as server:
        activate_fake(client, server)
        with ws(client, f"project={project}") as sock:
            sock.receive_json()
            sock.send_json({"type": "llm_request", "request_id": "slow", "data": {"content": "talk"}})
            recv_until(sock, lambda f: f["type"] == "llm_chunk" and f["data"]["part"]["type"] == "text-delta")
            t0 = time.monotonic()
            sock.send_json({"type": "llm_cancel", "request_id": "slow", "data": {}})
            frames = recv_until(sock, is_final)
            assert time.monotonic() - t0 < 3.0  # well before the stream would have ended
            end = frames[-1]["data"]["part"]
            assert end["type"] == "turn-end" and end["reason"] == "cancelled"
            assert len(text_of(frames)) < len(LONG)
            assert server.wait_disconnect(2.0) is not None  # the HTTP stream to the provider was closed
            status = recv_until(sock, lambda f: f["type"] == "status" and not f["data"]["busy"])[-1]
            assert status["data"]["busy_request_id"] is None
            # the project is free again: the next turn runs
            sock.send_json({"type": "llm_request", "request_id": "next",
                            "data": {"content": "again", "session_id": frames[-1]["data"]["session_id"]}})
            assert text_of(recv_until(sock, is_final)) == "after"


def test_second_request_while_busy_is_refused(client, project):
    with fake_openai_server([openai_text_reply(LONG, pieces=30, delay_s=0.03)]) as server:
        activate_fake(client, server)
        with ws(client, f"project={project}") as sock:
            sock.receive_json()
            sock.send_json({"type": "llm_request", "request_id": "one", "data": {"content": "talk"}})
            sock.send_json({"type": "llm_request", "request_id": "two", "data": {"content": "me too"}})
            err = recv_until(sock, lambda f: f["type"] == "error")[-1]
            assert err["request_id"] == "two" and err["data"]["code"] == "busy" and err["seq"] is None
            sock.send_json({"type": "llm_cancel", "request_id": "one", "data": {}})
            recv_until(sock, is_final)


def test_reconnect_resumes_without_loss_or_duplicates(client, project):
    with fake_openai_server([openai_text_reply(LONG, pieces=40, delay_s=0.02)]) as server:
        activate_fake(client, server)
        with ws(client, f"project={project}") as sock:
            first = sock.receive_json()
            stream_id = first["data"]["stream_id"]
            sock.send_json({"type": "llm_request", "request_id": "r", "data": {"content": "talk"}})
            before = recv_until(sock, lambda f: f["type"] == "llm_chunk"
                                and f["data"]["part"]["type"] == "text-delta" and len(text_of([f])) > 0)
            before += [sock.receive_json() for _ in range(2)]
        last_seq = max(f["seq"] for f in before if f["seq"] is not None)
        wait_for(lambda: not client.get("/api/status").json()["busy"], what="turn end")
        with ws(client, f"project={project}&last_seq={last_seq}&stream={stream_id}") as sock:
            st = sock.receive_json()
            assert st["type"] == "status" and st["data"]["stream_id"] == stream_id
            after = recv_until(sock, is_final)
    seqs = [f["seq"] for f in before + after if f["seq"] is not None]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # contiguous: nothing lost, nothing twice
    assert text_of(before) + text_of(after) == LONG


def test_resume_from_unknown_stream_asks_for_resync(client, project):
    with ws(client, f"project={project}&last_seq=5&stream=not-this-one") as sock:
        assert sock.receive_json()["type"] == "status"
        f = sock.receive_json()
        assert f["type"] == "resync" and f["seq"] is None


def test_hand_edits_reach_every_tab_in_order(client, project):
    with ws(client, f"project={project}") as a, ws(client, f"project={project}") as b:
        a.receive_json()
        b.receive_json()
        assert client.post(f"/api/projects/{project}/balls/1/segments", json={"segments": [RED]}).status_code == 200
        assert client.post(f"/api/projects/{project}/undo").status_code == 200
        for sock in (a, b):
            p1, p2 = sock.receive_json(), sock.receive_json()
            assert p1["type"] == p2["type"] == "timeline_patch" and p2["seq"] == p1["seq"] + 1
            assert p1["data"]["action"] == "do" and p1["data"]["balls"][0]["index"] == 1
            assert p1["data"]["balls"][0]["segments"] == [{**RED, "pixels": 4}]
            assert p2["data"]["action"] == "undo" and p2["data"]["balls"][0]["segments"] == []
            assert p2["data"]["can_redo"] is True and p1["data"]["origin"] == "user"


def test_bad_frames_get_clear_errors_and_ping_pongs(client, project):
    with ws(client, f"project={project}") as sock:
        sock.receive_json()
        sock.send_text("not json")
        assert sock.receive_json()["data"]["code"] == "bad_request"
        sock.send_json({"type": "dance", "request_id": "x"})
        err = sock.receive_json()
        assert "unknown message type" in err["data"]["message"] and err["request_id"] == "x"
        sock.send_json({"type": "approval_response", "data": {"call_id": "nope", "decision": "approve"}})
        assert sock.receive_json()["data"]["code"] == "not_found"
        sock.send_json({"type": "ping", "request_id": "p1"})
        pong = sock.receive_json()
        assert pong == {"type": "pong", "request_id": "p1", "seq": None, "data": {}}


def test_unknown_project_closes_socket(client):
    import pytest
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as ei, ws(client, "project=Nope") as sock:
        assert sock.receive_json()["data"]["code"] == "not_found"
        sock.receive_json()
    assert ei.value.code == 4404


def test_binary_frames_and_wrong_field_types_get_errors_and_the_socket_lives(client, project):
    with ws(client, f"project={project}") as sock:
        sock.receive_json()
        sock.send_bytes(b"\x00\x01binary")
        assert sock.receive_json()["data"]["code"] == "bad_request"
        for field, value in (("session_id", {"id": 1}), ("profile", [1]), ("template", 3)):
            sock.send_json({"type": "llm_request", "request_id": field, "data": {"content": "hi", field: value}})
            err = sock.receive_json()
            assert err["type"] == "error" and err["request_id"] == field and field in err["data"]["message"]
        sock.send_json({"type": "ping", "request_id": "alive"})
        assert sock.receive_json()["type"] == "pong"
