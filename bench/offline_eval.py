"""Offline assistant quality and latency: the real agent loop + embedded model on an eval suite.

Runs every case of a suite (default: the shipped assistant suite if present, else the offline mini
suite in tests/offline/data) through ``Assistant.run_turn`` with ONE loaded model, and prints pass
rate, time per case and time per model request. Usage:

    .venv/bin/python bench/offline_eval.py [--model 1.5b|0.5b|path.gguf] [--suite file.jsonl] [--limit N] [--show-calls]

A failing case prints the tool calls the model made under it; ``--show-calls`` prints them for all.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sequence_maker.assistant.eval import load_suite, run_suite  # noqa: E402
from sequence_maker.assistant.providers.base import RequestMetrics  # noqa: E402
from sequence_maker.assistant.providers.offline import OfflineProvider  # noqa: E402

SHIPPED = [ROOT / "sequence_maker/assistant/evals/default.jsonl", ROOT / "sequence_maker/assistant/eval_suite.jsonl"]
MINI = ROOT / "tests/offline/data/mini_suite.jsonl"


class KeepLoaded:
    """Shares one loaded model across cases: run_suite closes its provider after every case."""

    def __init__(self, inner: OfflineProvider) -> None:
        self.inner = inner
        self.name, self.model = inner.name, inner.model
        self.context_window = inner.n_ctx
        self.wrap_up_from_tools = inner.wrap_up_from_tools  # the agent reads it off the provider it gets

    def stream(self, request):
        return self.inner.stream(request)

    async def aclose(self) -> None:
        return None


class Collect:
    def __init__(self) -> None:
        self.records: list[RequestMetrics] = []

    def record(self, metrics: RequestMetrics) -> None:
        self.records.append(metrics)


def default_suite() -> Path:
    return next((p for p in SHIPPED if p.is_file()), MINI)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None)
    ap.add_argument("--suite", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--flash-attention", choices=["on", "off", "auto"], default="off")
    ap.add_argument("--show-calls", action="store_true",
                    help="print the tool calls of every case (failing cases always show them)")
    args = ap.parse_args()
    suite = args.suite or default_suite()
    cases = load_suite(suite)[: args.limit or None]
    sink = Collect()
    fa = {"on": True, "off": False, "auto": None}[args.flash_attention]
    provider = OfflineProvider(args.model, timeout_s=args.timeout, metrics_sink=sink, flash_attention=fa)
    t0 = time.perf_counter()
    from sequence_maker.assistant.prompts import fixed_system_text
    from sequence_maker.assistant.tools import default_registry

    # what the studio does at start-up: the tool prefix and the assistant's fixed rules
    await provider.load(warmup_tools=default_registry().specs(), warmup_system=fixed_system_text())
    load_s = time.perf_counter() - t0
    print(f"model {provider.model} loaded + warmed in {load_s:.1f} s; suite {suite.name}: {len(cases)} cases")

    seen = [0]

    def show(res) -> None:
        mark = "PASS" if res.passed else "FAIL"
        print(f"  {mark} {res.id:<28} {res.seconds:6.2f} s  {res.llm_requests} req  {'; '.join(res.failed_checks)[:150]}")
        if args.show_calls:
            for m in sink.records[seen[0]:]:
                print(f"      · {m.duration_s:5.2f} s  prompt {m.input_tokens - m.cached_input_tokens} new "
                      f"+ {m.cached_input_tokens} cached, {m.output_tokens} generated")
        seen[0] = len(sink.records)
        if args.show_calls or not res.passed:
            for call in res.calls or ["(no tool calls)"]:
                print(f"      → {call}")

    shared = KeepLoaded(provider)
    results = await run_suite(cases, lambda case: shared, on_result=show)
    await provider.aclose()
    passed = sum(r.passed for r in results)
    per_case = [r.seconds for r in results]
    per_req = [m.duration_s for m in sink.records if m.error is None]
    rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"\npassed {passed}/{len(results)} ({100 * passed / len(results):.0f} %)")
    print(f"time per case: mean {statistics.mean(per_case):.2f} s, median {statistics.median(per_case):.2f} s")
    if per_req:
        print(f"time per model request: mean {statistics.mean(per_req):.2f} s, median {statistics.median(per_req):.2f} s, "
              f"n={len(per_req)}; errors {sum(m.error is not None for m in sink.records)}")
    print(f"peak RSS {rss_gb:.2f} GB; load+warm-up {load_s:.1f} s")
    for name, value, unit, target in [
        ("offline_eval_pass_rate", 100 * passed / len(results), "%", ">= 80"),
        ("offline_eval_mean_s_per_request", statistics.mean(per_req) if per_req else float("nan"), "s", "<= 3"),
        ("offline_eval_mean_s_per_case", statistics.mean(per_case), "s", None),
        ("offline_load_warm_s", load_s, "s", None),
        ("offline_peak_rss", rss_gb, "GB", None),
    ]:
        print("BENCH " + json.dumps({"name": f"{name}[{provider.model}]", "value": round(value, 3), "unit": unit, "target": target}))


if __name__ == "__main__":
    asyncio.run(main())
