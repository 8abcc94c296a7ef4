"""Parallel read tools: three independent 100 ms read tools in one model response.

The agent runs read-only calls concurrently between write barriers, so three 100 ms reads should
take ~100 ms, not 300 ms. Measured through the real loop (scripted provider, no network), for
async tools (I/O-bound) and for plain sync tools (run in worker threads). Baseline in the same
process: the same three calls with a write between each (writes are barriers → sequential).
Usage: .venv/bin/python bench/assistant_parallel_reads.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sequence_maker.assistant.agent import Assistant  # noqa: E402
from sequence_maker.assistant.eval import build_project  # noqa: E402
from sequence_maker.assistant.providers.events import Finish, TextDelta, ToolCallEnd, ToolCallStart  # noqa: E402
from sequence_maker.assistant.providers.scripted import ScriptedProvider  # noqa: E402
from sequence_maker.assistant.tools import Tool, ToolRegistry  # noqa: E402
from sequence_maker.assistant.tools.reads import NoArgs  # noqa: E402
from sequence_maker.history.editor import ProjectEditor  # noqa: E402

READ_S = 0.100
RUNS = 7


async def async_read(ctx, args):
    await asyncio.sleep(READ_S)
    return {"ok": True}


def sync_read(ctx, args):
    time.sleep(READ_S)
    return {"ok": True}


def noop_write(ctx, args):
    return {"done": "nothing"}


REGISTRY = ToolRegistry([Tool("read_async", "100 ms async read", NoArgs, async_read),
                         Tool("read_sync", "100 ms sync read", NoArgs, sync_read),
                         Tool("barrier", "a write", NoArgs, noop_write, "write")])


def turn(names: list[str]) -> list:
    events: list = []
    for i, n in enumerate(names):
        events += [ToolCallStart(f"c{i}", n, i), ToolCallEnd(f"c{i}", n, {}, "{}", index=i)]
    return [*events, Finish("tool_calls")]


async def tool_phase_s(names: list[str]) -> float:
    """Seconds from the first validated tool call to the last tool result."""
    editor = ProjectEditor(build_project({"duration_s": 30, "balls": 2}))
    provider = ScriptedProvider([turn(names), [TextDelta("ok"), Finish("stop")]])
    t0 = t1 = 0.0
    async for ev in Assistant(provider, registry=REGISTRY).run_turn(editor, [], "read three things"):
        if ev.type == "tool_call" and not t0:
            t0 = time.perf_counter()
        elif ev.type == "tool_result":
            t1 = time.perf_counter()
    return t1 - t0


async def median(names: list[str]) -> float:
    return statistics.median([await tool_phase_s(names) for _ in range(RUNS)])


def bench_line(name: str, value: float, unit: str, target: str | None) -> None:
    print("BENCH " + json.dumps({"name": name, "value": round(value, 2), "unit": unit, "target": target}))


async def main() -> None:
    await tool_phase_s(["read_async"])  # warm-up (imports, thread pool)
    par_async = await median(["read_async"] * 3)
    par_sync = await median(["read_sync"] * 3)
    serial = await median(["read_async", "barrier", "read_async", "barrier", "read_async"])
    print(f"three 100 ms reads, median of {RUNS} turns (tool phase of the loop):")
    print(f"  async tools, parallel      {par_async * 1000:7.1f} ms")
    print(f"  sync tools (threads)       {par_sync * 1000:7.1f} ms")
    print(f"  baseline: writes between   {serial * 1000:7.1f} ms  (sequential)")
    print(f"  speed-up vs sequential     {serial / par_async:7.2f}x")
    bench_line("assistant.parallel_reads_async_ms", par_async * 1000, "ms", "<= 110")
    bench_line("assistant.parallel_reads_sync_ms", par_sync * 1000, "ms", "<= 110")
    bench_line("assistant.parallel_reads_speedup", serial / par_async, "x", ">= 2.7")


if __name__ == "__main__":
    asyncio.run(main())
