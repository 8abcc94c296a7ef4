"""Wrap-up without the model: a round of successful edits ends the turn with a composed sentence
(one model request instead of two on slow local models); reads, errors and rejections still go back."""

from __future__ import annotations

import pytest

from sequence_maker.assistant.agent import Assistant, compose_wrap_up
from sequence_maker.assistant.player import RecordingPlayer
from sequence_maker.assistant.providers.events import ChatMessage
from sequence_maker.assistant.providers.scripted import ScriptedProvider
from sequence_maker.assistant.turn_events import ApprovalDecision, ToolResultEvent
from sequence_maker.model import Color

from .helpers import collect, make_editor, of_type, text_turn, tool_turn

RED = Color(255, 0, 0)


def _paint(cid: str, ball: int, color: str, when: str) -> tuple[str, str, dict]:
    return (cid, "create_segment", {"balls": ball, "color": color, "when": when})


async def test_tools_mode_ends_after_one_request_with_composed_sentence() -> None:
    editor = make_editor()
    player = RecordingPlayer()
    provider = ScriptedProvider([
        tool_turn(_paint("c1", 1, "red", "chorus"), ("c2", "play_audio", {"position": "0:30"})),
        text_turn("the model must not be asked again"),
    ])
    history: list[ChatMessage] = []
    events = await collect(Assistant(provider, wrap_up="tools", player=player)
                           .run_turn(editor, history, "chorus red on ball 1 and play from 0:30"))
    assert len(provider.requests) == 1
    end = events[-1]
    assert end.type == "turn_end" and end.finish_reason == "stop" and end.llm_requests == 1
    assert end.undo_label is not None and end.checkpoint_after
    text = "".join(e.text for e in of_type(events, "text_delta"))
    assert text.startswith("Done: ") and "ball(s) 1" in text and "play from 0:30" in text
    assert "the model must not" not in text
    assert "{" not in text  # the player dict is rendered readably
    # history ends with the composed sentence as a plain assistant message, after the tool results
    assert history[-1].role == "assistant" and history[-1].content == text and not history[-1].tool_calls
    assert [m.role for m in history] == ["user", "assistant", "tool", "tool", "assistant"]
    assert editor.project.color_at(0, 31_000) == RED and player.state().playing
    editor.undo()  # still one undo step for the whole turn
    assert editor.project.segment_count() == 0


async def test_next_turn_sees_the_composed_sentence() -> None:
    editor = make_editor()
    provider = ScriptedProvider([tool_turn(_paint("c1", 1, "red", "chorus")), text_turn("Sure.")])
    history: list[ChatMessage] = []
    agent = Assistant(provider, wrap_up="tools")
    await collect(agent.run_turn(editor, history, "chorus red"))
    await collect(agent.run_turn(editor, history, "thanks"))
    second = provider.requests[1].messages
    assert any(m.role == "assistant" and m.content.startswith("Done: ") for m in second)


async def test_read_call_still_goes_back_to_the_model() -> None:
    provider = ScriptedProvider([
        tool_turn(("c1", "get_sections", {}), _paint("c2", 1, "red", "chorus")),
        text_turn("Chorus is red."),
    ])
    events = await collect(Assistant(provider, wrap_up="tools").run_turn(make_editor(), [], "chorus red"))
    assert len(provider.requests) == 2
    assert "".join(e.text for e in of_type(events, "text_delta")) == "Chorus is red."


async def test_error_still_goes_back_to_the_model() -> None:
    provider = ScriptedProvider([
        tool_turn(_paint("c1", 1, "red", "chorus"), _paint("c2", 9, "red", "chorus")),  # ball 9 does not exist
        tool_turn(_paint("c3", 2, "red", "chorus")),
    ])
    events = await collect(Assistant(provider, wrap_up="tools").run_turn(make_editor(), [], "chorus red"))
    results = of_type(events, "tool_result")
    assert [r.ok for r in results] == [True, False, True]
    assert len(provider.requests) == 2  # the failure went back; the fixed round then wrapped up alone
    assert events[-1].finish_reason == "stop"


async def test_rejected_call_goes_back_to_the_model() -> None:
    provider = ScriptedProvider([tool_turn(("c1", "clear_timeline", {"balls": "all"})), text_turn("OK, left it.")])

    async def reject(req):
        return ApprovalDecision("reject")

    editor = make_editor(segments=[{"ball": 1, "start_s": 0, "end_s": 10, "color": [255, 0, 0]}])
    events = await collect(Assistant(provider, wrap_up="tools", approval_mode="ask")
                           .run_turn(editor, [], "clear everything", approver=reject))
    assert of_type(events, "tool_result")[0].ok is False
    assert len(provider.requests) == 2


async def test_model_mode_unchanged_even_when_provider_asks() -> None:
    provider = ScriptedProvider([tool_turn(_paint("c1", 1, "red", "chorus")), text_turn("Chorus is red.")])
    provider.wrap_up_from_tools = True  # type: ignore[attr-defined]
    events = await collect(Assistant(provider, wrap_up="model").run_turn(make_editor(), [], "chorus red"))
    assert len(provider.requests) == 2
    assert "".join(e.text for e in of_type(events, "text_delta")) == "Chorus is red."


@pytest.mark.parametrize("flag, requests", [(True, 1), (False, 2), (None, 2)])
async def test_auto_follows_the_provider_attribute(flag: bool | None, requests: int) -> None:
    provider = ScriptedProvider([tool_turn(_paint("c1", 1, "red", "chorus")), text_turn("Chorus is red.")])
    if flag is not None:
        provider.wrap_up_from_tools = flag  # type: ignore[attr-defined]
    agent = Assistant(provider)  # default is "auto"
    assert agent.wrap_up == "auto"
    await collect(agent.run_turn(make_editor(), [], "chorus red"))
    assert len(provider.requests) == requests


def test_unknown_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="wrap_up"):
        Assistant(ScriptedProvider([]), wrap_up="never")


class _C:
    def __init__(self, name: str, result: object) -> None:
        self.name = name
        self.result = ToolResultEvent("x", name, True, result)


def test_compose_renders_player_commands_and_falls_back_to_tool_name() -> None:
    text = compose_wrap_up([
        _C("seek_audio", {"done": {"type": "player_command", "action": "seek", "position_s": 65.5}}),
        _C("set_volume", {"done": {"type": "player_command", "action": "volume", "volume": 0.4}}),
        _C("pause_audio", {"done": {"type": "player_command", "action": "pause"}}),
        _C("set_default_color", {"result": None}),
        _C("pause_audio", {"done": {"type": "player_command", "action": "pause"}}),  # duplicates collapse
    ])
    assert text == "Done: seek to 1:05.5; volume 40%; pause; set default color."
