"""Benchmark: analysis of a 4-minute 44.1 kHz stereo song (cold, cached, peak RSS).

Targets (issue 4): cold ≤ 15 s on the 2-core CI machine, cached ≤ 0.5 s, peak RSS ≤ 1.5 GB.
"Cold" is a fresh Python process with an empty result cache, so it includes importing
librosa/numba (the numba on-disk cache is assumed warm, as after the install-time warm-up).
Run: .venv/bin/python bench/audio_analysis.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time


def peak_rss_mb():
    # VmHWM belongs to this process image; ru_maxrss would include the parent's pages at fork
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


t0 = time.perf_counter()
from sequence_maker.audio import analyze
steps = []
t1 = time.perf_counter()
a = analyze(sys.argv[1], progress=lambda f, s: steps.append(s))
t2 = time.perf_counter()
b = analyze(sys.argv[1])
t3 = time.perf_counter()
print(json.dumps({
    "import_s": t1 - t0, "analyze_s": t2 - t1, "cached_s": t3 - t2,
    "rss_mb": peak_rss_mb(),
    "tempo": a.tempo_bpm, "beats": len(a.beats), "sections": len(a.sections), "stages": sorted(set(steps)),
}))
"""


def bench(name: str, value: float, unit: str, target: str | None) -> None:
    print("BENCH " + json.dumps({"name": name, "value": round(value, 4), "unit": unit, "target": target}))


def main() -> None:
    from sequence_maker.audio.synth import SongSpec, write_song

    with tempfile.TemporaryDirectory(prefix="seqmaker-bench-") as tmp:
        path = Path(tmp) / "four_minutes.wav"
        spec = SongSpec(
            tempo_bpm=120, plan="ABABCBABABCBABAB", bars_per_section=8, sample_rate=44100, stereo=True
        )
        t = time.perf_counter()
        truth = write_song(spec, path)
        print(f"rendered {truth.duration_s:.0f} s of 44.1 kHz stereo in {time.perf_counter() - t:.1f} s")
        env = dict(os.environ, SEQMAKER_CACHE_DIR=str(Path(tmp) / "cache"))
        # warm-up run in its own process (numba cache), as the installer does
        subprocess.run(
            [sys.executable, "-m", "sequence_maker.audio.warmup"], env=env, check=True, capture_output=True
        )
        wall = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)], env=env, check=True, capture_output=True, text=True
        )
        wall = time.perf_counter() - wall
        r = json.loads(out.stdout.strip().splitlines()[-1])
        cold = r["import_s"] + r["analyze_s"]
        print(f"song: {truth.duration_s:.1f} s, true tempo {truth.tempo_bpm:.1f} BPM -> found {r['tempo']:.2f} BPM, "
              f"{r['beats']} beats, {r['sections']} sections")  # fmt: skip
        print(
            f"cold analysis (fresh process, import + analyze): {cold:.2f} s  (import {r['import_s']:.2f} s)"
        )
        print(f"  = {truth.duration_s / cold:.0f}x real time")
        print(
            f"cached re-open: {r['cached_s'] * 1000:.0f} ms  ({cold / max(r['cached_s'], 1e-9):.0f}x faster than cold)"
        )
        print(f"peak RSS of the analysing process: {r['rss_mb']:.0f} MB")
        print(f"(whole child process wall time {wall:.2f} s)")
        bench("audio_cold_analysis_4min", cold, "s", "<= 15 s")
        bench("audio_cached_open_4min", r["cached_s"], "s", "<= 0.5 s")
        bench("audio_peak_rss_4min", r["rss_mb"], "MB", "<= 1536 MB")
        bench("audio_realtime_factor", truth.duration_s / cold, "x", None)


if __name__ == "__main__":
    main()
