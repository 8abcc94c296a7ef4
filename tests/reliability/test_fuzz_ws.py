"""Fuzzing the studio WebSocket: random frames (garbage text, random JSON, protocol-shaped frames
with wrong fields, binary, oversized). The server answers with a clear error frame or ignores the
frame, never crashes, and the same connection keeps working (a ping after each batch gets its pong)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ._checks import examples, json_value
from ._studio import activate_fake, isolate, new_project, studio

TYPES = ["ping", "llm_request", "llm_cancel", "approval_response", "timeline_patch", "status", "", "PING"]
field_value = st.one_of(json_value, st.text(max_size=30), st.integers(), st.sampled_from(["ask", "auto", "never"]))
data_dict = st.fixed_dictionaries({}, optional={
    "content": st.one_of(st.text(min_size=1, max_size=20), field_value),
    "session_id": st.one_of(st.none(), st.text(max_size=12), json_value),
    "profile": st.one_of(st.none(), st.text(max_size=12), json_value),
    **{k: field_value for k in ("approval_mode", "template", "call_id", "decision", "arguments", "always_allow",
                                "message")}})
protocol_frame = st.fixed_dictionaries({"type": st.one_of(st.sampled_from(TYPES), json_value)},
                                       optional={"request_id": field_value, "data": st.one_of(data_dict, json_value),
                                                 "seq": field_value})
frame = st.one_of(
    protocol_frame.map(lambda f: ("text", json.dumps(f))),
    protocol_frame.map(lambda f: ("text", json.dumps(f))),
    json_value.map(lambda v: ("text", json.dumps(v))),
    st.text(max_size=60).map(lambda t: ("text", t)),
    st.binary(max_size=40).map(lambda b: ("bytes", b)),
)


def drain_until_pong(sock, rid: str) -> list[dict]:
    """Frames until our pong; every one must be a well-formed frame, errors must say what is wrong."""
    frames = []
    for _ in range(200):
        f = sock.receive_json()
        assert isinstance(f, dict) and isinstance(f.get("type"), str) and "data" in f, f
        if f["type"] == "error":
            assert f["data"].get("code") and f["data"].get("message"), f
        frames.append(f)
        if f["type"] == "pong" and f["request_id"] == rid:
            return frames
    raise AssertionError(f"no pong for {rid}: {[x['type'] for x in frames][-10:]}")


def test_random_frames_never_break_the_connection(tmp_path, monkeypatch):
    isolate(tmp_path, monkeypatch)
    counter = iter(range(10**9))
    with studio(tmp_path) as client:
        project = new_project(client)
        with client.websocket_connect(f"ws://127.0.0.1:8765/ws?project={project}") as sock:
            assert sock.receive_json()["type"] == "status"

            @settings(max_examples=examples(150), deadline=None, suppress_health_check=list(HealthCheck), database=None)
            @given(st.lists(frame, min_size=1, max_size=5))
            def batch(frames):
                for kind, payload in frames:
                    sock.send_text(payload) if kind == "text" else sock.send_bytes(payload)
                rid = f"probe-{next(counter)}"
                sock.send_json({"type": "ping", "request_id": rid})
                drain_until_pong(sock, rid)

            batch()
        assert client.get("/api/status").status_code == 200  # the server is fine afterwards


def test_oversized_frame_gets_an_error_and_the_socket_stays_open(tmp_path, monkeypatch):
    isolate(tmp_path, monkeypatch)
    with studio(tmp_path) as client:
        project = new_project(client)
        with client.websocket_connect(f"ws://127.0.0.1:8765/ws?project={project}") as sock:
            sock.receive_json()
            sock.send_text(json.dumps({"type": "ping", "data": {"x": "a" * 1_100_000}}))
            err = sock.receive_json()
            assert err["type"] == "error" and err["data"]["code"] == "too_large"
            sock.send_json({"type": "ping", "request_id": "after"})
            assert drain_until_pong(sock, "after")[-1]["type"] == "pong"


def test_binary_frame_gets_an_error_and_the_socket_stays_open(tmp_path, monkeypatch):
    isolate(tmp_path, monkeypatch)
    with studio(tmp_path) as client:
        project = new_project(client)
        with client.websocket_connect(f"ws://127.0.0.1:8765/ws?project={project}") as sock:
            sock.receive_json()
            sock.send_bytes(b"\x00\x01binary")
            sock.send_json({"type": "ping", "request_id": "after-binary"})
            frames = drain_until_pong(sock, "after-binary")
            assert any(f["type"] == "error" for f in frames)


def test_llm_request_with_non_string_session_or_profile_gets_an_error(tmp_path, monkeypatch):
    isolate(tmp_path, monkeypatch)
    with studio(tmp_path) as client:
        project = new_project(client)
        with client.websocket_connect(f"ws://127.0.0.1:8765/ws?project={project}") as sock:
            sock.receive_json()
            for i, data in enumerate([{"content": "hi", "session_id": {"id": 1}}, {"content": "hi", "profile": [1]}]):
                sock.send_json({"type": "llm_request", "request_id": f"r{i}", "data": data})
                sock.send_json({"type": "ping", "request_id": f"after-{i}"})
                frames = drain_until_pong(sock, f"after-{i}")
                assert any(f["type"] == "error" and f["request_id"] == f"r{i}" for f in frames)


approval_data = st.fixed_dictionaries({}, optional={
    "decision": st.one_of(st.sampled_from(["approve", "reject", "edit", "APPROVE", "", "maybe"]), json_value),
    "arguments": st.one_of(st.fixed_dictionaries({}, optional={"balls": st.one_of(st.integers(-1, 5), json_value),
                                                               "when": st.one_of(st.just("chorus"), json_value)}),
                           json_value),
    "always_allow": json_value, "message": json_value, "reason": json_value})


def test_fuzzed_approval_answers_during_a_live_turn(tmp_path, monkeypatch):
    """A real turn waits for approval of a destructive call; random answers (wrong decisions, edited
    arguments of any shape) arrive for it. Each gets an error frame or settles the call; the turn
    always ends, the socket keeps working, and the project ends up cleared or untouched, nothing else."""
    from tests.fakes.openai_server import fake_openai_server, openai_text_reply, openai_tool_reply

    isolate(tmp_path, monkeypatch)

    def script(n, request):
        last = request.json["messages"][-1]["role"]
        return (openai_tool_reply([(f"c{n}", "clear_timeline", {"balls": "all"})]) if last == "user"
                else openai_text_reply("Done."))

    counter = iter(range(10**9))
    with fake_openai_server(script) as fake, studio(tmp_path) as client:
        project = new_project(client)
        activate_fake(client, fake)
        red = {"kind": "solid", "start_ms": 0, "end_ms": 1000, "color": [255, 0, 0]}
        with client.websocket_connect(f"ws://127.0.0.1:8765/ws?project={project}") as sock:
            sock.receive_json()

            @settings(max_examples=examples(12), deadline=None, suppress_health_check=list(HealthCheck),
                      database=None)
            @given(st.lists(approval_data, min_size=1, max_size=3))
            def answers(datas):
                n = next(counter)
                assert client.post(f"/api/projects/{project}/balls/0/segments",
                                   json={"segments": [red]}).status_code == 200
                sock.send_json({"type": "llm_request", "request_id": f"t{n}",
                                "data": {"content": "clear everything", "approval_mode": "ask_all"}})
                frames = []
                while True:
                    f = sock.receive_json()
                    frames.append(f)
                    if f["type"] == "llm_chunk" and f["data"]["part"]["type"] == "approval-request":
                        call_id = f["data"]["part"]["call_id"]
                        break
                    assert not (f["type"] == "llm_chunk" and f["data"]["is_final"]), frames[-3:]
                for data in datas:
                    sock.send_json({"type": "approval_response", "request_id": f"a{n}",
                                    "data": {**data, "call_id": call_id}})
                sock.send_json({"type": "approval_response", "data": {"call_id": call_id, "decision": "reject"}})
                for _ in range(500):
                    f = sock.receive_json()
                    assert f["type"] != "error" or (f["data"]["code"] and f["data"]["message"]), f
                    if f["type"] == "llm_chunk" and f["data"]["is_final"]:
                        break
                else:
                    raise AssertionError("the turn never ended")
                sock.send_json({"type": "ping", "request_id": f"p{n}"})
                drain_until_pong(sock, f"p{n}")
                segs = client.get(f"/api/projects/{project}").json()["state"]["balls"][0]["segments"]
                assert segs in ([], [{**red, "pixels": 4}]), segs  # cleared by an approved call, or untouched

            answers()
