"""REST behaviour: projects, edits, undo/redo, checkpoints, export, sessions, settings, errors."""

from __future__ import annotations

import io
import zipfile

import pytest

RED = {"kind": "solid", "start_ms": 0, "end_ms": 1000, "color": [255, 0, 0]}
FADE = {"kind": "fade", "start_ms": 500, "end_ms": 2000, "start_color": [0, 0, 0], "end_color": [0, 255, 0]}


def test_project_lifecycle(client):
    assert client.get("/api/projects").json() == {"projects": []}
    r = client.post("/api/projects", json={"name": "My Song", "balls": 3, "duration_ms": 45_000})
    assert r.status_code == 201
    view = r.json()
    assert view["name"] == "My Song" and len(view["state"]["balls"]) == 3 and view["can_undo"] is False
    dup = client.post("/api/projects", json={"name": "My Song"})
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "conflict"
    bad = client.post("/api/projects", json={"name": "x", "refresh_rate": 7})
    assert bad.status_code == 422 and "refresh rate" in bad.json()["error"]["message"]
    assert [p["name"] for p in client.get("/api/projects").json()["projects"]] == ["My Song"]

    assert client.post("/api/projects/My Song/rename", json={"new_name": "Renamed"}).json() == {"name": "Renamed"}
    assert client.get("/api/projects/My Song").status_code == 404
    assert client.get("/api/projects/Renamed").json()["state"]["name"] == "Renamed"

    refused = client.delete("/api/projects/Renamed")
    assert refused.status_code == 409 and "confirm" in refused.json()["error"]["message"]
    assert client.delete("/api/projects/Renamed?confirm=Wrong").status_code == 409
    assert client.delete("/api/projects/Renamed?confirm=Renamed").json() == {"deleted": "Renamed"}
    assert client.get("/api/projects").json() == {"projects": []}


def test_segment_edits_undo_redo_and_autosave(client, project, settings):
    base = f"/api/projects/{project}/balls/0/segments"
    m = client.post(base, json={"segments": [RED]}).json()
    assert m["can_undo"] and m["label"] == "Add segment"
    client.post(base, json={"segments": [FADE]})
    segs = client.get(base).json()["segments"]
    assert [(s["start_ms"], s["end_ms"]) for s in segs] == [(0, 500), (500, 2000)]
    r = client.patch(f"{base}/600", json={"color": "blue", "end_color": None})
    assert r.json()["segment"]["kind"] == "solid" and r.json()["segment"]["color"] == [0, 0, 255]
    client.post(f"{base}/600/move", json={"new_start_ms": 5000, "to_ball": 1})
    assert client.get(f"/api/projects/{project}/balls/1/segments").json()["segments"][0]["start_ms"] == 5000
    client.post(f"/api/projects/{project}/balls/0/erase", json={"start_ms": 0, "end_ms": 250})
    assert client.get(base).json()["segments"][0]["start_ms"] == 250
    client.delete(f"{base}/300")
    assert client.get(base).json()["segments"] == []

    undo = client.post(f"/api/projects/{project}/undo").json()
    assert undo["label"] == "Delete segment" and undo["can_redo"]
    assert client.post(f"/api/projects/{project}/redo").json()["label"] == "Delete segment"
    for _ in range(20):
        if client.post(f"/api/projects/{project}/undo").status_code != 200:
            break
    nothing = client.post(f"/api/projects/{project}/undo")
    assert nothing.status_code == 409 and "nothing to undo" in nothing.json()["error"]["message"]

    # automatic save happened: the file on disk has the latest state and no recovery is needed
    client.post(base, json={"segments": [RED]})
    from sequence_maker.storage import Workspace
    from tests.server.helpers import wait_for
    wait_for(lambda: Workspace(settings.workspace).open(project).project.ball(0).segment_list(), what="autosave")


def test_edit_errors_name_the_problem(client, project):
    base = f"/api/projects/{project}/balls/0/segments"
    late = client.post(base, json={"segments": [{**RED, "end_ms": 99_000}]})
    assert late.status_code == 422 and "ends after the project end" in late.json()["error"]["message"]
    bad = client.post(base, json={"segments": [{**RED, "kind": "sparkle"}]})
    assert bad.status_code == 422 and "segments[0].kind" in bad.json()["error"]["message"]
    assert client.post(base, json={"segments": "nope"}).status_code == 400
    nob = client.post(f"/api/projects/{project}/balls/9/segments", json={"segments": [RED]})
    assert nob.status_code == 422 and "no ball 10" in nob.json()["error"]["message"]
    miss = client.delete(f"{base}/12345")
    assert miss.status_code == 422 and "no segment" in miss.json()["error"]["message"]
    assert client.post(f"/api/projects/{project}/balls/0/erase", json={"start_ms": 5, "end_ms": 1}).status_code == 400
    assert client.get(f"/api/projects/{project}").json()["can_undo"] is False  # nothing half-applied


