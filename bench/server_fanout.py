"""Hand-edit round trip and fan-out: REST edit → timeline_patch on N open tabs (real uvicorn, loopback).

Measures what a user feels when painting: the REST answer time, and when every open tab has the
patch. Baseline: 1 tab; then 10 tabs of the same project. The debounced automatic save runs during
the edits (as in real use), which shows up in the p95.

    .venv/bin/python bench/server_fanout.py
"""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

EDITS = 100


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server():
    import uvicorn

    from sequence_maker.server.app import create_app
    from sequence_maker.server.settings import ServerSettings

    port = _port()
    settings = ServerSettings(port=port, data_dir=Path(tempfile.mkdtemp(prefix="seqmaker-bench-")),
                              probe_local_servers=False, use_keyring=False, assistant_enabled=False)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return server, port


async def measure(port: int, tabs: int, project: str) -> dict[str, float]:
    import httpx
    import websockets

    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base) as http:
        await http.post("/api/projects", json={"name": project, "balls": 4, "duration_ms": 600_000})
        socks = [await websockets.connect(f"ws://127.0.0.1:{port}/ws?project={project}") for _ in range(tabs)]
        for s in socks:
            await s.recv()  # status
        rest_ms, all_tabs_ms = [], []
        for i in range(EDITS):
            seg = {"kind": "solid", "start_ms": i * 1000, "end_ms": i * 1000 + 500, "color": [i % 256, 0, 0]}
            t0 = time.perf_counter()
            r = await http.post(f"/api/projects/{project}/balls/{i % 4}/segments", json={"segments": [seg]})
            rest_ms.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.text
            for s in socks:
                while json.loads(await s.recv())["type"] != "timeline_patch":
                    pass
            all_tabs_ms.append((time.perf_counter() - t0) * 1000)
        for s in socks:
            await s.close()
    rest_ms.sort()
    all_tabs_ms.sort()
    return {"rest_p50": statistics.median(rest_ms), "rest_p95": rest_ms[int(0.95 * (EDITS - 1))],
            "tabs_p50": statistics.median(all_tabs_ms), "tabs_p95": all_tabs_ms[int(0.95 * (EDITS - 1))]}


def main() -> None:
    server, port = start_server()
    try:
        asyncio.run(measure(port, 1, "Warmup"))  # imports, first save, caches: not part of the figures
        one = asyncio.run(measure(port, 1, "One"))
        ten = asyncio.run(measure(port, 10, "Ten"))
    finally:
        server.should_exit = True
    print(f"{EDITS} paint edits over REST, patch awaited on every open tab (loopback)")
    for label, r in (("1 tab", one), ("10 tabs", ten)):
        print(f"  {label:8s} REST answer p50 {r['rest_p50']:6.2f} ms p95 {r['rest_p95']:6.2f} ms   "
              f"all tabs patched p50 {r['tabs_p50']:6.2f} ms p95 {r['tabs_p95']:6.2f} ms")
    print(f"  10 tabs vs 1: {ten['tabs_p50'] / one['tabs_p50']:.2f}x the round trip")
    for name, value, target in (
        ("server_edit_rest_p50", one["rest_p50"], "< 20 ms"),
        ("server_edit_all_tabs_p95_1tab", one["tabs_p95"], "< 50 ms"),
        ("server_edit_all_tabs_p95_10tabs", ten["tabs_p95"], "< 100 ms"),
    ):
        print("BENCH " + json.dumps({"name": name, "value": round(value, 3), "unit": "ms", "target": target}))
    print("BENCH " + json.dumps({"name": "server_fanout_10tab_ratio", "value": round(ten["tabs_p50"] / one["tabs_p50"], 3),
                                 "unit": "x", "target": None}))


if __name__ == "__main__":
    main()
