"""Accuracy table of the synthetic suite (same renders the tests assert on), with BENCH lines.

Run: .venv/bin/python bench/audio_accuracy.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "audio"))

from audio_accuracy_suite import TARGETS, run_suite, summary, table  # noqa: E402


def main() -> None:
    t0 = time.perf_counter()
    scores = run_suite()
    elapsed = time.perf_counter() - t0
    print(table(scores))
    audio_s = sum(s.duration_s for s in scores)
    print(f"{len(scores)} renders, {audio_s:.0f} s of audio, rendered + analysed in {elapsed:.1f} s")
    targets = {**{k: f">= {v}" for k, v in TARGETS.items()}, "boundaries_on_downbeats_share": ">= 1.0"}
    for name, value in summary(scores).items():
        unit = "%" if name.endswith("_pct_mean") else "ms" if "_ms_" in name else "ratio"
        line = {"name": f"audio_{name}", "value": round(value, 4), "unit": unit, "target": targets.get(name)}
        print("BENCH " + json.dumps(line))


if __name__ == "__main__":
    main()
