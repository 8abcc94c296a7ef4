"""Soak: random edits, undo/redo, checkpoints, autosave and save for minutes; memory must stay flat.

A 4-ball, ~2,000-segment project is edited the way a long session does (paint, erase, modify,
move, delete, grouped drags, undo/redo bursts, auto checkpoint + restore) after an untimed warm-up
that fills the undo history and the auto checkpoints to their caps (the steady state of a long
session). It is autosaved every 5 s and saved every 10 s; every 3rd save is reopened and compared
with the live project. Memory is sampled each second — live Python memory (tracemalloc, exact)
and RSS (after gc + malloc_trim) — and a line is fitted: the slope must be ~0.

    .venv/bin/python bench/soak_edits.py [--minutes 10]
Duration: ``--minutes``, else env ``SEQMAKER_SOAK_MINUTES``, else 10. ``bench/run_all.py`` sets
``SEQMAKER_SOAK_MINUTES=1`` unless it is already set, so the whole bench run stays short.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

from sequence_maker.model import ModelError, Pulse, fade, solid
from sequence_maker.storage import ProjectDocument

BALLS = 4
DURATION_MS = 300_000
AUTOSAVE_EVERY_S = 5.0
SAVE_EVERY_S = 10.0
CHECKPOINT_EVERY = 100  # ops; auto checkpoints (as an assistant turn makes) are capped by the history
SAMPLE_EVERY_S = 1.0


def bench(name: str, value: float, unit: str, target: str | None = None) -> None:
    print("BENCH " + json.dumps({"name": name, "value": round(value, 4), "unit": unit, "target": target}))


def _trim() -> None:
    """Give freed heap back to the OS (glibc), so RSS shows live memory, not allocator slack."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def traced_mb() -> float:
    """Live Python memory (tracemalloc, started before the project was built): exact, unlike RSS."""
    return tracemalloc.get_traced_memory()[0] / 2**20


