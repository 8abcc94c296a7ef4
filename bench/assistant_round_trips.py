"""LLM round trips per single-intent edit (target ≤ 2: one tool call + the final answer).

Default: runs the shipped suite (evals/core.jsonl) through the real agent loop with the scripted
calls a correct model makes (evals/core.scripted.jsonl), and reports requests per case — this
measures the tool design (can one call do the edit?), not a model. ``--offline N`` also runs the
first N single-intent cases with the embedded offline model (slow on CPU; not run by default).
Usage: .venv/bin/python bench/assistant_round_trips.py [--offline N]
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

from sequence_maker.assistant.eval import (  # noqa: E402
    load_scripted_calls,
    load_suite,
    report,
    run_suite,
    scripted_provider_factory,
)

SUITE, SCRIPTED = ROOT / "evals/core.jsonl", ROOT / "evals/core.scripted.jsonl"


def bench_line(name: str, value: float, unit: str, target: str | None) -> None:
    print("BENCH " + json.dumps({"name": name, "value": round(value, 3), "unit": unit, "target": target}))


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--offline", type=int, default=0, help="also run N single-intent cases with the offline model")
    args = ap.parse_args()
    cases = load_suite(SUITE)
    scripted = load_scripted_calls(SCRIPTED)
    single = [c for c in cases if len(scripted[c["id"]]["steps"]) == 1]  # one intent = one batch of calls
    t0 = time.perf_counter()
    results = await run_suite(single, scripted_provider_factory(SCRIPTED))
    elapsed = time.perf_counter() - t0
    reqs = [r.llm_requests for r in results]
    rep = report(results)
    print(f"single-intent cases: {len(single)} of {len(cases)} (scripted = the calls a correct model makes)")
    print(f"  LLM requests per edit: max {max(reqs)}, mean {statistics.mean(reqs):.2f}; "
          f"passed {rep['passed']}/{rep['total']}; loop overhead {elapsed / len(single) * 1000:.1f} ms per case")
    bench_line("assistant.round_trips_single_intent_max", max(reqs), "requests", "<= 2")
    bench_line("assistant.round_trips_single_intent_mean", statistics.mean(reqs), "requests", "<= 2")
    if args.offline:
        from sequence_maker.assistant.providers.offline import OfflineProvider
        from sequence_maker.assistant.tools import default_registry

        provider = OfflineProvider(None, timeout_s=120.0)
        await provider.load(warmup_tools=default_registry().specs())

        class Shared:
            name, model, context_window = provider.name, provider.model, provider.n_ctx
            wrap_up_from_tools = provider.wrap_up_from_tools

            def stream(self, request):
                return provider.stream(request)

            async def aclose(self) -> None:
                return None

        subset = single[: args.offline]
        res = await run_suite(subset, lambda _c: Shared(),
                              on_result=lambda r: print(f"  {'PASS' if r.passed else 'FAIL'} {r.id} "
                                                        f"{r.llm_requests} req {r.seconds:.1f}s {r.failed_checks[:2]}"))
        await provider.aclose()
        off = [r.llm_requests for r in res]
        print(f"offline model {provider.model}: requests mean {statistics.mean(off):.2f}, max {max(off)}; "
              f"passed {sum(r.passed for r in res)}/{len(res)}")
        bench_line(f"assistant.round_trips_offline_mean[{provider.model}]", statistics.mean(off), "requests", "<= 2")


if __name__ == "__main__":
    asyncio.run(main())
