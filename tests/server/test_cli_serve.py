"""`seqmaker serve` starts on embedded defaults (fresh data dir, nothing configured) and stops cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_starts_on_embedded_defaults_and_saves_on_stop(tmp_path):
    port = _port()
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k != "SEQMAKER_DATABASE_URL"}
    env.update(SEQMAKER_HOME=str(tmp_path / "home"), SEQMAKER_CONFIG_DIR=str(tmp_path / "cfg"))
    proc = subprocess.Popen([sys.executable, "-m", "sequence_maker.cli.app", "serve", "--port", str(port),
                             "--no-assistant"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        status = httpx.get(f"{base}/api/status").json()
        assert status["database"] == "sqlite" and status["workspace"].startswith(str(tmp_path / "home"))
        assert status["assistant"]["state"] == "none" and "Hand editing works" in status["assistant"]["message"]
        assert httpx.post(f"{base}/api/projects", json={"name": "First"}).status_code == 201
        seg = {"kind": "solid", "start_ms": 0, "end_ms": 100, "color": [1, 2, 3]}
        assert httpx.post(f"{base}/api/projects/First/balls/0/segments", json={"segments": [seg]}).status_code == 200
        assert (tmp_path / "home" / "studio.db").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert f"Sequence Maker studio: http://127.0.0.1:{port}/" in out
    assert (tmp_path / "home" / "projects" / "First.smproj").exists()  # saved on shutdown at the latest
