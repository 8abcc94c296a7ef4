"""Tool schemas and handlers: stable specs, musical tools, and edits that never half-apply."""

from __future__ import annotations

import pytest

from sequence_maker.assistant.executor import apply_outcome, preview, run_tool
from sequence_maker.assistant.tools import ToolInputError, ToolRegistry, default_registry
from sequence_maker.assistant.tools.resolve import ResolveError
from sequence_maker.model import Color, Lyrics, LyricWord

from .helpers import make_editor

RED, BLACK = Color(255, 0, 0), Color(0, 0, 0)


def run(editor, name: str, **args):
    reg = default_registry()
    tool, parsed = reg.parse(name, args)
    outcome = run_tool(tool, parsed, editor.project)
    apply_outcome(editor, outcome, name)
    return outcome


def test_specs_are_computed_once_and_serialise_identically() -> None:
    reg = default_registry()
    assert reg.specs() is reg.specs()
    again = ToolRegistry([reg.get(n) for n in reg.names()])
    assert again.serialized() == reg.serialized()
    for spec in reg.specs():
        assert spec.parameters["type"] == "object" and "title" not in spec.parameters
        assert '"type": "null"' not in str(spec.parameters)
    names = reg.names()
    for required in ("create_segment", "modify_segment", "delete_segment", "clear_timeline", "create_segments_batch",
                     "set_default_color", "add_effect", "play_audio", "pause_audio", "stop_audio", "seek_audio",
                     "set_volume", "beat_pattern", "section_theme", "fade_range", "highlight_lyrics"):
        assert required in names


def test_schema_errors_name_the_field_and_the_fix() -> None:
    with pytest.raises(ToolInputError, match=r"colors: required argument is missing"):
        default_registry().parse("beat_pattern", {"when": "chorus"})
    with pytest.raises(ToolInputError, match="there is no tool 'paint'"):
        default_registry().parse("paint", {})


def test_dry_run_changes_nothing_until_applied() -> None:
    editor = make_editor()
    tool, args = default_registry().parse("create_segment", {"balls": "all", "color": "red", "when": "intro"})
    outcome = run_tool(tool, args, editor.project)
    assert editor.project.segment_count() == 0
    pv = preview(outcome.diff)
    assert [b["ball"] for b in pv] == [1, 2, 3] and pv[0]["added"][0] == {"start": 0.0, "end": 10.0, "color": [255, 0, 0]}
    apply_outcome(editor, outcome, "x")
    assert editor.project.segment_count() == 3


def test_chase_visits_balls_in_turn() -> None:
    editor = make_editor()
    run(editor, "beat_pattern", balls="all", colors=["red"], style="chase", when="bar 1")
    p = editor.project
    lit = [[p.color_at(b, t) == RED for b in range(3)] for t in (600, 1100, 1600, 2100)]
    assert lit == [[True, False, False], [False, True, False], [False, False, True], [True, False, False]]


def test_section_theme_scales_brightness_by_energy() -> None:
    editor = make_editor()
    from dataclasses import replace
    grid = editor.project.grid
    values = [0.2] * 300 + [1.0] * 200 + [0.2] * 400  # hop 0.1 s: verse quiet, chorus loud
    editor.project.grid = replace(grid, extras={"energy": {"hop_s": 0.1, "values": values}})
    out = run(editor, "section_theme", sections=[{"section": "verse 1", "color": "white"},
                                                 {"section": "chorus 1", "color": "white"}], energy_brightness=True)
    p = editor.project
    assert p.color_at(0, 35_000) == Color(255, 255, 255)
    assert p.color_at(0, 15_000) == Color(255, 255, 255).scaled(0.35 + 0.65 * 0.2)
    assert "energy unknown" not in out.result["done"]


def test_highlight_lyrics_word_and_missing_lyrics() -> None:
    editor = make_editor()
    with pytest.raises(ResolveError, match="no timed lyrics"):
        run(editor, "highlight_lyrics", color="red", word="love")
    editor.project.lyrics = Lyrics(words=(LyricWord("I", 1000, 1200), LyricWord("love", 1200, 1800),
                                          LyricWord("you", 1800, 2200), LyricWord("Love!", 40_000, 40_600)))
    run(editor, "highlight_lyrics", balls=1, color="red", word="love")
    p = editor.project
    assert p.color_at(0, 1500) == RED and p.color_at(0, 40_100) == RED and p.color_at(0, 2000) == BLACK


