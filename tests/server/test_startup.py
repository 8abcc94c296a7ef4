"""Start-up on embedded defaults, persistence across restarts (SQLite and PostgreSQL), real uvicorn."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from sequence_maker.server.app import create_app
from tests.fakes.openai_server import fake_openai_server, openai_text_reply, openai_tool_reply
from tests.server.helpers import activate_fake, is_final, recv_until, wait_for, ws


def test_nothing_configured_says_how_to_connect_and_editing_works(client, project):
    status = wait_for(lambda: (s := client.get("/api/status").json())["assistant"]["state"] != "loading" and s,
                      what="assistant selection")
    a = status["assistant"]
    assert a["state"] == "none" and a["provider"] is None
    assert "OPENAI_API_KEY" in a["message"] and "LM Studio" in a["message"] and "offline" in a["message"]
    with ws(client, f"project={project}") as sock:
        assert sock.receive_json()["data"]["assistant"]["state"] == "none"
        sock.send_json({"type": "llm_request", "request_id": "q", "data": {"content": "hello"}})
        frames = recv_until(sock, is_final)
        err = [f["data"]["part"] for f in frames if f["type"] == "llm_chunk" and f["data"]["part"]["type"] == "error"]
        assert err and err[0]["kind"] == "no_assistant" and "Hand editing works" in err[0]["message"]
    seg = {"kind": "solid", "start_ms": 0, "end_ms": 500, "color": [255, 0, 0]}
    assert client.post(f"/api/projects/{project}/balls/0/segments", json={"segments": [seg]}).status_code == 200


def test_chat_and_metrics_survive_restart(settings, db_url):
    settings.database_url = db_url
    call = ("c1", "create_segment", {"balls": 1, "start": 0, "duration": 1, "color": "red"})
    with fake_openai_server([openai_tool_reply([call]), openai_text_reply("Done.")]) as server:
        with TestClient(create_app(settings), base_url="http://127.0.0.1:8765") as c:
            assert c.post("/api/projects", json={"name": "P"}).status_code == 201
            activate_fake(c, server)
            with ws(c, "project=P") as sock:
                sock.receive_json()
                sock.send_json({"type": "llm_request", "request_id": "r", "data": {"content": "red start"}})
                sid = recv_until(sock, is_final)[-1]["data"]["session_id"]
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8765") as c:  # a new server process
        msgs = c.get(f"/api/sessions/{sid}").json()["messages"]
        assert [m["role"] for m in msgs] == ["user", "assistant", "tool", "assistant"]
        assert msgs[0]["parts"][0]["text"] == "red start"
        assert c.get("/api/projects/P").json()["state"]["balls"][0]["segments"][0]["color"] == [255, 0, 0]
        m = c.get("/api/metrics?window_s=3600").json()
        g = m["groups"][0]
        assert g["requests"] == 2 and g["errors"] == 0 and g["ttft_p50_s"] is not None
        assert g["output_tokens"] > 0 and len(m["recent"]) == 2
        prom = c.get("/metrics").text
        assert 'seqmaker_llm_requests_total{provider="' in prom and "# TYPE seqmaker_llm_ttft_seconds summary" in prom
        assert c.get("/api/profiles").json()["active"] == "fake"  # the chosen profile persisted too


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_real_uvicorn_on_loopback_streams_a_turn(settings):
    pytest.importorskip("websockets")
    import websockets

    settings.port = _free_port()
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=settings.port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{settings.port}"
    try:
        wait_for(lambda: server.started, what="uvicorn start")
        with fake_openai_server([openai_text_reply("Hello from the fake model.", pieces=8)]) as fake:
            with httpx.Client(base_url=base) as http:
                assert http.post("/api/projects", json={"name": "Live"}).status_code == 201
                profile = fake.profile("fake").to_dict()
                profile.pop("name")
                http.put("/api/profiles/fake", json=profile)
                http.post("/api/profiles/fake/activate")
                wait_for(lambda: http.get("/api/status").json()["assistant"]["state"] == "ready", what="ready")
                assert http.get("/api/health", headers={"host": "attacker.test"}).status_code == 403

            async def talk() -> list[dict]:
                url = f"ws://127.0.0.1:{settings.port}/ws?project=Live"
                async with websockets.connect(url, origin=base) as sock:
                    frames = [json.loads(await sock.recv())]
                    await sock.send(json.dumps({"type": "llm_request", "request_id": "u",
                                                "data": {"content": "hi"}}))
                    while not (frames[-1]["type"] == "llm_chunk" and frames[-1]["data"]["is_final"]):
                        frames.append(json.loads(await asyncio.wait_for(sock.recv(), 10)))
                    return frames

            frames = asyncio.run(talk())
        text = "".join(f["data"]["part"].get("text", "") for f in frames if f["type"] == "llm_chunk")
        assert text == "Hello from the fake model."
        assert frames[0]["type"] == "status"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    t0 = time.monotonic()
    assert not thread.is_alive() and time.monotonic() - t0 < 10
