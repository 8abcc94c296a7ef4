"""Cost of running one edit safely on a big project: dry run on a copy + preview diff + apply.

Every assistant write runs first on a copy of the project (so nothing half-applies and approvals can
show a diff). This measures that cost on a 20,000-segment project (8 balls × 2,500) for typical
calls, and compares the windowed preview diff with a full-project diff in the same process.
Usage: .venv/bin/python bench/assistant_dry_run.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sequence_maker.assistant.eval import build_project  # noqa: E402
from sequence_maker.assistant.executor import apply_outcome, clone_project, run_tool  # noqa: E402
from sequence_maker.assistant.tools import default_registry  # noqa: E402
from sequence_maker.history.editor import ProjectEditor  # noqa: E402
from sequence_maker.model import solid  # noqa: E402
from sequence_maker.model.diff import diff_states  # noqa: E402

CALLS = [
    ("beat_pattern", {"balls": "all", "colors": ["red", "white"], "when": "chorus", "stagger_beats": 0.5}),
    ("create_segment", {"balls": 3, "color": "blue", "start": "1:05", "duration": 2.5}),
    ("clear_timeline", {"balls": [1, 2], "when": "bars 9-12"}),
    ("modify_segment", {"ball": 2, "at": "0:24.1", "color": "gold"}),
]
RUNS = 5


def bench_line(name: str, value: float, unit: str, target: str | None) -> None:
    print("BENCH " + json.dumps({"name": name, "value": round(value, 2), "unit": unit, "target": target}))


def main() -> None:
    project = build_project({"duration_s": 600, "balls": 8, "bpm": 128, "first_beat_s": 0.2, "beats_per_bar": 4,
                             "sections": [{"label": "chorus", "start_s": 100, "end_s": 160}]})
    editor = ProjectEditor(project)
    for b in range(8):
        editor.paint(b, [solid(i * 240, i * 240 + 200, "red") for i in range(2500)])
    print(f"project: {project.segment_count():,d} segments, 8 balls; median of {RUNS} runs per call")
    reg = default_registry()
    totals = []
    for name, args in CALLS:
        tool, parsed = reg.parse(name, args)
        times, full_times = [], []
        for _ in range(RUNS):
            before = project.snapshot()
            t0 = time.perf_counter()
            outcome = run_tool(tool, parsed, project)
            apply_outcome(editor, outcome, name)
            times.append(time.perf_counter() - t0)
            t1 = time.perf_counter()
            diff_states(before, project.snapshot())
            full_times.append(time.perf_counter() - t1)
            editor.undo()
        med, full = statistics.median(times) * 1000, statistics.median(full_times) * 1000
        totals.append(med)
        print(f"  {name:<16} dry run + preview + apply {med:7.1f} ms   (a full-project diff alone: {full:6.1f} ms)")
    clones = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        clone_project(project)
        clones.append(time.perf_counter() - t0)
    clone_ms = statistics.median(clones) * 1000
    print(f"  copying the project for a dry run: {clone_ms:.1f} ms")
    bench_line("assistant.dry_run_apply_worst_ms_20k", max(totals), "ms", "<= 100")
    bench_line("assistant.dry_run_clone_ms_20k", clone_ms, "ms", None)


if __name__ == "__main__":
    main()
