"""Song upload, range streaming, waveform peaks and analysis job progress."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from tests.server.helpers import recv_until, wait_for, ws

pytestmark = pytest.mark.timeout(90)


def wav_bytes(seconds: float = 2.0, sr: int = 22050) -> bytes:
    t = np.arange(int(seconds * sr)) / sr
    clicks = (np.sin(2 * np.pi * 440 * t) * (np.mod(t, 0.5) < 0.05)).astype(np.float32)
    buf = io.BytesIO()
    sf.write(buf, clicks, sr, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def test_upload_stream_with_ranges_and_peaks(client, project):
    data = wav_bytes()
    r = client.post(f"/api/projects/{project}/audio", files={"file": ("song.wav", data, "audio/wav")})
    assert r.status_code == 200, r.text
    audio = r.json()["audio"]
    assert audio["duration_ms"] == 2000 and len(audio["sha256"]) == 64
    view = client.get(f"/api/projects/{project}").json()
    assert view["state"]["duration_ms"] == 2000 and view["audio_url"] == f"/api/projects/{project}/audio"

    full = client.get(f"/api/projects/{project}/audio")
    assert full.status_code == 200 and full.content == data and full.headers["accept-ranges"] == "bytes"
    part = client.get(f"/api/projects/{project}/audio", headers={"range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"

    peaks = client.get(f"/api/projects/{project}/peaks?points=100").json()
    assert 90 <= peaks["points"] <= 110 and len(peaks["min"]) == len(peaks["max"]) == peaks["points"]
    assert max(peaks["max"]) > 0.5 and min(peaks["min"]) < -0.5


def test_analysis_job_reports_progress_and_sets_the_grid(client, project):
    client.post(f"/api/projects/{project}/audio", files={"file": ("song.wav", wav_bytes(4.0), "audio/wav")})
    with ws(client, f"project={project}") as sock:
        sock.receive_json()
        job = client.post(f"/api/projects/{project}/analysis", json={}).json()
        assert job["state"] in ("queued", "running")
        frames = recv_until(sock, lambda f: f["type"] == "analysis_progress"
                            and f["data"]["state"] in ("done", "error"), limit=2000)
        progress = [f["data"]["progress"] for f in frames if f["type"] == "analysis_progress"]
        assert frames[-1]["data"]["state"] == "done", frames[-1]
        assert progress == sorted(progress) and progress[-1] == 1.0
        patch = recv_until(sock, lambda f: f["type"] == "timeline_patch")[-1]
        assert patch["data"]["grid_changed"] is True and patch["data"]["grid"] is not None
    assert client.get(f"/api/jobs/{job['id']}").json()["state"] == "done"
    analysis = client.get(f"/api/projects/{project}/analysis").json()
    assert "beats" in analysis
    wait_for(lambda: client.get(f"/api/projects/{project}").json()["state"]["grid"] is not None, what="grid")


def test_grid_put_and_pure_edits(client, project):
    grid = {"beats_ms": [0, 500, 1000, 1500, 2000], "downbeats_ms": [0, 2000], "beats_per_bar": 4,
            "tempo_bpm": 120.0, "sections": [], "confidence": 0.9}
    r = client.put(f"/api/projects/{project}/grid", json={"grid": grid})
    assert r.status_code == 200 and r.json()["label"] == "Edit beat grid"
    moved = client.post(f"/api/projects/{project}/grid/edit", json={"op": "nudge", "args": {"delta_ms": 20}})
    assert moved.status_code == 200, moved.text
    assert moved.json()["grid"]["beats_ms"][:2] == [20, 520]
    unknown = client.post(f"/api/projects/{project}/grid/edit", json={"op": "explode", "args": {}})
    assert unknown.status_code == 400 and "nudge" in unknown.json()["error"]["message"]
    assert "fit_taps" not in unknown.json()["error"]["message"]  # not a grid → grid edit
    bad = client.post(f"/api/projects/{project}/grid/edit", json={"op": "nudge", "args": {"nope": 1}})
    assert bad.status_code == 400
    client.post(f"/api/projects/{project}/undo")
    assert client.get(f"/api/projects/{project}").json()["state"]["grid"]["beats_ms"][0] == 0