def test_modify_and_default_colour_and_effect_errors() -> None:
    editor = make_editor(segments=[{"ball": 1, "start_s": 10, "end_s": 20, "color": [255, 0, 0]}])
    run(editor, "modify_segment", ball=1, at="0:15", end="0:25", color="blue")
    p = editor.project
    assert p.color_at(0, 24_000) == Color(0, 0, 255)
    run(editor, "set_default_color", balls=1, color="green")
    assert p.color_at(0, 5_000) == Color(0, 255, 0) and p.color_at(0, 15_000) == Color(0, 0, 255)
    with pytest.raises(ResolveError, match="has no segments .* pass 'color'"):
        run(editor, "add_effect", balls=2, effect="strobe", when="intro")
    with pytest.raises(ResolveError, match="no segment at 50 s"):
        run(editor, "delete_segment", ball=2, at=50)


def test_player_positions_are_resolved_and_checked() -> None:
    editor = make_editor()
    out = run(editor, "seek_audio", position="bar 5")
    assert out.player_commands[0].position_s == 8.5
    with pytest.raises(ResolveError):
        run(editor, "seek_audio", position="9:00")


def test_big_batches_are_destructive_small_ones_not() -> None:
    from sequence_maker.assistant.approval import ApprovalPolicy

    editor = make_editor()
    reg = default_registry()
    policy = ApprovalPolicy("ask")
    tool, small = reg.parse("create_segments_batch", {"segments": [{"balls": "all", "color": "red", "when": "intro"}]})
    assert policy.reason(tool, small, editor.project) is None
    items = [{"balls": "all", "color": "red", "when": f"bar {i}"} for i in range(1, 9)]
    tool, big = reg.parse("create_segments_batch", {"segments": items})
    assert "creates 24 segments" in policy.reason(tool, big, editor.project)
    assert ApprovalPolicy("auto").reason(tool, big, editor.project) is None


def test_effect_speeds_are_never_clamped() -> None:
    editor = make_editor()
    with pytest.raises(ResolveError, match="at most 20 cycles per second, got hz=30"):
        run(editor, "add_effect", balls=1, effect="rainbow", hz=30, when="intro")
    with pytest.raises(ToolInputError, match="hz"):
        default_registry().parse("add_effect", {"balls": 1, "effect": "strobe", "hz": 80, "when": "intro"})
    assert editor.project.segment_count() == 0


@pytest.mark.parametrize(("name", "args"), [
    ("beat_pattern", {"balls": "all", "colors": ["red", "white"], "when": "chorus", "stagger_beats": 0.5}),
    ("clear_timeline", {"balls": [1, 3], "when": "0:10-0:20"}),
    ("modify_segment", {"ball": 2, "at": "0:24.1", "color": "blue", "end": "0:25"}),
    ("create_segment", {"balls": 1, "color": "blue", "when": "0:10.05-0:10.1"}),
    ("set_default_color", {"balls": 2, "color": "blue", "when": "bars 1-4"}),
])
def test_windowed_preview_diff_equals_the_full_diff(name: str, args: dict) -> None:
    from sequence_maker.assistant.executor import clone_project
    from sequence_maker.model import solid
    from sequence_maker.model.diff import diff_states

    editor = make_editor()
    for b in range(3):
        editor.paint(b, [solid(i * 240, i * 240 + 200, "red") for i in range(300)])
    before = editor.project.snapshot()
    tool, parsed = default_registry().parse(name, args)
    outcome = run_tool(tool, parsed, editor.project)
    after = clone_project(editor.project)
    for cmd in outcome.commands:
        cmd.apply(after)
    full = diff_states(before, after.snapshot())

    def key(d):
        k = lambda s: (s.start_ms, s.end_ms, s.kind)  # noqa: E731
        return [(b.ball, sorted(map(k, b.added)), sorted(map(k, b.removed)),
                 sorted((k(x), k(y)) for x, y in b.changed)) for b in d.balls if not b.empty]

    assert key(outcome.diff) == key(full) and key(full)
