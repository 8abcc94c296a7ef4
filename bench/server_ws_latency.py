"""Chunk latency through the studio WebSocket on loopback (real uvicorn, real agent loop).

An in-process provider streams text deltas, each stamped with ``time.perf_counter()``; a websocket
client measures when each stamp arrives. Runs twice: with the default coalescing (25 ms / 2 KB) and
with coalescing off, to show what coalescing buys (frames) and costs (latency).

    .venv/bin/python bench/server_ws_latency.py
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

DELTAS = 600
INTERVAL_S = 0.002  # a fast model: 500 deltas/s


class StampingProvider:
    name = "bench"
    model = "stamps"

    async def stream(self, request):
        from sequence_maker.assistant.providers.events import Finish, TextDelta, Usage

        for _ in range(DELTAS):
            await asyncio.sleep(INTERVAL_S)
            yield TextDelta(f"<{time.perf_counter():.6f}>")
        yield Usage(10, DELTAS)
        yield Finish("stop")

    async def aclose(self) -> None:
        pass


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(coalesce_s: float) -> dict[str, float]:
    import uvicorn
    import websockets

    import sequence_maker.assistant.config as config
    from sequence_maker.server.app import create_app
    from sequence_maker.server.settings import ServerSettings

    config.offline_available = lambda: False  # don't load the embedded model: we measure the server
    tmp = Path(tempfile.mkdtemp(prefix="seqmaker-bench-"))
    port = _port()
    settings = ServerSettings(port=port, data_dir=tmp, probe_local_servers=False, use_keyring=False,
                              coalesce_s=coalesce_s, coalesce_bytes=2048 if coalesce_s > 0 else 1)
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    services = app.state.services

    async def talk() -> tuple[list[float], int]:
        import httpx

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            await http.post("/api/projects", json={"name": "Bench"})
            while (await http.get("/api/status")).json()["assistant"]["state"] == "loading":
                await asyncio.sleep(0.05)
        services.assistant.provider = StampingProvider()  # bypass selection: measure the server, not a model
        latencies: list[float] = []
        frames = 0
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws?project=Bench") as sock:
            await sock.recv()
            await sock.send(json.dumps({"type": "llm_request", "request_id": "b", "data": {"content": "go"}}))
            while True:
                f = json.loads(await sock.recv())
                now = time.perf_counter()
                if f["type"] != "llm_chunk":
                    continue
                part = f["data"]["part"]
                if part["type"] == "text-delta":
                    frames += 1
                    for stamp in part["text"].strip("<>").split("><"):
                        latencies.append((now - float(stamp)) * 1000)
                if f["data"]["is_final"]:
                    return latencies, frames

    try:
        lat, frames = asyncio.run(talk())
    finally:
        server.should_exit = True
    lat.sort()
    return {"deltas": len(lat), "frames": frames, "p50_ms": statistics.median(lat),
            "p95_ms": lat[int(0.95 * (len(lat) - 1))], "max_ms": lat[-1]}


def main() -> None:
    coalesced = run(0.025)
    raw = run(0.0)
    print(f"{DELTAS} text deltas at {1 / INTERVAL_S:.0f}/s through agent → stream → WebSocket (loopback)")
    for label, r in (("coalesced (25 ms / 2 KB)", coalesced), ("no coalescing", raw)):
        print(f"  {label:26s} frames {r['frames']:4d}  latency p50 {r['p50_ms']:6.2f} ms  "
              f"p95 {r['p95_ms']:6.2f} ms  max {r['max_ms']:6.2f} ms")
    ratio = raw["frames"] / max(1, coalesced["frames"])
    print(f"  coalescing sends {ratio:.1f}x fewer frames")
    for name, value, unit, target in (
        ("server_ws_chunk_latency_p50", coalesced["p50_ms"], "ms", "< 33 ms"),
        ("server_ws_chunk_latency_p95", coalesced["p95_ms"], "ms", "< 50 ms"),
        ("server_ws_chunk_latency_p50_uncoalesced", raw["p50_ms"], "ms", None),
        ("server_ws_frame_reduction", ratio, "x", "> 5x at 500 deltas/s"),
    ):
        print("BENCH " + json.dumps({"name": name, "value": round(value, 3), "unit": unit, "target": target}))


if __name__ == "__main__":
    main()