def test_checkpoints_restore_and_diff(client, project):
    base = f"/api/projects/{project}"
    cp = client.post(f"{base}/checkpoints", json={"name": "empty"}).json()
    client.post(f"{base}/balls/0/segments", json={"segments": [RED]})
    diff = client.get(f"{base}/checkpoints/{cp['id']}/diff").json()
    assert diff["counts"] == {"added": 1, "removed": 0, "changed": 0}
    assert diff["balls"][0]["added"][0]["color"] == [255, 0, 0]
    assert [c["name"] for c in client.get(f"{base}/checkpoints").json()["checkpoints"]] == ["empty"]
    r = client.post(f"{base}/checkpoints/{cp['id']}/restore")
    assert r.status_code == 200 and "empty" in r.json()["label"]
    assert client.get(f"{base}/balls/0/segments").json()["segments"] == []
    client.post(f"{base}/undo")  # restoring is undoable
    assert len(client.get(f"{base}/balls/0/segments").json()["segments"]) == 1
    assert client.get(f"{base}/checkpoints/nope/diff").status_code == 404


def test_balls_and_project_props(client, project):
    base = f"/api/projects/{project}"
    assert client.post(f"{base}/balls", json={"name": "Extra", "default_pixels": 2}).json()["index"] == 2
    client.patch(f"{base}/balls/2", json={"name": "Third"})
    assert client.get(base).json()["state"]["balls"][2]["name"] == "Third"
    client.delete(f"{base}/balls/2")
    view = client.patch(base, json={"duration_ms": 60_000, "refresh_rate": 50}).json()
    assert view["state"]["duration_ms"] == 60_000 and view["state"]["refresh_rate"] == 50
    assert client.patch(base, json={"colour": 1}).status_code == 400


def test_export_prg_zip_and_lint(client, project):
    base = f"/api/projects/{project}"
    client.post(f"{base}/balls/0/segments", json={"segments": [RED]})
    r = client.get(f"{base}/export/0.prg")
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    assert "attachment" in r.headers["content-disposition"] and len(r.content) > 16
    z = zipfile.ZipFile(io.BytesIO(client.get(f"{base}/export.zip").content))
    names = z.namelist()
    assert len(names) == 2 and all(n.endswith(".prg") for n in names)
    assert z.read(names[0]) == r.content
    assert client.get(f"{base}/export/7.prg").status_code == 404
    assert isinstance(client.get(f"{base}/lint").json()["issues"], list)


def test_import_prg_as_new_ball_and_new_project(client, project):
    base = f"/api/projects/{project}"
    client.post(f"{base}/balls/0/segments", json={"segments": [RED]})
    prg = client.get(f"{base}/export/0.prg").content
    r = client.post(f"{base}/import", files={"file": ("juggle.prg", prg, "application/octet-stream")})
    assert r.status_code == 200, r.text
    idx = r.json()["index"]
    segs = client.get(f"{base}/balls/{idx}/segments").json()["segments"]
    assert segs[0]["color"] == [255, 0, 0] and segs[0]["end_ms"] == 1000
    new = client.post("/api/import", files={"file": ("Other.prg", prg, "application/octet-stream")})
    assert new.status_code == 201 and new.json()["name"] == "Other"
    bad = client.post(f"{base}/import", files={"file": ("x.exe", b"MZ", "application/octet-stream")})
    assert bad.status_code == 415
    junk = client.post(f"{base}/import", files={"file": ("x.prg", b"garbage", "application/octet-stream")})
    assert junk.status_code == 422 and "x.prg" in junk.json()["error"]["message"]


def test_sessions_settings_and_validation(client, project):
    s = client.post(f"/api/projects/{project}/sessions", json={"title": "Ideas"})
    assert s.status_code == 201
    sid = s.json()["id"]
    assert [x["title"] for x in client.get(f"/api/projects/{project}/sessions").json()["sessions"]] == ["Ideas"]
    assert client.patch(f"/api/sessions/{sid}", json={"title": "Better"}).json()["title"] == "Better"
    assert client.get(f"/api/sessions/{sid}").json()["messages"] == []
    assert client.delete(f"/api/sessions/{sid}").json() == {"deleted": sid}
    assert client.get(f"/api/sessions/{sid}").status_code == 404
    assert client.patch("/api/settings", json={"approval_mode": "ask_all"}).json()["settings"]["approval_mode"] == "ask_all"
    assert client.patch("/api/settings", json={"approval_mode": "sometimes"}).status_code == 400
    assert client.get("/api/settings").json()["settings"] == {"approval_mode": "ask_all"}


@pytest.mark.parametrize("path", ["/api/nope", "/api/projects/..%2F..%2Fetc%2Fpasswd", "/api/sessions/x"])
def test_unknown_things_are_404_with_envelope(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert set(r.json()["error"]) >= {"code", "message"}
