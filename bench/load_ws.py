"""Load: N concurrent WebSocket chat sessions, each streaming a reply from a fake OpenAI server.

Three processes, all on loopback: the studio (real uvicorn + real agent loop + real OpenAI adapter),
a fake provider (tests/fakes SSE server) whose deltas carry their send time and index, and this
script's asyncio clients (one WebSocket per project). Measures the chunk latency (provider send →
browser receive, incl. the server's 25 ms coalescing), messages lost or duplicated (must be 0) and
the studio's resident memory. A 1-session run first gives the baseline the N-session run is
compared with.

    .venv/bin/python bench/load_ws.py [--sessions 100] [--deltas 40] [--interval 0.025]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAMP = re.compile(r"<(\d+):([0-9.]+)>")
KEY_ENVS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_OPENAI_API_KEY", "SEQMAKER_PROVIDER",
            "SEQMAKER_DATABASE_URL")


def bench(name: str, value: float, unit: str, target: str | None = None) -> None:
    print("BENCH " + json.dumps({"name": name, "value": round(value, 3), "unit": unit, "target": target}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- child process: the fake provider ---------------------------------------------------------
def serve_fake(port_file: str, deltas: int, interval: float) -> None:
    """Stream ``deltas`` chunks per request, each stamped when it is sent: ``<index:monotonic>``."""
    sys.path.insert(0, str(ROOT))
    from tests.fakes.openai_server import FakeOpenAIServer
    from tests.fakes.sse_server import Reply

    def chunk(delta: dict | None, finish: str | None = None, usage: dict | None = None) -> bytes:
        data = {"id": "chatcmpl-load", "object": "chat.completion.chunk", "created": 1, "model": "fake-model",
                "choices": [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}],
                "usage": usage}
        return f"data: {json.dumps(data)}\n\n".encode()

    class Stamped:
        """Events made while streaming, so each stamp is the moment its chunk leaves the server."""

        def __iter__(self):
            yield chunk({"role": "assistant", "content": ""})
            for k in range(deltas):
                time.sleep(interval)
                yield chunk({"content": f"<{k}:{time.monotonic():.6f}>"})
            yield chunk({}, "stop")
            yield chunk(None, usage={"prompt_tokens": 10, "completion_tokens": deltas, "total_tokens": 10 + deltas})
            yield b"data: [DONE]\n\n"

    server = FakeOpenAIServer(lambda n, req: Reply(events=Stamped()))  # type: ignore[arg-type]
    server.start()
    Path(port_file).write_text(str(server.port))
    while True:
        time.sleep(3600)


# --- child process: the studio ----------------------------------------------------------------
def serve_studio(port: int, data_dir: str) -> None:
    import uvicorn

    import sequence_maker.assistant.config as config
    from sequence_maker.server.app import create_app

    # measure the server, not the embedded model: with nothing configured the studio would load it
    # (~2 GB, ~20 s on 2 cores) while we chat through the fake provider
    config.offline_available = lambda: False
    from sequence_maker.server.settings import ServerSettings

    settings = ServerSettings(port=port, data_dir=Path(data_dir), workspace=Path(data_dir) / "ws",
                              probe_local_servers=False, use_keyring=False, save_delay_s=1.0)
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning", ws_max_queue=256)


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process in MB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        fields[k] = v.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


# --- the clients --------------------------------------------------------------------------------
@dataclass
class Session:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)
    frames: int = 0
    error: str | None = None
    first_delta_s: float | None = None  # request sent → first text delta received


async def chat(port: int, s: Session, deltas: int) -> None:
    import websockets

    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws?project={s.name}", max_size=None) as sock:
            await sock.recv()  # status
            await sock.send(json.dumps({"type": "llm_request", "request_id": s.name, "data": {"content": "go"}}))
            sent = time.monotonic()
            async with asyncio.timeout(120):
                while True:
                    f = json.loads(await sock.recv())
                    now = time.monotonic()
                    if f["type"] != "llm_chunk" or f["request_id"] != s.name:
                        continue
                    s.frames += 1
                    part = f["data"]["part"]
                    if part["type"] == "text-delta":
                        if s.first_delta_s is None:
                            s.first_delta_s = now - sent
                        for k, stamp in STAMP.findall(part["text"]):
                            s.indices.append(int(k))
                            s.latencies_ms.append((now - float(stamp)) * 1000)
                    elif part["type"] == "error":
                        s.error = part.get("message")
                    if f["data"]["is_final"]:
                        return
    except Exception as e:  # a lost session is a result, not a crash of the bench
        s.error = f"{type(e).__name__}: {e}"


async def run_round(port: int, names: list[str], deltas: int) -> tuple[list[Session], float]:
    sessions = [Session(n) for n in names]
    t0 = time.monotonic()
    await asyncio.gather(*(chat(port, s, deltas) for s in sessions))
    return sessions, time.monotonic() - t0


def summarise(sessions: list[Session], deltas: int) -> dict[str, float]:
    lat = sorted(x for s in sessions for x in s.latencies_ms)
    lost = sum(len(set(range(deltas)) - set(s.indices)) for s in sessions)
    dup = sum(len(s.indices) - len(set(s.indices)) for s in sessions)
    disorder = sum(s.indices != sorted(s.indices) for s in sessions)
    firsts = sorted(s.first_delta_s for s in sessions if s.first_delta_s is not None)
    return {"first_p50": statistics.median(firsts) if firsts else float("nan"),
            "first_max": firsts[-1] if firsts else float("nan"),
            "p50": statistics.median(lat) if lat else float("nan"),
            "p99": lat[int(0.99 * (len(lat) - 1))] if lat else float("nan"),
            "max": lat[-1] if lat else float("nan"), "lost": lost, "dup": dup, "disorder": disorder,
            "errors": sum(s.error is not None for s in sessions), "frames": sum(s.frames for s in sessions)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=100)
    ap.add_argument("--deltas", type=int, default=40)
    ap.add_argument("--interval", type=float, default=0.025, help="seconds between a session's deltas")
    ap.add_argument("--serve-fake", nargs=1, help=argparse.SUPPRESS)
    ap.add_argument("--serve-studio", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_fake:
        serve_fake(args.serve_fake[0], args.deltas, args.interval)
        return 0
    if args.serve_studio:
        serve_studio(int(args.serve_studio[0]), args.serve_studio[1])
        return 0

    import httpx

    tmp = Path(tempfile.mkdtemp(prefix="seqmaker-load-"))
    env = {k: v for k, v in os.environ.items() if k not in KEY_ENVS}
    env.update(SEQMAKER_HOME=str(tmp / "home"), SEQMAKER_CONFIG_DIR=str(tmp / "config"))
    port_file = tmp / "fake.port"
    me = [sys.executable, str(Path(__file__).resolve())]
    fake = subprocess.Popen([*me, "--serve-fake", str(port_file), "--deltas", str(args.deltas),
                             "--interval", str(args.interval)], env=env, cwd=ROOT)
    port = free_port()
    studio = subprocess.Popen([*me, "--serve-studio", str(port), str(tmp / "data")], env=env, cwd=ROOT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/health").status_code == 200 and port_file.exists():
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the studio or the fake provider did not start")
            time.sleep(0.1)
        fake_port = int(port_file.read_text())
        names = [f"P{i:03d}" for i in range(args.sessions)]
        with httpx.Client(base_url=base, timeout=30) as http:
            for n in ["Baseline", *names]:
                assert http.post("/api/projects", json={"name": n, "balls": 1}).status_code == 201
            profile = {"provider": "openai_compatible", "model": "fake-model", "base_url": f"http://127.0.0.1:{fake_port}/v1",
                       "total_budget_s": 120}
            assert http.put("/api/profiles/fake", json=profile).status_code == 200
            assert http.post("/api/profiles/fake/activate").status_code == 200
            while http.get("/api/status").json()["assistant"]["state"] != "ready":
                time.sleep(0.05)
        rss_idle, _ = rss_mb(studio.pid)
        asyncio.run(run_round(port, ["Baseline"], args.deltas))  # warm-up: imports, SDK client, first prompt
        base_sessions, base_secs = asyncio.run(run_round(port, ["Baseline"], args.deltas))
        one = summarise(base_sessions, args.deltas)
        sessions, secs = asyncio.run(run_round(port, names, args.deltas))
        many = summarise(sessions, args.deltas)
        rss_now, rss_peak = rss_mb(studio.pid)
    finally:
        for p in (studio, fake):
            p.terminate()
        for p in (studio, fake):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()

    total = args.sessions * args.deltas
    print(f"{args.sessions} concurrent chat sessions × {args.deltas} deltas every {args.interval * 1000:.0f} ms "
          f"(fake OpenAI SSE → adapter → agent → coalescer → WebSocket), {os.cpu_count()} cores")
    print(f"  baseline 1 session : latency p50 {one['p50']:7.1f} ms  p99 {one['p99']:7.1f} ms  ({base_secs:.1f} s)")
    print(f"  {args.sessions:3d} sessions       : latency p50 {many['p50']:7.1f} ms  p99 {many['p99']:7.1f} ms  "
          f"max {many['max']:7.1f} ms  ({secs:.1f} s, {many['frames']} frames)")
    print(f"  first delta after: 1 session {one['first_p50']:.2f} s; {args.sessions} sessions p50 "
          f"{many['first_p50']:.2f} s, max {many['first_max']:.2f} s")
    print(f"  p50 ratio {many['p50'] / one['p50']:.2f}x the 1-session baseline")
    print(f"  messages lost {many['lost']} of {total}, duplicated {many['dup']}, sessions out of order "
          f"{many['disorder']}, sessions with errors {many['errors']}")
    for s in sessions:
        if s.error:
            print(f"    {s.name}: {s.error}")
            break
    print(f"  studio RSS: idle {rss_idle:.0f} MB, after {rss_now:.0f} MB, peak {rss_peak:.0f} MB")
    bench("load_ws_sessions", args.sessions, "sessions", None)
    bench("load_ws_chunk_latency_p50", many["p50"], "ms", "< 100 ms at 100 sessions")
    bench("load_ws_chunk_latency_p99", many["p99"], "ms", "< 500 ms at 100 sessions")
    bench("load_ws_latency_p50_vs_1_session", many["p50"] / one["p50"], "x", None)
    bench("load_ws_messages_lost", many["lost"] + many["dup"], "deltas", "0")
    bench("load_ws_session_errors", many["errors"], "sessions", "0")
    bench("load_ws_server_rss_peak", rss_peak, "MB", None)
    return 0 if many["lost"] == many["dup"] == many["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