def rss_mb() -> float:
    gc.collect()
    _trim()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def slope_per_min(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value) samples, per minute."""
    n = len(samples)
    if n < 3:
        return float("nan")
    mt = sum(t for t, _ in samples) / n
    mv = sum(v for _, v in samples) / n
    var = sum((t - mt) ** 2 for t, _ in samples)
    return 60 * sum((t - mt) * (v - mv) for t, v in samples) / var if var else float("nan")


def start_document(folder: Path) -> ProjectDocument:
    doc = ProjectDocument.new("Soak", balls=BALLS, duration_ms=DURATION_MS, path=folder / "soak.smproj")
    rng = random.Random(7)
    for b in range(BALLS):
        segs = []
        for i in range(500):
            t = i * 600
            segs.append(solid(t, t + 500, (rng.randrange(256), rng.randrange(256), b * 60)))
        doc.editor.set_segments(b, segs)
    doc.save()
    return doc


def random_op(doc: ProjectDocument, rng: random.Random) -> str:
    ed = doc.editor
    b = rng.randrange(BALLS)
    t = rng.randrange(0, DURATION_MS - 2000)
    kind = rng.choices(["paint", "fade", "erase", "modify", "move", "delete", "drag", "undo", "redo", "effect"],
                       weights=[20, 8, 8, 10, 8, 6, 4, 8, 5, 4])[0]
    if kind == "paint":
        ed.paint(b, solid(t, t + rng.randrange(10, 1500), (rng.randrange(256), 0, 255)))
    elif kind == "fade":
        ed.paint(b, fade(t, t + rng.randrange(100, 3000), "red", "blue", pixels=rng.randrange(1, 5)))
    elif kind == "effect":
        ed.paint(b, solid(t, t + 1000, "white", effect=Pulse(rng.choice([1, 2, 4]), 0.5)))
    elif kind == "erase":
        ed.erase(b, t, t + rng.randrange(10, 2000))
    elif kind == "modify":
        seg = doc.project.balls[b].segment_at(t)
        if seg is not None:
            ed.modify_segment(b, seg.start_ms, color=(rng.randrange(256), 255, 0))
    elif kind == "move":
        seg = doc.project.balls[b].segment_at(t)
        if seg is not None:
            ed.move_segment(b, seg.start_ms, max(0, min(DURATION_MS - seg.duration_ms, seg.start_ms + rng.randrange(-500, 500))),
                            to_ball=rng.randrange(BALLS))
    elif kind == "delete":
        seg = doc.project.balls[b].segment_at(t)
        if seg is not None:
            ed.delete_segment(b, seg.start_ms)
    elif kind == "drag":  # a drag = many small moves in one undo group
        with ed.group("Drag"):
            for k in range(10):
                ed.paint(b, solid(t + k * 50, t + k * 50 + 400, "green"))
    elif kind == "undo" and doc.history.can_undo():
        for _ in range(rng.randrange(1, 4)):
            if doc.history.can_undo():
                ed.undo()
    elif kind == "redo" and doc.history.can_redo():
        for _ in range(rng.randrange(1, 4)):
            if doc.history.can_redo():
                ed.redo()
    return kind


def step(doc: ProjectDocument, rng: random.Random, ops: int) -> bool:
    """One random operation (plus a checkpoint every CHECKPOINT_EVERY); False if the model refused it."""
    try:
        random_op(doc, rng)
    except ModelError:
        return False
    if ops % CHECKPOINT_EVERY == 0:
        cp = doc.editor.checkpoint(f"soak {ops}", auto=True)
        if rng.random() < 0.3:
            doc.editor.restore_checkpoint(cp.id)
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=float(os.environ.get("SEQMAKER_SOAK_MINUTES", "10")))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    tracemalloc.start(1)  # before anything is built, so every live object is traced (slower, exact)
    folder = Path(tempfile.mkdtemp(prefix="seqmaker-soak-"))
    os.environ.setdefault("SEQMAKER_HOME", str(folder / "home"))
    doc = start_document(folder)
    rng = random.Random(args.seed)
    history = doc.history
    # warm-up (untimed): fill the undo history and the auto checkpoints to their caps, so what is
    # measured is the steady state a long session lives in, not the history filling up
    ops = 0
    w0 = time.monotonic()
    while len(history.undo_stack) < history.max_steps or ops < CHECKPOINT_EVERY * history.max_auto_checkpoints:
        ops += 1
        step(doc, rng, ops)
    doc.save()
    print(f"warm-up: {ops} ops in {time.monotonic() - w0:.1f} s filled the history to {len(history.undo_stack)} "
          f"steps and the auto checkpoints to their cap; file {doc.path.stat().st_size / 1024:.0f} KB", flush=True)
    rejected = saves = autosaves = checks = mismatches = 0
    samples: list[tuple[float, float, float]] = []
    t0 = last_sample = last_save = last_autosave = time.monotonic()
    end = t0 + args.minutes * 60
    save_secs: list[float] = []
    gc.collect()
    samples.append((0.0, rss_mb(), traced_mb()))
    print(f"soak for {args.minutes:g} min: random edits + undo/redo + auto checkpoints, autosave every "
          f"{AUTOSAVE_EVERY_S:g} s, save every {SAVE_EVERY_S:g} s (every 3rd reopened and compared)", flush=True)
    timed_ops = 0
    while (now := time.monotonic()) < end:
        ops += 1
        timed_ops += 1
        rejected += not step(doc, rng, ops)
        if now - last_autosave >= AUTOSAVE_EVERY_S:
            doc.autosave()
            autosaves += 1
            last_autosave = time.monotonic()
        if now - last_save >= SAVE_EVERY_S:
            s0 = time.monotonic()
            doc.save()
            save_secs.append(time.monotonic() - s0)
            saves += 1
            last_save = time.monotonic()
            if saves % 3 == 0:
                back = ProjectDocument.open(doc.path)
                checks += 1
                mismatches += back.project.snapshot() != doc.project.snapshot()
                del back  # a second full document (project + 1000-step history) would look like a leak
        if now - last_sample >= SAMPLE_EVERY_S:
            gc.collect()
            samples.append((now - t0, rss_mb(), traced_mb()))
            last_sample = time.monotonic()
            if len(samples) % 10 == 0:
                print(f"  {now - t0:5.0f} s  {timed_ops:8d} ops  RSS {samples[-1][1]:6.1f} MB  "
                      f"traced {samples[-1][2]:5.1f} MB  segments {doc.project.segment_count()}  "
                      f"history {len(history.undo_stack)}+{len(history.redo_stack)} steps", flush=True)
    secs = time.monotonic() - t0
    gc.collect()
    samples.append((secs, rss_mb(), traced_mb()))
    rss_slope = slope_per_min([(t, r) for t, r, _ in samples])
    traced_slope = slope_per_min([(t, b) for t, _, b in samples])
    print(f"{timed_ops} ops in {secs:.0f} s ({timed_ops / secs:.0f}/s), {rejected} refused by the model "
          f"(ModelError), {autosaves} autosaves, {saves} saves (mean {1000 * sum(save_secs) / max(1, saves):.0f} ms), "
          f"{checks} reopen checks, {mismatches} mismatches")
    print(f"RSS: start {samples[0][1]:.1f} MB, end {samples[-1][1]:.1f} MB, max {max(r for _, r, _ in samples):.1f} MB;"
          f" slope {rss_slope:+.2f} MB/min")
    print(f"live Python memory (tracemalloc): start {samples[0][2]:.1f} MB, end {samples[-1][2]:.1f} MB; "
          f"slope {traced_slope:+.3f} MB/min")
    print(f"history at the end: {len(history.undo_stack)} undo steps (cap {history.max_steps}), "
          f"file {doc.path.stat().st_size / 1024:.0f} KB")
    bench("soak_edits_minutes", secs / 60, "min", None)
    bench("soak_edits_ops_per_s", timed_ops / secs, "ops/s", None)
    bench("soak_edits_live_memory_slope", traced_slope, "MB/min", "flat: |slope| < 0.1 MB/min")
    bench("soak_edits_rss_slope", rss_slope, "MB/min", None)
    bench("soak_edits_rss_max", max(r for _, r, _ in samples), "MB", None)
    bench("soak_edits_save_ms_under_tracemalloc", 1000 * sum(save_secs) / max(1, saves), "ms", None)
    bench("soak_edits_reopen_mismatches", mismatches, "saves", "0")
    return 0 if mismatches == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
