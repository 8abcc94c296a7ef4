"""History memory per step and edit throughput on a 10,000-segment project.

Run: .venv/bin/python bench/history_memory.py
Target (issue 2): a 1-segment edit in a 10,000-segment project costs ≤ 1 KB of history.
Baseline in the same process: a snapshot-per-step history (deep copy of every segment), which
is what "memory proportional to the project" would cost.
"""

from __future__ import annotations

import copy
import gc
import json
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

from sequence_maker.history import ProjectEditor
from sequence_maker.model import Ball, Project, solid
from sequence_maker.storage import ProjectDocument

SEGMENTS = 10_000
BALLS = 4
EDITS = 1_000


def bench(name: str, value: float, unit: str, target: str | None = None) -> None:
    print("BENCH " + json.dumps({"name": name, "value": round(value, 3), "unit": unit, "target": target}))


def big_project() -> Project:
    per = SEGMENTS // BALLS
    balls = [Ball(f"Ball {b + 1}", 4, [solid(i * 100, i * 100 + 90, ((i * 7) % 256, b * 40, 0)) for i in range(per)])
             for b in range(BALLS)]
    return Project("Bench", per * 100, balls)


def random_edit(ed: ProjectEditor, rng: random.Random, kind: str) -> None:
    ball = rng.randrange(BALLS)
    i = rng.randrange(SEGMENTS // BALLS)
    if kind == "recolour":
        ed.modify_segment(ball, i * 100, color=(rng.randrange(256), 0, 255))
    elif kind == "split":
        ed.paint(ball, solid(i * 100 + 30, i * 100 + 60, "white"))
    else:
        ed.paint(ball, solid(i * 100 + 90, i * 100 + 100, "blue"))  # fills a gap: removes nothing


def history_bytes_tracemalloc(kind: str) -> float:
    """Memory the history retains per edit: measured by dropping the history afterwards."""
    project = big_project()
    ed = ProjectEditor(project)
    rng = random.Random(1)
    gc.collect()
    tracemalloc.start()
    for _ in range(EDITS):
        random_edit(ed, rng, kind)
    gc.collect()
    with_history = tracemalloc.get_traced_memory()[0]
    kept = len(ed.history.undo_stack)  # the history caps itself at max_steps
    ed.history.undo_stack.clear()
    gc.collect()
    without = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (with_history - without) / kept


def approx_bytes(kind: str) -> float:
    ed = ProjectEditor(big_project())
    rng = random.Random(2)
    for _ in range(500):
        random_edit(ed, rng, kind)
    return sum(s.approx_bytes() for s in ed.history.undo_stack) / len(ed.history.undo_stack)


def snapshot_baseline_bytes() -> float:
    """What one step costs if history stored a full copy of the project."""
    project = big_project()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    copies = [copy.deepcopy([list(b.segment_list()) for b in project.balls]) for _ in range(3)]
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del copies
    return (after - before) / 3


def throughput() -> tuple[float, float]:
    ed = ProjectEditor(big_project())
    rng = random.Random(3)
    n = 5_000
    t0 = time.perf_counter()
    for k in range(n):
        random_edit(ed, rng, ("recolour", "split")[k % 2])
    edits_s = n / (time.perf_counter() - t0)
    steps = len(ed.history.undo_stack)  # capped at History.max_steps
    t0 = time.perf_counter()
    for _ in range(steps):
        ed.undo()
    for _ in range(steps):
        ed.redo()
    undo_redo_s = 2 * steps / (time.perf_counter() - t0)
    return edits_s, undo_redo_s


def save_open() -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        doc = ProjectDocument(big_project(), path=Path(tmp) / "bench.smproj")
        rng = random.Random(4)
        for _ in range(200):
            random_edit(doc.editor, rng, "split")
        doc.editor.checkpoint("cp")
        t0 = time.perf_counter()
        path = doc.save()
        save_ms = (time.perf_counter() - t0) * 1000
        size = path.stat().st_size
        t0 = time.perf_counter()
        ProjectDocument.open(path)
        open_ms = (time.perf_counter() - t0) * 1000
    return save_ms, open_ms, size / 1e6


def checkpoint_file_size() -> tuple[float, float, float]:
    """File size with 50 assistant auto-checkpoints: pooled (ours) vs naive History.to_dict."""
    from sequence_maker.storage.smproj import encode, layout

    project = Project("CP", 400_000, [Ball("B", 4, [solid(i * 200, i * 200 + 150, (i % 256, 0, 0))
                                                    for i in range(2000)])])
    doc = ProjectDocument(project)
    plain = len(doc.to_bytes())
    for i in range(50):
        doc.editor.paint(0, solid(i * 200, i * 200 + 100, "white"))
        doc.editor.checkpoint(f"turn {i}", auto=True)
    pooled = len(doc.to_bytes())
    naive_doc = encode(doc.project, doc.history)
    naive_doc["history"] = doc.history.to_dict()
    naive = len(layout(naive_doc).encode())
    return plain / 1e6, pooled / 1e6, naive / 1e6


def serialise_vs_indent() -> tuple[float, float]:
    """Our layout (C encoder per piece) vs json.dumps(indent=1) (pure-Python encoder), ms."""
    from sequence_maker.storage.smproj import encode, layout

    doc = ProjectDocument(big_project())
    d = encode(doc.project, doc.history)
    t0 = time.perf_counter()
    layout(d)
    ours = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    json.dumps(d, ensure_ascii=False, indent=1)
    indent = (time.perf_counter() - t0) * 1000
    return ours, indent


def main() -> None:
    print(f"Project: {SEGMENTS} segments on {BALLS} balls; {EDITS} random edits per measurement\n")
    base = snapshot_baseline_bytes()
    print(f"Baseline, snapshot-per-step history: {base / 1024:,.0f} KB per step")
    for kind, label in (("recolour", "recolour 1 segment"), ("split", "paint inside 1 segment (split)"),
                        ("fill", "paint into a gap")):
        tm = history_bytes_tracemalloc(kind)
        ab = approx_bytes(kind)
        print(f"  {label:32s} tracemalloc {tm:6.0f} B/step   approx_bytes {ab:6.0f} B/step   "
              f"({base / tm:,.0f}x less than the baseline)")
        bench(f"history_bytes_per_step_{kind}_tracemalloc", tm, "bytes", "<= 1024")
        bench(f"history_bytes_per_step_{kind}_approx", ab, "bytes", "<= 1024")
    bench("history_snapshot_baseline_bytes_per_step", base, "bytes", None)
    edits_s, undo_redo_s = throughput()
    print(f"\nEdit throughput: {edits_s:,.0f} edits/s; undo+redo: {undo_redo_s:,.0f} steps/s")
    bench("history_edits_per_s_10k", edits_s, "edits/s", None)
    bench("history_undo_redo_per_s_10k", undo_redo_s, "steps/s", None)
    save_ms, open_ms, mb = save_open()
    print(f"Save (atomic, with 200 undo steps + 1 checkpoint): {save_ms:.0f} ms, {mb:.1f} MB; open: {open_ms:.0f} ms")
    bench("storage_save_ms_10k", save_ms, "ms", None)
    bench("storage_open_ms_10k", open_ms, "ms", None)
    bench("storage_file_mb_10k", mb, "MB", None)
    ours, indent = serialise_vs_indent()
    print(f"Serialise 10k segments: {ours:.0f} ms with our layout vs {indent:.0f} ms with json indent "
          f"({indent / ours:.1f}x faster)")
    bench("storage_serialise_ms_10k", ours, "ms", None)
    bench("storage_serialise_speedup_vs_indent", indent / ours, "x", None)
    plain, pooled, naive = checkpoint_file_size()
    print(f"2,000-segment project, 50 auto-checkpoints: file {pooled:.2f} MB (no checkpoints: {plain:.2f} MB; "
          f"without pooling: {naive:.2f} MB, {naive / pooled:.0f}x larger)")
    bench("storage_file_mb_2k_50_checkpoints", pooled, "MB", None)
    bench("storage_checkpoint_pooling_ratio", naive / pooled, "x", None)


if __name__ == "__main__":
    main()
