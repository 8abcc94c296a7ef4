"""Offline assistant in a conversation: what each follow-up edit costs as the chat grows.

The eval suite measures single requests on fresh projects; in the studio a user makes edit after
edit in one chat, and every edit changes the project. This runs one conversation of edits on one
project with the embedded model and prints, per model request, the new (re-evaluated) and cached
prompt tokens and the time, so a prompt layout that re-reads history shows up as a growing
"new" column. Usage:

    .venv/bin/python bench/offline_conversation.py [--model 1.5b|0.5b|path.gguf] [--turns N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sequence_maker.assistant.agent import Assistant  # noqa: E402
from sequence_maker.assistant.eval import build_project, load_suite  # noqa: E402
from sequence_maker.assistant.providers.base import RequestMetrics  # noqa: E402
from sequence_maker.assistant.providers.offline import OfflineProvider  # noqa: E402
from sequence_maker.assistant.turn_events import ToolCallEvent, TurnEndEvent  # noqa: E402
from sequence_maker.history.editor import ProjectEditor  # noqa: E402

EDITS = [
    "Make ball 1 blue for 2.5 seconds starting at 0:30",
    "Turn all balls green for the last 10 seconds",
    "Make ball 2 purple in bar 5",
    "Fade the outro from blue to red on all balls",
    "Make the intro orange on every ball",
    "Flash ball 3 yellow on the first 8 beats",
]


class Collect:
    def __init__(self) -> None:
        self.records: list[RequestMetrics] = []

    def record(self, metrics: RequestMetrics) -> None:
        self.records.append(metrics)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--turns", type=int, default=len(EDITS))
    args = ap.parse_args()
    setup = load_suite(ROOT / "evals/core.jsonl")[0]["setup"]
    sink = Collect()
    provider = OfflineProvider(args.model, metrics_sink=sink)
    from sequence_maker.assistant.preload import preload

    t0 = time.perf_counter()
    await preload(provider)
    print(f"model {provider.model} loaded + warmed in {time.perf_counter() - t0:.1f} s")
    editor = ProjectEditor(build_project(setup, "conversation"))
    assistant = Assistant(provider)
    history: list = []
    per_turn: list[float] = []
    for n, text in enumerate(EDITS[: args.turns], 1):
        seen = len(sink.records)
        started = time.perf_counter()
        calls = []
        async for ev in assistant.run_turn(editor, history, text):
            if isinstance(ev, ToolCallEvent):
                calls.append(f"{ev.name} {json.dumps(ev.arguments)}")
            elif isinstance(ev, TurnEndEvent):
                pass
        per_turn.append(time.perf_counter() - started)
        print(f"turn {n}: {per_turn[-1]:5.2f} s  {text!r}")
        for m in sink.records[seen:]:
            print(f"    · {m.duration_s:5.2f} s  prompt {m.input_tokens - m.cached_input_tokens} new "
                  f"+ {m.cached_input_tokens} cached, {m.output_tokens} generated")
        for c in calls:
            print(f"    → {c}")
    await provider.aclose()
    later = per_turn[1:] or per_turn
    new_tokens = [m.input_tokens - m.cached_input_tokens for m in sink.records[1:]]
    print(f"\nfollow-up turns: mean {statistics.mean(later):.2f} s; new prompt tokens per follow-up request: "
          f"mean {statistics.mean(new_tokens) if new_tokens else 0:.0f}")
    print("BENCH " + json.dumps({"name": f"offline_followup_turn_s[{provider.model}]",
                                 "value": round(statistics.mean(later), 3), "unit": "s", "target": None}))
    print("BENCH " + json.dumps({"name": f"offline_followup_new_prompt_tokens[{provider.model}]",
                                 "value": round(statistics.mean(new_tokens) if new_tokens else 0, 1),
                                 "unit": "tokens", "target": None}))


if __name__ == "__main__":
    asyncio.run(main())
