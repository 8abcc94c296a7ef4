"""Security beyond tests/server/test_security.py: a distinctive API key is absent from every
response, WebSocket frame, log record (tracebacks included), metrics row, exported or saved file
and the database after exercising the server and provider paths (errors included); symlinks
cannot escape the workspace; an oversized upload is refused before its body arrives."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from pathlib import Path

from sequence_maker.model.project import AudioRef
from tests.fakes.openai_server import fake_openai_server, openai_text_reply, openai_tool_reply
from tests.fakes.sse_server import Reply

from ._studio import activate_fake, isolate, new_project, studio, studio_settings

# Azure-style (not "sk-" shaped), so only the key store's knowledge of it can hide it
KEY = "f00dfacec0ffee7e57leakcheck0a1b2c3d"
MARK = "leakcheck"
PAINT = ("w1", "create_segment", {"balls": 1, "color": "red", "start": 0, "end": 5})


def _turn(sock, rid: str, text: str) -> list[str]:
    """Raw frames of one turn, up to the final chunk."""
    sock.send_json({"type": "llm_request", "request_id": rid, "data": {"content": text, "approval_mode": "auto"}})
    raw = []
    for _ in range(500):
        t = sock.receive_text()
        raw.append(t)
        f = json.loads(t)
        if f["type"] == "llm_chunk" and f["data"]["is_final"]:
            return raw
    raise AssertionError("the turn never ended")


def test_api_key_absent_from_responses_frames_logs_metrics_exports_and_db(tmp_path, monkeypatch, caplog):
    isolate(tmp_path, monkeypatch)
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    script = [Reply.error(401, f"Incorrect API key provided: {KEY}. Check it.", error_type="invalid_api_key"),
              openai_tool_reply([PAINT]), openai_text_reply("Painted ball 1 red.")]
    with fake_openai_server(script) as fake, studio(tmp_path) as client:
        project = new_project(client)
        activate_fake(client, fake, "leaky", api_key=KEY)
        with client.websocket_connect(f"ws://127.0.0.1:8765/ws?project={project}") as sock:
            seen.append(sock.receive_text())
            failed = _turn(sock, "r1", "paint ball 1 red")
            assert any('"error"' in t for t in failed)  # the 401 reached the user, as an error
            seen += failed
            seen += _turn(sock, "r2", "paint ball 1 red")
        assert any(r.headers.get("authorization") == f"Bearer {KEY}" for r in fake.requests)  # the key was used
        assert client.get(f"/api/projects/{project}").json()["state"]["balls"][0]["segments"]  # the turn painted
        for path in ["/api/profiles", "/api/status", "/api/settings", "/api/metrics", "/metrics",
                     f"/api/projects/{project}", f"/api/projects/{project}/sessions", f"/api/projects/{project}/lint"]:
            r = client.get(path)
            assert r.status_code == 200, (path, r.text)
            seen.append(r.text)
        for s in client.get(f"/api/projects/{project}/sessions").json()["sessions"]:
            seen.append(client.get(f"/api/sessions/{s['id']}").text)
        exports = [client.get(f"/api/projects/{project}/export/0.prg").content,
                   client.get(f"/api/projects/{project}/export.zip").content]
        assert all(exports)
        seen.append(client.post(f"/api/projects/{project}/save").text)
    for text in seen:
        assert MARK not in text, text[:300]
    for blob in exports:
        assert MARK.encode() not in blob
    formatted = caplog.text  # messages plus formatted tracebacks, as a log file would hold them
    leaked_logs = [ln for ln in formatted.splitlines() if MARK in ln]
    assert not leaked_logs, leaked_logs[:3]
    keys_file = (tmp_path / "data" / "keys.json")
    for f in tmp_path.rglob("*"):  # database (+WAL), saved project, recovery, uploads, config …
        if f.is_file() and f != keys_file:
            assert MARK.encode() not in f.read_bytes(), f"the key is in {f}"
    if keys_file.exists():  # the key store itself is private to the user
        assert keys_file.stat().st_mode & 0o077 == 0


def test_crash_report_in_the_log_does_not_carry_the_key(tmp_path, monkeypatch, caplog):
    isolate(tmp_path, monkeypatch)
    caplog.set_level(logging.DEBUG)
    with studio(tmp_path, raise_server_exceptions=False) as client:
        project = new_project(client)
        assert client.put("/api/profiles/leaky", json={"provider": "openai", "model": "gpt-4o-mini",
                                                       "api_key": KEY}).status_code == 200

        def explode(name):
            raise RuntimeError(f"backend exploded while holding {KEY}")

        monkeypatch.setattr(client.app.state.services.projects, "get", explode)
        crash = client.get(f"/api/projects/{project}")
    assert crash.status_code == 500 and MARK not in crash.text  # the response is clean …
    assert MARK not in caplog.text  # … and so must be the crash report in the log


def test_symlinks_cannot_escape_the_workspace(tmp_path, monkeypatch):
    isolate(tmp_path, monkeypatch)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret_song = outside / "private.wav"
    secret_song.write_bytes(b"RIFF-not-yours")
    with studio(tmp_path) as client:
        project = new_project(client)
        ws_dir = Path(client.app.state.settings.workspace)
        victim = outside / "victim.smproj"
        (ws_dir / f"{project}.smproj").rename(victim)  # a real project, now outside the workspace
        (ws_dir / "Sneaky.smproj").symlink_to(victim)
        before = victim.read_bytes()
        assert client.get("/api/projects/Sneaky").status_code in (400, 403, 404)
        r = client.post("/api/projects/Sneaky/balls/0/segments",
                        json={"segments": [{"kind": "solid", "start_ms": 0, "end_ms": 10, "color": [1, 2, 3]}]})
        assert r.status_code in (400, 403, 404)
        assert victim.read_bytes() == before
        other = new_project(client, "Other")
        (ws_dir / "song.wav").symlink_to(secret_song)  # inside by name, outside once resolved
        h = client.app.state.services.projects.get(other)
        h.editor.set_project_props(audio=AudioRef(str(ws_dir / "song.wav")))
        r = client.get(f"/api/projects/{other}/audio")
        assert r.status_code == 404 and b"not-yours" not in r.content


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_oversized_upload_is_refused_before_the_body_is_sent(tmp_path, monkeypatch):
    """A 2 GB Content-Length must get 413 at once: the server must not read (or spool) the body."""
    import uvicorn

    from sequence_maker.server.app import create_app

    isolate(tmp_path, monkeypatch)
    port = _free_port()
    settings = studio_settings(tmp_path, port=port, max_upload_bytes=1024 * 1024)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        import httpx

        assert httpx.post(f"http://127.0.0.1:{port}/api/projects", json={"name": "Big"}).status_code == 201
        boundary = "XyZ"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.wav\"\r\n"
                f"Content-Type: audio/wav\r\n\r\n").encode()
        total = 2 * 1024**3
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall((f"POST /api/projects/Big/audio HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                          f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                          f"Content-Length: {total}\r\n\r\n").encode() + head + b"\0" * 65536)
            sock.settimeout(3.0)
            try:
                reply = sock.recv(4096)
            except TimeoutError:
                reply = b""
        assert reply.startswith(b"HTTP/1.1 413"), f"no early refusal: {reply[:80]!r}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
