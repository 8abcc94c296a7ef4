"""Compact context and the summariser (budget, markers, tool-call pairing)."""

from __future__ import annotations

import json

from sequence_maker.assistant.context import SUMMARY_MARK, fold_history, naive_context, project_context
from sequence_maker.assistant.providers.events import ChatMessage
from sequence_maker.model import solid

from .helpers import make_editor


def test_compact_context_size_does_not_grow_with_segments() -> None:
    small, big = make_editor(), make_editor()
    for b in range(3):
        big.paint(b, [solid(i * 80, i * 80 + 60, "red" if i % 2 else "blue") for i in range(1000)])
    c_small, c_big = json.dumps(project_context(small.project)), json.dumps(project_context(big.project))
    assert len(c_big) < len(c_small) + 400
    ctx = project_context(big.project)
    assert ctx["balls"][0]["segments"] == 1000 and set(ctx["balls"][0]["main_colors"]) == {"red", "blue"}
    assert ctx["song"]["tempo_bpm"] == 120 and ctx["sections"][2]["label"] == "chorus 1"
    # repeated labels are numbered the way the time resolver reads them
    assert [s["label"] for s in ctx["sections"]] == ["intro", "verse 1", "chorus 1", "verse 2", "chorus 2", "outro"]
    assert len(json.dumps(naive_context(big.project))) > 20 * len(c_big)


def test_context_names_section_kinds() -> None:
    """Analysis labels sections A/B and guesses the chorus as a kind; the model must see both."""
    from dataclasses import replace

    from sequence_maker.model import Section

    editor = make_editor()
    grid = editor.project.grid
    editor.project.grid = replace(grid, sections=(Section("A", 0, 30_000), Section("B", 30_000, 60_000, "chorus")))
    secs = project_context(editor.project)["sections"]
    assert secs[1] == {"label": "B", "kind": "chorus", "start": 30.0, "end": 60.0} and "kind" not in secs[0]


def _turn(i: int, words: int = 100) -> list[ChatMessage]:
    return [ChatMessage("user", f"ask {i} " + "w " * words),
            ChatMessage("assistant", "", tool_calls=[{"id": f"c{i}", "name": "beat_pattern", "arguments": {}}]),
            ChatMessage("tool", "{}", tool_call_id=f"c{i}", name="beat_pattern"),
            ChatMessage("assistant", f"did {i}")]


def test_no_fold_under_budget() -> None:
    h = _turn(0) + _turn(1)
    assert not fold_history(h, context_window=100_000)
    assert len(h) == 8


def test_fold_keeps_last_turns_verbatim_and_pairs_intact() -> None:
    h = [m for i in range(20) for m in _turn(i)]
    assert fold_history(h, context_window=2_000)
    assert h[0].role == "system" and h[0].meta["summary"] and h[0].content.startswith(SUMMARY_MARK)
    assert "ask 0" in h[0].content and "beat_pattern" in h[0].content
    assert h[1].role == "user"  # folding cuts only at user-turn boundaries
    kept_users = [m.content.split()[1] for m in h if m.role == "user"]
    assert kept_users[-1] == "19"
    ids = [c["id"] for m in h if m.role == "assistant" for c in m.tool_calls]
    results = [m.tool_call_id for m in h if m.role == "tool"]
    assert ids == results
    # folding again merges the old summary instead of stacking summaries
    h += [m for i in range(20, 40) for m in _turn(i)]
    assert fold_history(h, context_window=2_000)
    assert sum(1 for m in h if m.meta.get("summary")) == 1 and "ask 0" in h[0].content


def test_context_puts_the_project_name_last_for_prefix_caching() -> None:
    """llama.cpp reuses its KV cache only up to the first differing token: two projects that differ
    only in name must share the whole context text except its tail."""
    a, b = make_editor(), make_editor()
    a.project.name, b.project.name = "First show", "Another one"
    ctx = project_context(a.project)
    assert list(ctx)[0] == "song" and list(ctx)[-1] == "project"
    assert ctx["project"] == {"name": "First show"} and "name" not in ctx["song"]
    from sequence_maker.assistant.context import context_text

    ta, tb = context_text(a.project), context_text(b.project)
    common = 0
    while ta[common] == tb[common]:
        common += 1
    assert ta[common:].startswith("First show") and tb[common:].startswith("Another one")
    assert common > len(ta) - len('First show"}}') - 2
