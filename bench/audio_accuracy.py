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
    for name, value in summary(scores).items():
        target = TARGETS.get(name)
        tgt = None if target is None else (f">= {target}" if name != "beat_f_min" else f">= {target}")
        print(
            "BENCH "
            + json.dumps({"name": f"audio_{name}", "value": round(value, 4), "unit": "ratio", "target": tgt})
        )


if __name__ == "__main__":
    main()
