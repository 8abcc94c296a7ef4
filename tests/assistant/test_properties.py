"""Property tests: musical tools keep every model invariant for any grid and options."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sequence_maker.assistant.eval import build_project
from sequence_maker.assistant.executor import apply_outcome, run_tool
from sequence_maker.assistant.tools import default_registry
from sequence_maker.assistant.tools.resolve import ResolveError, Resolver
from sequence_maker.history.editor import ProjectEditor
from sequence_maker.model import Ball

COLORS = ["red", "white", "blue", "gold"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bpm=st.floats(60, 200), first=st.floats(0, 2), bpb=st.integers(2, 7), balls=st.integers(1, 4),
       every=st.sampled_from(["beat", "half_beat", "downbeat", "bar"]),
       style=st.sampled_from(["flash", "alternate", "chase"]),
       stagger=st.sampled_from([0, 0.25, 0.5, -0.5, 1.5]), offset=st.sampled_from([0, 0.5, -1]),
       length=st.sampled_from([None, 0.1, 1.0]), when=st.sampled_from(["all", "A", "B 2", "last 3 bars", "bars 2-3",
                                                                        "first 5 beats of B"]),
       ncolors=st.integers(1, 4))
def test_beat_pattern_keeps_invariants(bpm, first, bpb, balls, every, style, stagger, offset, length, when,
                                       ncolors) -> None:
    setup = {"duration_s": 40, "balls": balls, "bpm": bpm, "first_beat_s": first, "beats_per_bar": bpb,
             "sections": [{"label": "A", "start_s": 0, "end_s": 12}, {"label": "B", "start_s": 12, "end_s": 25},
                          {"label": "A", "start_s": 25, "end_s": 31}, {"label": "B", "start_s": 31, "end_s": 40}]}
    editor = ProjectEditor(build_project(setup))
    args = {"balls": "all", "colors": COLORS[:ncolors], "every": every, "style": style, "stagger_beats": stagger,
            "offset_beats": offset, "when": when}
    if length is not None:
        args["length"] = length
    tool, parsed = default_registry().parse("beat_pattern", args)
    try:
        outcome = run_tool(tool, parsed, editor.project)
    except ResolveError:
        return  # e.g. a range too short for the step: a clear error, nothing applied
    apply_outcome(editor, outcome, "beat_pattern")
    spans = Resolver(editor.project).spans(when=when)
    for b in editor.project.balls:
        Ball(b.name, b.default_pixels, b.segments)  # re-validates: sorted, no overlap
        for s in b.segments:
            assert 0 <= s.start_ms < s.end_ms <= editor.project.duration_ms
            assert any(sp.start_ms <= s.start_ms and s.end_ms <= sp.end_ms for sp in spans)
    editor.undo()
    assert editor.project.segment_count() == 0
