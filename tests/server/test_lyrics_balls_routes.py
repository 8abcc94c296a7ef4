"""Studio routes for lyrics (import/export/word edits, undoable) and real balls (upload to a fake
ball, live colour, mirror)."""

from __future__ import annotations

import time

from sequence_maker.balls.fake import FakeBallThread, free_udp_port

LRC = b"[00:01.00]<00:01.00>hello <00:01.50>world\n[00:03.00]<00:03.00>again\n"


def test_lyrics_import_edit_export_undo(client, project):
    r = client.post(f"/api/projects/{project}/lyrics", files={"file": ("song.lrc", LRC, "text/plain")})
    assert r.status_code == 200, r.text
    assert r.json()["words"] == 3
    r = client.get(f"/api/projects/{project}/lyrics")
    assert [w["text"] for w in r.json()["lyrics"]["words"]] == ["hello", "world", "again"]
    r = client.post(f"/api/projects/{project}/lyrics/words/0", json={"op": "split", "at_ms": 1200, "texts": ["hel", "lo"]})
    assert r.status_code == 200, r.text
    r = client.post(f"/api/projects/{project}/lyrics/words/2", json={"op": "timing", "end_ms": 3500})
    assert r.status_code == 422 and "overlap" in r.json()["error"]["message"]
    r = client.get(f"/api/projects/{project}/lyrics.xtiming")
    assert r.status_code == 200 and b'label="hel" starttime="1000" endtime="1200"' in r.content
    assert client.get(f"/api/projects/{project}/lyrics.lrc").content.startswith(b"[00:01.00]")
    client.post(f"/api/projects/{project}/undo")
    r = client.get(f"/api/projects/{project}/lyrics")
    assert [w["text"] for w in r.json()["lyrics"]["words"]] == ["hello", "world", "again"]


def test_lyrics_bad_files(client, project):
    r = client.post(f"/api/projects/{project}/lyrics", files={"file": ("x.lrc", b"no tags", "text/plain")})
    assert r.status_code == 422 and "x.lrc" in r.json()["error"]["message"]
    r = client.post(f"/api/projects/{project}/lyrics", files={"file": ("x.exe", b"MZ", "application/octet-stream")})
    assert r.status_code == 415
    assert client.get(f"/api/projects/{project}/lyrics.lrc").status_code == 404






def test_upload_to_fake_ball_matches_export(client, project):
    client.post(f"/api/projects/{project}/balls/0/segments",
                json={"segments": [{"kind": "solid", "start_ms": 0, "end_ms": 2000, "color": [255, 0, 0]}]})
    expected = client.get(f"/api/projects/{project}/export/0.prg").content
    status = free_udp_port()
    with FakeBallThread(status_port=status) as ball:
        r = client.post(f"/api/projects/{project}/balls/0/upload",
                        json={"address": "127.0.0.1", "port": ball.tcp_port, "status_port": status,
                              "status_bind": "127.0.0.1", "timeout_s": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["confirmed"] is True
    assert ball.files[body["filename"]] == expected


def test_ball_routes_validate_addresses(client, project):
    r = client.post("/api/balls/live", json={"address": "evil.example", "color": "red"})
    assert r.status_code == 400 and "IP address" in r.json()["error"]["message"]
    r = client.post(f"/api/projects/{project}/balls/0/upload", json={"address": "not-an-ip"})
    assert r.status_code == 400
    r = client.post("/api/balls/scan", json={"seconds": 99})
    assert r.status_code == 400


def test_live_colour_and_mirror(client, project):
    client.post(f"/api/projects/{project}/balls/1/segments",
                json={"segments": [{"kind": "solid", "start_ms": 0, "end_ms": 30000, "color": [0, 0, 255]}]})
    with FakeBallThread() as ball:
        r = client.post("/api/balls/live", json={"address": "127.0.0.1", "port": ball.udp_port,
                                                 "color": "lime", "brightness": 100})
        assert r.status_code == 200 and r.json()["sent"] == 2
        r = client.post(f"/api/projects/{project}/balls/1/mirror",
                        json={"address": "127.0.0.1", "port": ball.udp_port, "start_ms": 0, "seconds": 0.5,
                              "rate_hz": 25})
        assert r.status_code == 200, r.text
        time.sleep(0.8)
        mid = r.json()["mirror_id"]
        assert client.delete(f"/api/balls/mirror/{mid}").status_code in (200, 404)
    packets = [p for _, p in ball.live]
    assert packets[0].values == (0, 255, 0) and packets[1].op == "brightness"
    blues = [p for p in packets if p.op == "color" and p.values == (0, 0, 255)]
    assert len(blues) >= 8
