"""Encode throughput of the LTX .prg writer: 1,000 and 10,000 segments, solids and fades mixed.

Run: .venv/bin/python bench/formats_encode.py
Reports segments/s for (a) building records from tick segments + encoding (what export does) and
(b) encoding ready-made records, plus decode and decode+classify (what import does); the 10k/1k per-segment ratio shows linearity.
"""

from __future__ import annotations

import json
import random
import time

from sequence_maker.formats.hardware import timeline_to_program
from sequence_maker.formats.prg import decode, encode
from sequence_maker.formats.timeline import TickSegment, TickTimeline
from sequence_maker.formats.to_project import program_to_timeline


def make_timeline(n: int, seed: int = 7) -> TickTimeline:
    rnd = random.Random(seed)
    segs, t = [], 0
    for i in range(n):
        d = rnd.randint(10, 400)
        c = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        end = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)) if i % 2 else None
        segs.append(TickSegment(t, t + d, c, end, 4))
        t += d
    return TickTimeline(100, 4, t, segs)


def best_of(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench(name: str, value: float, unit: str, target: str | None = None) -> None:
    print("BENCH " + json.dumps({"name": name, "value": round(value, 1), "unit": unit, "target": target}))


def main() -> None:
    per_seg: dict[int, float] = {}
    for n in (1_000, 10_000):
        tl = make_timeline(n)
        repeats = 15 if n <= 1_000 else 3
        full = best_of(lambda tl=tl: encode(timeline_to_program(tl)[0]), repeats)
        program, _ = timeline_to_program(tl)
        enc = best_of(lambda p=program: encode(p), repeats)
        data = encode(program)
        dec = best_of(lambda d=data: decode(d), repeats)
        imp = best_of(lambda d=data: program_to_timeline(decode(d)), 1)
        per_seg[n] = full / n
        print(f"{n:>6} segments ({len(data) / 1e6:.2f} MB, {program.entry_total} RGB entries): "
              f"build+encode {full * 1e3:7.1f} ms = {n / full:>9,.0f} seg/s | "
              f"encode only {enc * 1e3:6.1f} ms = {n / enc:>10,.0f} seg/s | decode {dec * 1e3:6.1f} ms | "
              f"decode+classify (import) {imp * 1e3:6.1f} ms")
        bench(f"formats.encode.build_and_encode_{n}_segments", n / full, "segments/s",
              ">= 10000 segments/s (a 10k-segment ball exports in about a second)")
        bench(f"formats.encode.encode_only_{n}_segments", n / enc, "segments/s", None)
        bench(f"formats.encode.decode_{n}_segments", n / dec, "segments/s", None)
        bench(f"formats.encode.import_{n}_segments", n / imp, "segments/s", None)
    ratio = per_seg[10_000] / per_seg[1_000]
    print(f"per-segment cost 10k vs 1k: {ratio:.2f}x (1.0 = perfectly linear)")
    bench("formats.encode.per_segment_cost_ratio_10k_vs_1k", ratio, "x", "<= 1.5 (linear)")


if __name__ == "__main__":
    main()
