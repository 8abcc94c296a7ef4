"""The studio in a real browser, end to end: a user's session from an empty workspace to the
exported .prg, against the real server and a fake LLM server on loopback.

Tests run in file order and share one page (each step builds on the previous one, like a user);
every step asserts on what the page shows and on the server's state, and saves a screenshot.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from .conftest import shot

pytestmark = pytest.mark.e2e

PROJECT = "e2e-show"
TEMPO = 120.0  # synthetic song: 120 BPM, 4/4, 8 bars → beats every 500 ms


def studio_state(page: Any, expr: str) -> Any:
    return page.evaluate(f"(() => {{ const s = window.__studio.state; return {expr}; }})()")


def lane_point(page: Any, ball: int, t_ms: float) -> tuple[float, float]:
    """Viewport coordinates of time t on a ball's lane (middle of the lane)."""
    box = page.locator("#timeline").bounding_box()
    x, y = page.evaluate(
        """([ball, t]) => { const s = window.__studio; const r = s.renderer.rows().lanes[ball];
                             return [s.state.view.x(t), r.y + r.h / 2]; }""", [ball, t_ms])
    return box["x"] + x, box["y"] + y


def drag(page: Any, a: tuple[float, float], b: tuple[float, float]) -> None:
    page.mouse.move(*a)
    page.mouse.down()
    page.mouse.move((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, steps=4)
    page.mouse.move(*b, steps=4)
    page.mouse.up()


def segments(page: Any, ball: int) -> list[dict]:
    return studio_state(page, f"s.project.balls[{ball}].segments")


@pytest.fixture(scope="module")
def song(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    from sequence_maker.audio.synth import SongSpec, write_song

    path = tmp_path_factory.mktemp("song") / "song.wav"
    truth = write_song(SongSpec(tempo_bpm=TEMPO, plan="AB", bars_per_section=4, seed=3), path)
    return path, truth


def test_create_project_and_load_song_shows_grid(page: Any, server: Any, song: tuple[Path, Any]) -> None:
    page.goto(server.url + "/")
    page.wait_for_selector("#conn", state="visible")
    page.click("#btn-new-project")
    page.fill("#new-project-form [name=name]", PROJECT)
    page.fill("#new-project-form [name=balls]", "3")
    page.click("#new-project-form button[value=ok]")
    page.wait_for_function(f"window.__studio.state.projectId === {json.dumps(PROJECT)}")
    page.wait_for_selector("#conn.on")

    path, truth = song
    page.set_input_files("#audio-file", str(path))
    # upload → analysis job → grid applied to the project (pushed over the WebSocket)
    page.wait_for_function("(() => { const g = window.__studio.state.project.grid;"
                           " return g && g.beats_ms.length > 8; })()", timeout=90_000)
    page.wait_for_function("window.__studio.state.peaks !== null")
    beats = studio_state(page, "s.project.grid.beats_ms")
    expected = [round(b * 1000) for b in truth.beats_s]
    matched = sum(1 for e in expected if any(abs(e - b) <= 70 for b in beats))
    assert matched >= 0.9 * len(expected), (beats[:8], expected[:8])
    assert studio_state(page, "s.project.audio.duration_ms") >= 15_000
    # the grid is drawn: the tempo label and a visible section band
    assert "BPM" in page.inner_text("#lane-labels")
    assert studio_state(page, "(s.project.grid.sections || []).length") >= 1
    assert page.errors == []
    shot(page, "studio-grid")


def test_draw_move_and_undo_a_segment(page: Any) -> None:
    beats = studio_state(page, "s.project.grid.beats_ms")
    page.click("[data-zoom=fit]")
    a, b = beats[2], beats[6]
    drag(page, lane_point(page, 0, a + 20), lane_point(page, 0, b - 20))
    page.wait_for_function("window.__studio.state.project.balls[0].segments.length === 1")
    seg = segments(page, 0)[0]
    assert (seg["start_ms"], seg["end_ms"]) == (a, b), "drawn segment snaps to the beats"
    assert seg["kind"] == "solid" and seg["color"] == [255, 0, 0]

    # move it two beats later by dragging its middle
    mid = (a + b) / 2
    drag(page, lane_point(page, 0, mid), lane_point(page, 0, mid + (beats[8] - beats[6])))
    page.wait_for_function(f"(window.__studio.state.project.balls[0].segments[0]?.start_ms ?? {a}) !== {a}")
    moved = segments(page, 0)[0]
    assert abs(moved["start_ms"] - beats[4]) <= 1 and moved["end_ms"] - moved["start_ms"] == b - a
    shot(page, "studio-edit")

    page.locator("#timeline").focus()
    page.keyboard.press("Control+z")
    page.wait_for_function(f"window.__studio.state.project.balls[0].segments[0]?.start_ms === {a}")
    assert segments(page, 0)[0]["end_ms"] == b
    page.keyboard.press("Control+Shift+z")
    page.wait_for_function(f"(window.__studio.state.project.balls[0].segments[0]?.start_ms ?? {a}) !== {a}")
    page.keyboard.press("Control+z")
    page.wait_for_function(f"window.__studio.state.project.balls[0].segments[0]?.start_ms === {a}")
    assert page.errors == []


def test_zoom_scroll_overview_and_hover_tip(page: Any) -> None:
    page.click("[data-zoom=fit]")
    fit = studio_state(page, "s.view.msPerPx")
    box = page.locator("#timeline").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -400)
    page.keyboard.up("Control")
    page.wait_for_function(f"window.__studio.state.view.msPerPx < {fit} / 1.5")
    start = studio_state(page, "s.view.startMs")
    page.mouse.wheel(0, 300)
    page.wait_for_function(f"window.__studio.state.view.startMs > {start}")
    thumb = page.locator("#overview .thumb").bounding_box()
    strip = page.locator("#overview").bounding_box()
    assert thumb["width"] < strip["width"] * 0.8
    page.mouse.click(strip["x"] + strip["width"] * 0.9, strip["y"] + strip["height"] / 2)
    assert studio_state(page, "s.view.startMs + s.view.width * s.view.msPerPx / 2") > 0.6 * studio_state(
        page, "s.view.durationMs")
    page.locator("#timeline").focus()
    page.keyboard.press("Control+0")
    assert studio_state(page, "s.view.startMs") == 0 and abs(studio_state(page, "s.view.msPerPx") - fit) < 1e-6
    seg = segments(page, 0)[0]
    page.mouse.move(*lane_point(page, 0, (seg["start_ms"] + seg["end_ms"]) / 2))
    tip = page.locator(".seg-tip")
    tip.wait_for()
    assert "Ball 1" in tip.inner_text() and "#ff0000" in tip.inner_text()


def test_lyrics_lane_and_snapping_to_words(page: Any, tmp_path: Path) -> None:
    lrc = tmp_path / "song.lrc"
    lrc.write_text("[00:12.00]<00:12.00>Shine <00:12.730>on <00:13.210>me\n[00:14.50]Again\n", encoding="utf-8")
    page.set_input_files("#lyrics-file", str(lrc))
    page.wait_for_function("(window.__studio.state.project.lyrics?.words || []).length === 3")
    words = studio_state(page, "s.project.lyrics.words")
    assert [w["text"] for w in words] == ["Shine", "on", "me"] and words[1]["start_ms"] == 12730
    # with only word snapping on, a drawn segment starts on the word "on"
    for kind in ("beats", "downbeats", "sections"):
        page.uncheck(f"[data-snap={kind}]")
    drag(page, lane_point(page, 1, 12730 + 40), lane_point(page, 1, 13210 - 40))
    page.wait_for_function("window.__studio.state.project.balls[1].segments.length === 1")
    seg = segments(page, 1)[0]
    assert (seg["start_ms"], seg["end_ms"]) == (12730, 13210)
    for kind in ("beats", "downbeats", "sections"):
        page.check(f"[data-snap={kind}]")
    shot(page, "studio-lyrics")
    page.locator("#timeline").focus()
    page.keyboard.press("Control+z")
    page.wait_for_function("window.__studio.state.project.balls[1].segments.length === 0")


def test_keyboard_colour_keys_paint_per_ball(page: Any) -> None:
    beats = studio_state(page, "s.project.grid.beats_ms")
    page.evaluate(f"window.__studio.player.seek({beats[10]})")
    page.locator("#timeline").focus()
    page.keyboard.press("s")  # a-row, second key → ball 2, palette colour 2 (orange)
    page.wait_for_function("window.__studio.state.project.balls[1].segments.length === 1")
    seg = segments(page, 1)[0]
    assert (seg["start_ms"], seg["end_ms"]) == (beats[10], beats[11])
    assert seg["color"] == [255, 165, 0]
    # the playhead advanced a beat: Shift+x fades ball 3 into orange over the next beat
    page.keyboard.press("Shift+x")
    page.wait_for_function("window.__studio.state.project.balls[2].segments.length === 1")
    fade = segments(page, 2)[0]
    assert fade["kind"] == "fade" and fade["start_ms"] == beats[11] and fade["end_color"] == [255, 165, 0]
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    page.wait_for_function("window.__studio.state.project.balls[1].segments.length === 0"
                           " && window.__studio.state.project.balls[2].segments.length === 0")
    # a digit colours every ball (palette 4 = green) in one undo step
    page.evaluate(f"window.__studio.player.seek({beats[20]})")
    page.keyboard.press("4")
    page.wait_for_function(f"window.__studio.state.project.balls.every(b => b.segments.some("
                           f"s => s.start_ms === {beats[20]} && s.color?.[1] === 255))")
    page.keyboard.press("Control+z")
    page.wait_for_function(f"window.__studio.state.project.balls.every(b => !b.segments.some("
                           f"s => s.start_ms === {beats[20]}))")


def test_effects_split_copy_paste_delete_resize(page: Any) -> None:
    beats = studio_state(page, "s.project.grid.beats_ms")
    page.locator("#timeline").focus()
    page.keyboard.press("Escape")
    page.click("[data-color=green]")
    page.select_option("#effect-select", "strobe")
    page.fill("#effect-rate", "4")
    drag(page, lane_point(page, 2, beats[12] + 20), lane_point(page, 2, beats[16] - 20))
    page.wait_for_function("window.__studio.state.project.balls[2].segments.length === 1")
    seg = segments(page, 2)[0]
    assert seg["color"] == [0, 255, 0] and seg["effect"]["type"] == "strobe" and seg["effect"]["hz"] == 4
    page.select_option("#effect-select", "")

    page.evaluate(f"window.__studio.player.seek({beats[14]})")
    page.locator("#timeline").focus()
    page.keyboard.press("Control+b")
    page.wait_for_function("window.__studio.state.project.balls[2].segments.length === 2")
    left, right = segments(page, 2)
    assert (left["end_ms"], right["start_ms"]) == (beats[14], beats[14])

    page.mouse.click(*lane_point(page, 2, (beats[12] + beats[14]) / 2))
    page.keyboard.press("Control+c")
    page.evaluate(f"window.__studio.player.seek({beats[20]})")
    page.keyboard.press("Control+v")
    page.wait_for_function("window.__studio.state.project.balls[2].segments.length === 3")
    pasted = segments(page, 2)[2]
    assert pasted["start_ms"] == beats[20] and pasted["end_ms"] - pasted["start_ms"] == beats[14] - beats[12]

    page.mouse.click(*lane_point(page, 2, (beats[20] + beats[21]) / 2))
    page.keyboard.press("Delete")
    page.wait_for_function("window.__studio.state.project.balls[2].segments.length === 2")

    # resize: drag the right edge of the second piece two beats later
    x_edge, y = lane_point(page, 2, beats[16])
    drag(page, (x_edge - 3, y), lane_point(page, 2, beats[18] + 15))
    page.wait_for_function(f"window.__studio.state.project.balls[2].segments[1]?.end_ms === {beats[18]}")
    shot(page, "studio-effects")
    # Shift+drag on empty space box-selects both pieces; dragging one moves both (one undo step)
    page.keyboard.down("Shift")
    drag(page, lane_point(page, 2, beats[11]), lane_point(page, 2, beats[19]))
    page.keyboard.up("Shift")
    assert studio_state(page, "s.selection.length") == 2
    before = segments(page, 2)
    mid = (beats[12] + beats[14]) / 2
    shift = beats[14] - beats[12]  # the dragged piece starts on beat 12 and snaps to beat 14
    drag(page, lane_point(page, 2, mid), lane_point(page, 1, mid + shift))
    page.wait_for_function("window.__studio.state.project.balls[1].segments.length === 2")
    moved = segments(page, 1)
    offsets = {m["start_ms"] - b["start_ms"] for m, b in zip(moved, before, strict=True)}
    # both pieces move by one offset: the dragged piece's start snapped to beat 14 or its end to beat 16
    assert len(offsets) == 1 and offsets.pop() in {shift, beats[16] - beats[14]}, (moved, before)
    assert segments(page, 2) == []
    # the selection follows the moved pieces once the move's answer has settled (it can trail the patch)
    page.wait_for_function("window.__studio.state.selection.length === 2")
    page.keyboard.press("Control+z")
    page.wait_for_function("window.__studio.state.project.balls[2].segments.length === 2")
    assert segments(page, 2) == before
    page.keyboard.down("Shift")
    drag(page, lane_point(page, 2, beats[11]), lane_point(page, 2, beats[19]))
    page.keyboard.up("Shift")
    # Delete removes the whole selection in one undo step
    page.keyboard.press("Delete")
    page.wait_for_function("window.__studio.state.project.balls[2].segments.length === 0")
    page.keyboard.press("Control+z")
    page.wait_for_function("window.__studio.state.project.balls[2].segments.length === 2")
    for _ in range(5):  # resize, delete, paste, split, draw: back to empty
        page.keyboard.press("Control+z")
    page.wait_for_function("window.__studio.state.project.balls[2].segments.length === 0")
    assert page.errors == []


def test_playback_moves_playhead_and_ball_preview(page: Any) -> None:
    beats = studio_state(page, "s.project.grid.beats_ms")
    seg = segments(page, 0)[0]  # the red segment drawn above
    page.evaluate(f"window.__studio.player.seek({seg['start_ms'] + 50})")
    assert page.get_attribute("[data-testid=orb-0]", "data-color") == "rgb(255,0,0)"
    assert page.get_attribute("[data-testid=orb-1]", "data-color") == "rgb(0,0,0)"
    page.locator("#timeline").focus()
    page.keyboard.press("Space")
    page.wait_for_function(f"window.__studio.state.playheadMs > {seg['start_ms'] + 450}")
    page.keyboard.press("Space")
    assert studio_state(page, "s.playing") is False
    t = studio_state(page, "s.playheadMs")
    audio_ms = page.evaluate("document.querySelector('#audio').currentTime * 1000")
    if not studio_state(page, "window.__studio.player.audioFailed"):
        assert abs(audio_ms - t) < 60, "the playhead follows the audio clock"
    # clicking the ruler seeks
    box = page.locator("#timeline").bounding_box()
    x = page.evaluate(f"window.__studio.state.view.x({beats[12]})")
    page.mouse.click(box["x"] + x, box["y"] + 10)
    assert abs(studio_state(page, "s.playheadMs") - beats[12]) < 40


def test_inspector_turns_a_segment_into_a_fade_with_effect(page: Any) -> None:
    seg = segments(page, 0)[0]
    page.mouse.click(*lane_point(page, 0, (seg["start_ms"] + seg["end_ms"]) / 2))
    box = page.locator("#inspector")
    box.locator("input[type=checkbox]").check()
    box.locator("input[type=color]").nth(1).fill("#0000ff")
    box.locator("select").nth(0).select_option("pulse")
    box.locator("input[type=number]").fill("3")
    box.locator("select").nth(1).select_option("2")
    box.locator("button", has_text="Apply").click()
    page.wait_for_function("window.__studio.state.project.balls[0].segments[0]?.kind === 'fade'")
    now = segments(page, 0)[0]
    assert now["start_color"] == [255, 0, 0] and now["end_color"] == [0, 0, 255]
    assert now["effect"]["type"] == "pulse" and now["effect"]["hz"] == 3 and now["pixels"] == 2
    assert (now["start_ms"], now["end_ms"]) == (seg["start_ms"], seg["end_ms"])
    page.click("#btn-undo")
    page.wait_for_function("window.__studio.state.project.balls[0].segments[0]?.kind === 'solid'")
    assert "effect" not in segments(page, 0)[0]


def test_grid_correction_and_checkpoint(page: Any) -> None:
    n = studio_state(page, "s.project.grid.beats_ms.length")
    page.click("[data-grid=double]")
    page.wait_for_function(f"window.__studio.state.project.grid.beats_ms.length === {2 * n - 1}")
    tempo = studio_state(page, "s.project.grid.tempo_bpm")
    assert 235 < tempo < 245
    page.click("#btn-undo")
    page.wait_for_function(f"window.__studio.state.project.grid.beats_ms.length === {n}")

    page.fill("#checkpoint-name", "before the assistant")
    page.click("#btn-checkpoint")
    page.locator("#checkpoint-list li", has_text="before the assistant").wait_for()


def test_reconnect_resumes_live_updates(page: Any, server: Any) -> None:
    page.evaluate("window.__studio.socket.ws.close()")
    page.wait_for_selector("#conn.on")
    # an edit made elsewhere (another tab, the CLI's server API) reaches this page
    server.client.post(f"/api/projects/{PROJECT}/balls/2/segments", json={"segments": [
        {"start_ms": 12000, "end_ms": 13000, "kind": "solid", "color": [0, 255, 255]}]}).raise_for_status()
    page.wait_for_function("window.__studio.state.project.balls[2].segments.some(s => s.start_ms === 12000)")
    server.client.post(f"/api/projects/{PROJECT}/undo").raise_for_status()
    page.wait_for_function("window.__studio.state.project.balls[2].segments.length === 0")


def _text_then_tools(text: str, calls: list[tuple[str, str, dict]]) -> Any:
    """One streamed assistant reply: text deltas, then tool calls (OpenAI wire format)."""
    from tests.fakes.openai_server import Reply, _chunk

    events = [_chunk({"role": "assistant", "content": ""})]
    events += [_chunk({"content": text[i:i + 6]}) for i in range(0, len(text), 6)]
    for index, (call_id, name, args) in enumerate(calls):
        raw = json.dumps(args)
        events.append(_chunk({"tool_calls": [{"index": index, "id": call_id, "type": "function",
                                              "function": {"name": name, "arguments": ""}}]}))
        events += [_chunk({"tool_calls": [{"index": index, "function": {"arguments": raw[i:i + 12]}}]})
                   for i in range(0, len(raw), 12)]
    events.append(_chunk({}, "tool_calls"))
    events.append(_chunk(None, usage={"prompt_tokens": 900, "completion_tokens": 60, "total_tokens": 960},
                         choices=False))
    events.append(b"data: [DONE]\n\n")
    return Reply(events=events, delay_s=0.03)


def test_assistant_streams_tool_cards_and_approvals(page: Any, server: Any, fake_llm: Any) -> None:
    from tests.fakes.openai_server import openai_text_reply

    # the default approval mode is a setting; this chat asks before every edit (panel picker)
    page.click(".tab[data-view=settings]")
    page.select_option("#approval-mode", "ask_destructive")
    page.click("#btn-save-settings")
    page.locator(".toast", has_text="Settings saved").wait_for()
    assert server.client.get("/api/settings").json()["settings"]["approval_mode"] == "ask_destructive"
    shot(page, "settings")
    page.click(".tab[data-view=studio]")
    page.select_option("#approval-select", "ask_all")

    fake_llm.add(
        _text_then_tools("I'll colour two beats for you.", [
            ("call_blue", "create_segment", {"balls": [1], "color": "blue", "start": 6, "end": 7}),
            ("call_green", "create_segment", {"balls": [2], "color": "green", "start": 6, "end": 8}),
        ]),
        openai_text_reply("Ball 2 is green from 6 s to 8 s; I left ball 1 alone as you asked.", pieces=6),
    )
    page.fill("#chat-input", "Make ball 1 blue and ball 2 green around 6 seconds")
    page.press("#chat-input", "Enter")
    page.wait_for_function("document.querySelector('#chat-log .msg.assistant')?.textContent.includes('two beats')")
    cards = page.locator("[data-testid=tool-card]")
    cards.nth(0).locator("button", has_text="Reject").wait_for()
    assert cards.nth(0).locator(".name").inner_text() == "create_segment"
    assert '"blue"' in cards.nth(0).locator("pre.args").inner_text()
    # the proposed change is previewed as ghost segments on ball 1's lane
    ghosts = studio_state(page, "s.ghosts")
    assert ghosts and ghosts[0]["ball"] == 0 and ghosts[0]["segments"][0]["start_ms"] == 6000
    shot(page, "assistant-approval")
    cards.nth(0).locator("button", has_text="Reject").click()

    cards.nth(1).locator("button", has_text="Approve").wait_for()
    cards.nth(1).locator("button", has_text="Approve").click()
    page.wait_for_function("document.querySelector('#chat-log').textContent.includes('left ball 1 alone')")
    page.wait_for_function("window.__studio.state.project.balls[1].segments.some("
                           "s => s.start_ms === 6000 && s.end_ms === 8000)")
    green = [s for s in segments(page, 1) if s["start_ms"] == 6000][0]
    assert green["color"] == [0, 255, 0]
    assert not any(s.get("color") == [0, 0, 255] for s in segments(page, 0)), "rejected call changed nothing"
    assert "rejected" in cards.nth(0).get_attribute("class")
    assert "ok" in cards.nth(1).get_attribute("class")
    page.wait_for_function("!document.querySelector('#btn-send').disabled")
    meter = page.inner_text("#chat-meter")
    assert not meter.startswith("0 tokens"), meter
    assert studio_state(page, "s.ghosts.length") == 0
    shot(page, "assistant-done")


def test_assistant_call_edited_before_approval(page: Any, fake_llm: Any) -> None:
    from tests.fakes.openai_server import openai_text_reply, openai_tool_reply

    page.select_option("#approval-select", "ask_all")
    fake_llm.add(openai_tool_reply([("call_red", "create_segment", {"balls": [3], "color": "red", "start": 10, "end": 11})]),
                 openai_text_reply("Done, in the colour you chose.", pieces=3))
    page.fill("#chat-input", "Flash ball 3 at 10 seconds")
    page.press("#chat-input", "Enter")
    card = page.locator("[data-testid=tool-card][data-call=call_red]")
    card.locator("button", has_text="Edit").click()
    editor = card.locator("textarea")
    edited = json.loads(editor.input_value())
    edited["color"] = "white"
    editor.fill(json.dumps(edited))
    card.locator("button", has_text="Approve").click()
    page.wait_for_function("window.__studio.state.project.balls[2].segments.some("
                           "s => s.start_ms === 10000 && s.end_ms === 11000)")
    seg = [s for s in segments(page, 2) if s["start_ms"] == 10000][0]
    assert seg["color"] == [255, 255, 255]
    page.wait_for_function("!document.querySelector('#btn-send').disabled")
    page.click("#btn-undo")  # the whole assistant turn is one undo step
    page.wait_for_function("window.__studio.state.project.balls[2].segments.length === 0")


def test_assistant_player_commands_move_the_playhead(page: Any, fake_llm: Any) -> None:
    from tests.fakes.openai_server import openai_text_reply, openai_tool_reply

    page.select_option("#approval-select", "auto")
    fake_llm.add(openai_tool_reply([("call_seek", "seek_audio", {"position": 9.5})]),
                 openai_text_reply("Moved the playhead to 0:09.5.", pieces=3))
    page.fill("#chat-input", "Go to 9.5 seconds")
    page.press("#chat-input", "Enter")
    page.wait_for_function("Math.abs(window.__studio.state.playheadMs - 9500) < 30")
    page.wait_for_function("!document.querySelector('#btn-send').disabled")


def test_stop_mid_stream(page: Any, fake_llm: Any) -> None:
    from tests.fakes.openai_server import openai_text_reply

    long = "Here is a long story about light. " * 20
    fake_llm.add(openai_text_reply(long, pieces=60, delay_s=0.15))
    before = len(fake_llm.disconnects)
    page.fill("#chat-input", "Tell me a long story")
    page.press("#chat-input", "Enter")
    page.wait_for_function("[...document.querySelectorAll('#chat-log .msg.assistant')].pop()"
                           "?.textContent.includes('story about light')")
    assert not page.locator("#btn-stop").is_disabled()
    page.click("#btn-stop")
    page.wait_for_selector("[data-testid=stopped]")
    shown = page.locator("#chat-log .msg.assistant").last.inner_text()
    assert len(shown) < len(long), "the answer stopped part way"
    assert page.locator("#btn-stop").is_disabled()
    assert fake_llm.wait_disconnect(3.0) is not None and len(fake_llm.disconnects) > before


def test_provider_error_is_shown(page: Any, fake_llm: Any) -> None:
    from tests.fakes.openai_server import Reply

    fake_llm.add(Reply.error(401, "Incorrect API key provided", error_type="invalid_request_error"))
    page.fill("#chat-input", "Hello?")
    page.press("#chat-input", "Enter")
    err = page.locator("#chat-log .msg.error").last
    err.wait_for()
    assert err.inner_text().strip(), "the error names the problem"
    page.wait_for_function("!document.querySelector('#btn-send').disabled")


def test_retried_stream_discards_the_broken_partial_answer(page: Any, fake_llm: Any) -> None:
    from tests.fakes.openai_server import openai_text_reply

    fake_llm.add(openai_text_reply("BROKEN partial answer that never finishes", pieces=8, cut_after=4),
                 openai_text_reply("Clean answer after a retry.", pieces=3))
    page.fill("#chat-input", "Say something")
    page.press("#chat-input", "Enter")
    page.wait_for_function("document.querySelector('#chat-log').textContent.includes('Clean answer after a retry.')")
    page.wait_for_function("!document.querySelector('#btn-send').disabled")
    last_turn = page.locator("[data-testid=turn]").last
    assert "BROKEN" not in last_turn.inner_text()


def test_chat_history_reloads_and_takes_feedback(page: Any, server: Any) -> None:
    page.reload()
    page.wait_for_function(f"window.__studio.state.projectId === {json.dumps(PROJECT)}")
    page.wait_for_function("document.querySelectorAll('#session-select option').length > 1")
    sid = page.eval_on_selector("#session-select", "s => s.options[1].value")
    page.select_option("#session-select", sid)
    page.wait_for_function("document.querySelector('#chat-log').textContent.includes('left ball 1 alone')")
    assert page.locator("[data-testid=tool-card]").count() >= 2
    answer = page.locator(".msg.assistant", has_text="left ball 1 alone")
    answer.locator("button[title='Good answer']").click()
    answer.locator("button.chosen").wait_for()
    fb = server.client.get("/api/settings").json()["settings"]["assistant_feedback"]
    assert fb[-1]["liked"] is True and "ball 2 green" in fb[-1]["request"]


def test_api_keys_are_write_only(page: Any, server: Any) -> None:
    secret = "sk-e2e-DO-NOT-SHOW-1234abcd"
    page.click(".tab[data-view=settings]")
    page.fill("#profile-form [name=name]", "my-openai")
    page.select_option("#profile-form [name=provider]", "openai")
    page.fill("#profile-form [name=model]", "gpt-4.1-mini")
    page.fill("#profile-form [name=api_key]", secret)
    page.click("#profile-form button[type=submit]")
    row = page.locator("#profile-table tr", has_text="my-openai")
    row.wait_for()
    assert "abcd" in row.inner_text() and "set" in row.inner_text()
    assert page.input_value("#profile-form [name=api_key]") == ""
    assert secret not in page.content()
    assert secret not in server.client.get("/api/profiles").text
    page.click(".tab[data-view=studio]")


def test_diagnostics_show_requests(page: Any) -> None:
    page.click(".tab[data-view=diagnostics]")
    page.wait_for_function("document.querySelectorAll('#diag-table tbody tr td').length > 5")
    rows = page.locator("#diag-table tbody tr")
    assert rows.count() >= 2
    text = page.inner_text("#diag-table")
    assert "fake-model" in text
    assert "requests" in page.inner_text("#diag-summary")
    shot(page, "diagnostics")
    page.click(".tab[data-view=studio]")


def test_export_zip_matches_cli_bytes(page: Any, server: Any, tmp_path: Path) -> None:
    page.click("#btn-export")
    page.wait_for_selector("#export-dialog[open]")
    page.wait_for_selector("#lint-list [data-testid]")
    shot(page, "export")
    with page.expect_download() as dl:
        page.click("#export-download")
    data = Path(dl.value.path()).read_bytes()
    links = page.locator("#export-balls a")
    assert links.count() == 3
    with page.expect_download() as one:
        links.nth(0).click()
    first_ball = Path(one.value.path()).read_bytes()
    page.keyboard.press("Escape")
    zipped = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(n for n in zipped.namelist() if n.endswith(".prg"))
    assert len(names) == 3

    server.client.post(f"/api/projects/{PROJECT}/save").raise_for_status()
    project_file = server.workspace / f"{PROJECT}.smproj"
    assert project_file.is_file(), sorted(p.name for p in server.workspace.iterdir())
    out = tmp_path / "cli"
    subprocess.run([sys.executable, "-m", "sequence_maker.cli.app", "export", str(project_file), "-o", str(out)],
                   check=True, capture_output=True, timeout=60)
    cli = sorted(out.glob("*.prg"))
    assert len(cli) == 3
    for name, path in zip(names, cli, strict=True):
        assert zipped.read(name) == path.read_bytes(), f"{name} differs from the CLI's {path.name}"
    assert first_ball in [path.read_bytes() for path in cli], "the single-ball download is one of the CLI's files"


def test_add_and_rename_a_ball(page: Any) -> None:
    page.click(".add-ball")
    page.wait_for_function("window.__studio.state.project.balls.length === 4")
    page.once("dialog", lambda d: d.accept("Juggler B"))
    page.locator(".lane-label", has_text="Ball 4").dblclick()
    page.wait_for_function("window.__studio.state.project.balls[3].name === 'Juggler B'")
    assert "Juggler B" in page.inner_text("#lane-labels")
    page.click("#btn-undo")
    page.click("#btn-undo")
    page.wait_for_function("window.__studio.state.project.balls.length === 3")
    assert page.errors == []
