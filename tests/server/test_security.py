"""Security: Host/Origin guards, token mode, traversal, upload limits, keys never leak."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from sequence_maker.model.project import AudioRef
from sequence_maker.server.app import create_app
from tests.server.helpers import ws

KEY = "sk-live-SECRETSECRET-0123456789-abcdWXYZ"


def test_foreign_host_is_rejected(client):
    assert client.get("/api/health").status_code == 200
    r = client.get("/api/health", headers={"host": "evil.example:8765"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert client.get("/api/health", headers={"host": "localhost:8765"}).status_code == 200
    assert client.get("/api/health", headers={"host": "127.0.0.1:9999"}).status_code == 403


def test_foreign_origin_is_rejected_for_websocket_and_writes(client, project):
    with pytest.raises(WebSocketDisconnect) as ei, \
            ws(client, f"project={project}", headers={"origin": "http://evil.example"}) as sock:
        sock.receive_json()
    assert ei.value.code == 4403
    with ws(client, f"project={project}", headers={"origin": "http://127.0.0.1:8765"}) as sock:
        assert sock.receive_json()["type"] == "status"
    r = client.post("/api/projects", json={"name": "X"}, headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    assert client.get("/api/projects", headers={"origin": "http://evil.example"}).status_code == 200  # reads are CORS-protected by the browser


def test_token_required_when_listening_beyond_loopback(settings):
    settings.host = "0.0.0.0"
    app = create_app(settings)
    token = app.state.settings.token
    assert token and len(token) >= 20
    with TestClient(app, base_url="http://192.168.1.5:8765") as c:
        denied = c.get("/api/health")
        assert denied.status_code == 401 and token not in denied.text
        assert c.get("/api/health", headers={"authorization": f"Bearer {token}"}).status_code == 200
        first = c.get(f"/api/health?token={token}")
        assert first.status_code == 200 and "seqmaker_token" in first.headers["set-cookie"]
        assert c.get("/api/health").status_code == 200  # the cookie now carries it
        c.cookies.clear()
        with pytest.raises(WebSocketDisconnect) as ei, c.websocket_connect("ws://192.168.1.5:8765/ws?project=x") as s:
            s.receive_json()
        assert ei.value.code == 4401


@pytest.mark.parametrize("name", ["../../etc/passwd", "..", ".hidden", "a/b", "%2e%2e"])
def test_traversal_names_are_not_found(client, name):
    r = client.get(f"/api/projects/{name}")
    assert r.status_code == 404


def test_audio_outside_workspace_and_data_dir_is_not_served(client, project):
    h = client.app.state.services.projects.get(project)
    h.editor.set_project_props(audio=AudioRef("/etc/passwd"))
    assert client.get(f"/api/projects/{project}/audio").status_code == 404
    assert client.get(f"/api/projects/{project}/peaks").status_code == 404


def test_upload_limits(client, project, settings):
    client.app.state.settings.max_upload_bytes = 1000
    big = client.post(f"/api/projects/{project}/audio", files={"file": ("a.wav", b"\0" * 5000, "audio/wav")})
    assert big.status_code == 413
    wrong = client.post(f"/api/projects/{project}/audio", files={"file": ("a.exe", b"MZ", "application/x-msdownload")})
    assert wrong.status_code == 415
    fake = client.post(f"/api/projects/{project}/audio", files={"file": ("a.wav", b"not audio", "audio/wav")})
    assert fake.status_code == 415 and "cannot read" in fake.json()["error"]["message"]
    assert not list(settings.uploads_dir.glob(".upload-*"))  # nothing half-written left behind


def test_keys_are_write_only_and_never_logged(client, caplog):
    caplog.set_level(logging.DEBUG)
    r = client.put("/api/profiles/work", json={"provider": "openai", "model": "gpt-4o-mini", "api_key": KEY})
    assert r.status_code == 200 and r.json()["key"] == {"set": True, "last4": "WXYZ"}
    responses = [r.text, client.get("/api/profiles").text, client.get("/api/status").text,
                 client.get("/api/settings").text, client.get("/api/metrics").text, client.get("/metrics").text]
    r2 = client.put("/api/profiles/work/key", json={"api_key": KEY + "2"})
    responses.append(r2.text)
    bad = client.put("/api/profiles/work", json={"provider": "nope", "api_key": KEY})
    responses.append(bad.text)
    assert bad.status_code == 400
    logging.getLogger("sequence_maker.test").warning("oops the key was %s", KEY)  # even a careless log line
    for text in responses:
        assert KEY not in text and "SECRETSECRET" not in text
    for record in caplog.records:
        assert "SECRETSECRET" not in record.getMessage()
    profiles = {p["name"]: p for p in client.get("/api/profiles").json()["profiles"]}
    assert profiles["work"]["key"]["last4"] == "XYZ2"
    assert client.delete("/api/profiles/work/key").json() == {"set": False, "last4": None}
    stored = client.app.state.services.keys.get("work")
    assert stored is None


def test_oversized_bodies_are_refused_before_reading(client, settings):
    limit = client.app.state.settings.max_upload_bytes
    r = client.post("/api/projects", content=b"{}", headers={"content-length": str(limit + (2 << 20)),
                                                              "content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
