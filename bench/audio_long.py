"""Benchmark: a long file (default 20 min, 44.1 kHz stereo) analyses in bounded memory.

Prints wall time, real-time factor and the peak RSS of the analysing process, so the memory
growth per minute of audio can be compared with holding the decoded signal (~10.6 MB/min of
float32 stereo at 44.1 kHz). ``--minutes 60`` runs the hour-long case (takes a few minutes).
Run: .venv/bin/python bench/audio_long.py [--minutes N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CHILD = r"""
import json, resource, sys, time


def peak_rss_mb():
    # VmHWM belongs to this process image; ru_maxrss would include the parent's pages at fork
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


from sequence_maker.audio import analyze
updates = []
t = time.perf_counter()
a = analyze(sys.argv[1], cache=False, progress=lambda f, s: updates.append(f))
print(json.dumps({"analyze_s": time.perf_counter() - t, "rss_mb": peak_rss_mb(),
                  "tempo": a.tempo_bpm, "beats": len(a.beats), "updates": len(updates)}))
"""


def write_loop(path: Path, minutes: float, sr: int = 44100) -> None:
    """120 BPM kick/snare/hat loop with a chord pad, written bar by bar (never whole in memory)."""
    import soundfile as sf

    bar_n = 2 * sr
    t = np.arange(bar_n) / sr
    bar = 0.08 * np.sin(2 * np.pi * 220 * t) + 0.05 * np.sin(2 * np.pi * 277 * t)
    hit_t = np.arange(int(0.15 * sr)) / sr
    kick = 0.8 * np.sin(2 * np.pi * (50 + 80 * np.exp(-hit_t / 0.03)) * hit_t) * np.exp(-hit_t / 0.08)
    rng = np.random.default_rng(0)
    snare = 0.4 * rng.standard_normal(len(hit_t)) * np.exp(-hit_t / 0.04)
    for beat in range(4):
        i = beat * sr // 2
        bar[i : i + len(hit_t)] += kick if beat % 2 == 0 else snare
    stereo = np.stack([bar, 0.9 * bar], axis=1).astype(np.float32)
    with sf.SoundFile(str(path), "w", sr, 2, subtype="PCM_16") as f:
        for _ in range(int(minutes * 30)):
            f.write(stereo)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=20.0)
    minutes = ap.parse_args().minutes
    with tempfile.TemporaryDirectory(prefix="seqmaker-long-") as tmp:
        path = Path(tmp) / "long.wav"
        write_loop(path, minutes)
        env = dict(os.environ, SEQMAKER_CACHE_DIR=str(Path(tmp) / "cache"))
        wall = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)], env=env, check=True, capture_output=True, text=True
        )
        wall = time.perf_counter() - wall
        r = json.loads(out.stdout.strip().splitlines()[-1])
        decoded_mb = minutes * 60 * 44100 * 2 * 4 / 1e6
        print(f"{minutes:.0f} min 44.1 kHz stereo ({path.stat().st_size / 1e6:.0f} MB WAV): analysed in {r['analyze_s']:.1f} s "
              f"({minutes * 60 / r['analyze_s']:.0f}x real time), process wall {wall:.1f} s")  # fmt: skip
        print(f"tempo {r['tempo']:.2f} BPM (true 120), {r['beats']} beats, {r['updates']} progress updates")
        print(f"peak RSS {r['rss_mb']:.0f} MB vs {decoded_mb:.0f} MB to hold the decoded float32 signal")
        print(
            "BENCH "
            + json.dumps(
                {
                    "name": f"audio_long_{minutes:.0f}min_seconds",
                    "value": round(r["analyze_s"], 2),
                    "unit": "s",
                    "target": None,
                }
            )
        )
        print(
            "BENCH "
            + json.dumps(
                {
                    "name": f"audio_long_{minutes:.0f}min_peak_rss",
                    "value": round(r["rss_mb"], 1),
                    "unit": "MB",
                    "target": "<= 1536 MB",
                }
            )
        )


if __name__ == "__main__":
    main()
