"""Shared helpers for assistant tests: projects, scripted turns, wire-format replies, collecting."""

from __future__ import annotations

import json
from typing import Any

from sequence_maker.assistant.eval import build_project
from sequence_maker.assistant.providers.events import (
    Finish,
    TextDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
)
from sequence_maker.history.editor import ProjectEditor
from tests.fakes.sse_server import Reply

SETUP = {"duration_s": 90, "balls": 3, "bpm": 120, "first_beat_s": 0.5, "beats_per_bar": 4,
         "sections": [{"label": "intro", "start_s": 0, "end_s": 10}, {"label": "verse", "start_s": 10, "end_s": 30},
                      {"label": "chorus", "start_s": 30, "end_s": 50}, {"label": "verse", "start_s": 50, "end_s": 70},
                      {"label": "chorus", "start_s": 70, "end_s": 85}, {"label": "outro", "start_s": 85, "end_s": 90}]}


def make_editor(**overrides: Any) -> ProjectEditor:
    return ProjectEditor(build_project({**SETUP, **overrides}))


def tool_turn(*calls: tuple[str, str, dict], ok: bool = True) -> list:
    """Provider events for one response made of tool calls ``(id, name, arguments)``."""
    events: list = []
    for i, (cid, name, args) in enumerate(calls):
        raw = json.dumps(args)
        events += [ToolCallStart(cid, name, i), ToolCallDelta(cid, raw, index=i),
                   ToolCallEnd(cid, name, args if ok else {}, raw if ok else raw[:10], ok=ok,
                               error=None if ok else "truncated", index=i)]
    return [*events, Finish("tool_calls")]


def text_turn(text: str = "Done.") -> list:
    return [TextDelta(text), Finish("stop")]


async def collect(agen) -> list:
    return [ev async for ev in agen]


def of_type(events: list, kind: str) -> list:
    return [e for e in events if e.type == kind]


def _anthropic_event(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n".encode()


def anthropic_tool_reply(calls: list[tuple[str, str, dict]], text: str = "", fragment_size: int = 20) -> Reply:
    """Tool calls streamed the Anthropic way (tool_use blocks + input_json_delta fragments)."""
    usage = {"input_tokens": 30, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 1}
    events = [_anthropic_event("message_start", {"message": {
        "id": "msg_fake", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5", "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": usage}})]
    index = 0
    if text:
        events += [_anthropic_event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
                   _anthropic_event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": text}}),
                   _anthropic_event("content_block_stop", {"index": 0})]
        index = 1
    for cid, name, args in calls:
        raw = json.dumps(args)
        events.append(_anthropic_event("content_block_start", {
            "index": index, "content_block": {"type": "tool_use", "id": cid, "name": name, "input": {}}}))
        for i in range(0, len(raw), fragment_size):
            events.append(_anthropic_event("content_block_delta", {
                "index": index, "delta": {"type": "input_json_delta", "partial_json": raw[i:i + fragment_size]}}))
        events.append(_anthropic_event("content_block_stop", {"index": index}))
        index += 1
    events += [_anthropic_event("message_delta", {"delta": {"stop_reason": "tool_use", "stop_sequence": None},
                                                  "usage": {"output_tokens": 40}}),
               _anthropic_event("message_stop", {})]
    return Reply(events=events)
