"""Two studio servers on one database and workspace: a project is edited in one process at a time."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sequence_maker.server.app import create_app
from sequence_maker.server.settings import ServerSettings


def test_second_server_is_refused_while_the_first_has_the_project_open(tmp_path, db_url):
    def settings(name: str) -> ServerSettings:
        return ServerSettings(data_dir=tmp_path / name, workspace=tmp_path / "shared", database_url=db_url,
                              probe_local_servers=False, use_keyring=False, save_delay_s=0.05,
                              assistant_enabled=False)

    seg = {"kind": "solid", "start_ms": 0, "end_ms": 100, "color": [9, 9, 9]}
    with TestClient(create_app(settings("a")), base_url="http://127.0.0.1:8765") as a:
        assert a.post("/api/projects", json={"name": "Show"}).status_code == 201
        with TestClient(create_app(settings("b")), base_url="http://127.0.0.1:8765") as b:
            assert [p["name"] for p in b.get("/api/projects").json()["projects"]] == ["Show"]
            r = b.get("/api/projects/Show")
            assert r.status_code == 409 and r.json()["error"]["code"] == "locked"
            assert "another studio server" in r.json()["error"]["message"]
            a.post("/api/projects/Show/balls/0/segments", json={"segments": [seg]})
            assert b.post("/api/projects", json={"name": "Other"}).status_code == 201  # other projects are fine
        # server a stops: its leases are released and the project saved
    with TestClient(create_app(settings("b")), base_url="http://127.0.0.1:8765") as b:
        view = b.get("/api/projects/Show")
        assert view.status_code == 200 and view.json()["state"]["balls"][0]["segments"][0]["color"] == [9, 9, 9]


def test_idle_projects_are_saved_closed_and_released(tmp_path, db_url):
    import time

    def settings(name: str) -> ServerSettings:
        return ServerSettings(data_dir=tmp_path / name, workspace=tmp_path / "shared", database_url=db_url,
                              probe_local_servers=False, use_keyring=False, save_delay_s=5.0,
                              assistant_enabled=False, idle_close_s=0.5)

    seg = {"kind": "solid", "start_ms": 0, "end_ms": 100, "color": [7, 7, 7]}
    with TestClient(create_app(settings("a")), base_url="http://127.0.0.1:8765") as a, \
            TestClient(create_app(settings("b")), base_url="http://127.0.0.1:8765") as b:
        a.post("/api/projects", json={"name": "Show"})
        a.post("/api/projects/Show/balls/0/segments", json={"segments": [seg]})
        assert b.get("/api/projects/Show").status_code == 409
        deadline = time.monotonic() + 10
        while b.get("/api/projects/Show").status_code == 409:  # a closes it once idle (and saves it)
            assert time.monotonic() < deadline, "idle project was never released"
            time.sleep(0.2)
        assert b.get("/api/projects/Show").json()["state"]["balls"][0]["segments"][0]["color"] == [7, 7, 7]
