"""Runs assistant turns for the WebSocket protocol: one turn per project at a time, events turned
into coalesced ``llm_chunk`` frames on the project's stream, approvals answered from any tab,
cancellation, and the chat history persisted so the next turn (or a restart) continues from it."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import uuid
from typing import Any

from ..assistant.providers.events import ChatMessage
from ..assistant.providers.secret import scrub
from ..store.chat import StoredMessage
from .coalesce import DeltaCoalescer
from .projects import ProjectHandle

log = logging.getLogger(__name__)
MAX_CACHED_AGENTS = 64
FEEDBACK_IN_PROMPT = 6  # the newest stored verdicts passed to the assistant (prompts.feedback_block's limit)
_CHAT_FIELDS = {f.name for f in dataclasses.fields(ChatMessage)}


class TurnError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def feedback_from_store(items: Any, limit: int = FEEDBACK_IN_PROMPT) -> list[Any]:
    """The newest stored liked/disliked items (``POST /api/ui/feedback``) as ``prompts.Feedback``.

    Items that say nothing (no request, no note) or are not objects are skipped, so a hand-edited
    setting cannot break a turn.
    """
    from ..assistant.prompts import Feedback

    out = [Feedback(bool(it.get("liked")), str(it.get("request") or ""), str(it.get("note") or ""))
           for it in (items if isinstance(items, list) else []) if isinstance(it, dict)]
    return [f for f in out if f.request.strip() or f.note.strip()][-limit:]


def part_type(event_type: str) -> str:
    return event_type.replace("_", "-")


def message_from_native(native: dict[str, Any]) -> ChatMessage:
    return ChatMessage(**{k: v for k, v in native.items() if k in _CHAT_FIELDS})


def native_of(m: ChatMessage) -> dict[str, Any]:
    d = dataclasses.asdict(m)
    return {k: v for k, v in d.items() if v not in (None, [], {}, False) or k in ("role", "content")}


def parts_of(m: ChatMessage) -> list[dict[str, Any]]:
    """What the chat panel shows for a stored message."""
    if m.role == "tool":
        try:
            body: Any = json.loads(m.content)
        except ValueError:
            body = m.content
        if m.is_error and isinstance(body, dict) and "error" in body:
            body = body["error"]
        return [{"type": "tool-result", "call_id": m.tool_call_id, "name": m.name, "ok": not m.is_error,
                 ("error" if m.is_error else "result"): body}]
    parts: list[dict[str, Any]] = []
    if m.content:
        parts.append({"type": "text", "text": m.content})
    for c in m.tool_calls:
        parts.append({"type": "tool-call", "call_id": c.get("id"), "name": c.get("name"),
                      "arguments": c.get("arguments")})
    return parts


@dataclasses.dataclass(eq=False)
class RunningTurn:
    request_id: str
    handle: ProjectHandle
    session_id: str
    turn_id: str
    task: asyncio.Task[None] | None = None
    approvals: dict[str, asyncio.Future[Any]] = dataclasses.field(default_factory=dict)
    announced: set[str] = dataclasses.field(default_factory=set)
    pending: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)  # call_id → approval part
    loaded_ids: set[int] = dataclasses.field(default_factory=set)  # messages that came from the database


class TurnManager:
    def __init__(self, store: Any, assistant: Any, settings: Any, on_busy: Any = None,
                 on_turn_end: Any = None) -> None:
        self.on_turn_end = on_turn_end
        self.store = store
        self.assistant = assistant
        self.settings = settings
        self.on_busy = on_busy or (lambda _h: None)
        self.turns: dict[str, RunningTurn] = {}  # request_id → turn
        #: One Assistant per chat session and provider (it keeps sticky "always allow" approvals).
        self._agents: dict[tuple[str, int, str], Any] = {}
        self._background: set[asyncio.Task[bool]] = set()  # prewarm tasks (kept referenced until done)

    def _agent(self, session_id: str, provider: Any, mode: str) -> Any:
        from ..assistant.agent import Assistant

        key = (session_id, id(provider), mode)
        agent = self._agents.get(key)
        if agent is None:
            if len(self._agents) >= MAX_CACHED_AGENTS:
                self._agents.pop(next(iter(self._agents)))
            agent = self._agents[key] = Assistant(provider, approval_mode=mode)
        return agent

    def _saved_guidance(self) -> tuple[str, list[Any]]:
        """The user's saved custom instructions and feedback, as every agent gets them."""
        from .routes.ui_support import FEEDBACK_KEY

        settings = self.store.settings
        instructions = settings.get("custom_instructions")
        return (instructions if isinstance(instructions, str) else "",
                feedback_from_store(settings.get(FEEDBACK_KEY, [])))

    def _configure(self, agent: Any, session_id: str) -> set[str]:
        """Give a (cached) agent what the user saved since: custom instructions, feedback, and the
        chat's stored "always allow" list. Returns that list as loaded, to see later what changed."""
        agent.custom_instructions, agent.feedback = self._saved_guidance()
        allowed = self.store.chat.allowed_tools(session_id)
        agent.policy.always_allowed |= allowed
        return allowed

    def _save_allowed(self, agent: Any, session_id: str, loaded: set[str]) -> None:
        """Store the chat's "always allow" list when this turn added to it (survives a restart)."""
        now = set(agent.policy.always_allowed)
        if now != loaded:
            self.store.chat.set_allowed_tools(session_id, now)

    def prewarm(self, handle: ProjectHandle) -> asyncio.Task[bool] | None:
        """In the background, let the active provider pre-read what a new chat on this project
        sends (the embedded model: ~10 s of prompt on 2 cores), so the first question is not the
        slow one. Nothing happens for providers without ``prewarm`` or while a turn runs here."""
        from ..assistant.preload import prewarm_project

        provider = self.assistant.provider
        if provider is None or not callable(getattr(provider, "prewarm", None)) or self.for_project(handle):
            return None
        instructions, feedback = self._saved_guidance()
        task = asyncio.get_running_loop().create_task(
            prewarm_project(provider, handle.editor.project, custom_instructions=instructions, feedback=feedback))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    def for_project(self, handle: ProjectHandle) -> RunningTurn | None:
        return next((t for t in self.turns.values() if t.handle is handle), None)

    # --- starting ------------------------------------------------------------------------------
    def start(self, handle: ProjectHandle, request_id: str | None, data: dict[str, Any]) -> RunningTurn:
        content = data.get("content")
        if not isinstance(content, str) or not content.strip():
            raise TurnError("bad_request", "llm_request needs a non-empty 'content' string")
        for key in ("session_id", "profile", "template", "approval_mode"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise TurnError("bad_request", f"llm_request '{key}' must be a string or null")
        mode = data.get("approval_mode")
        if mode is not None:
            from ..assistant.approval import normalize_mode

            try:
                normalize_mode(str(mode))
            except ValueError as e:
                raise TurnError("bad_request", str(e)) from None
        if handle.busy_request_id is not None:
            raise TurnError("busy", "the assistant is already working on this project; cancel it or wait")
        session_id = data.get("session_id")
        if session_id:
            sess = self.store.chat.get_session(session_id)
            if sess is None or sess["project"] != handle.name:
                raise TurnError("not_found", f"chat session {session_id!r} not found for this project")
        else:
            session_id = self.store.chat.create_session(handle.name, title=content.strip()[:80],
                                                        profile=data.get("profile"))["id"]
        request_id = request_id or uuid.uuid4().hex[:12]
        if request_id in self.turns:
            raise TurnError("conflict", f"request_id {request_id!r} is already running")
        turn = RunningTurn(request_id, handle, session_id, uuid.uuid4().hex[:12])
        handle.busy_request_id = request_id
        self.turns[request_id] = turn
        turn.task = asyncio.get_running_loop().create_task(self._run(turn, data))
        self.on_busy(handle)
        return turn

    # --- control -------------------------------------------------------------------------------
    def cancel(self, request_id: str | None = None, session_id: str | None = None) -> bool:
        for t in list(self.turns.values()):
            if (request_id and t.request_id == request_id) or (session_id and t.session_id == session_id):
                if t.task is not None and not t.task.done():
                    t.task.cancel()
                    return True
        return False

    def answer(self, call_id: str, data: dict[str, Any]) -> None:
        from ..assistant.turn_events import ApprovalDecision

        for t in self.turns.values():
            fut = t.approvals.get(call_id)
            if fut is not None and not fut.done():
                try:
                    decision = ApprovalDecision(data.get("decision"), data.get("arguments"),
                                                bool(data.get("always_allow", False)),
                                                str(data.get("reason") or data.get("message") or ""))
                except (ValueError, TypeError) as e:
                    raise TurnError("bad_request", str(e)) from None
                fut.set_result(decision)
                return
        raise TurnError("not_found", f"no tool call {call_id!r} is waiting for approval")

    async def cancel_all(self) -> None:
        tasks = [t.task for t in self.turns.values() if t.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- running -------------------------------------------------------------------------------
    def _emit_chunk(self, turn: RunningTurn, part: dict[str, Any], final: bool = False) -> None:
        turn.handle.stream.publish("llm_chunk", {"session_id": turn.session_id, "turn_id": turn.turn_id,
                                                 "part": part, "is_final": final}, turn.request_id)

    async def _run(self, turn: RunningTurn, data: dict[str, Any]) -> None:
        handle = turn.handle
        coalescer = DeltaCoalescer(lambda p: self._emit_chunk(turn, p), self.settings.coalesce_s,
                                   self.settings.coalesce_bytes)
        history: list[ChatMessage] = []
        end_part: dict[str, Any] = {"type": "turn-end", "reason": "error"}
        user_text = data["content"].strip()
        agent: Any = None
        allowed: set[str] = set()
        try:
            history = [message_from_native(m["native"]) for m in self.store.chat.messages(turn.session_id)]
            turn.loaded_ids = {id(m) for m in history}
            provider = await self.assistant.provider_for(data.get("profile"))
            if provider is None:
                raise TurnError("no_assistant", self.assistant.status.get("message") or "no assistant configured")
            mode = data.get("approval_mode") or self.store.settings.get("approval_mode") or "ask_destructive"
            agent = self._agent(turn.session_id, provider, mode)
            allowed = self._configure(agent, turn.session_id)

            async def approver(request: Any) -> Any:
                fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
                turn.approvals[request.call_id] = fut
                turn.pending[request.call_id] = {**request.to_event().to_dict(), "type": "approval-request"}
                if request.call_id not in turn.announced:
                    turn.announced.add(request.call_id)
                    coalescer.add({**request.to_event().to_dict(), "type": "approval-request"})
                coalescer.flush()
                try:
                    return await fut
                finally:
                    turn.approvals.pop(request.call_id, None)
                    turn.pending.pop(request.call_id, None)

            handle.origin = "assistant"
            async for ev in agent.run_turn(handle.editor, history, user_text, approver=approver,
                                           template=data.get("template")):
                d = ev.to_dict()
                t = d.get("type", "")
                if t == "player_command":
                    coalescer.flush()
                    handle.stream.publish("player_command", _player_data(d), turn.request_id)
                    continue
                if t == "approval_request":
                    if d.get("call_id") in turn.announced:
                        continue
                    turn.announced.add(d.get("call_id"))
                if t == "turn_end":
                    end_part = {**d, "type": "turn-end", "reason": "cancelled" if d.get("cancelled")
                                else d.get("finish_reason", "done")}
                    continue
                coalescer.add({**d, "type": part_type(t)})
            if end_part.get("reason") == "error" and "finish_reason" not in end_part:
                end_part = {"type": "turn-end", "reason": "done"}
        except asyncio.CancelledError:
            end_part = {"type": "turn-end", "reason": "cancelled", "cancelled": True}
        except TurnError as e:
            coalescer.add({"type": "error", "message": e.message, "kind": e.code})
        except Exception as e:
            log.warning("assistant turn failed: %s", scrub(f"{type(e).__name__}: {e}"))
            coalescer.add({"type": "error", "message": scrub(f"{type(e).__name__}: {e}"), "kind": "internal"})
        finally:
            handle.origin = "user"
            coalescer.flush()
            try:
                self._persist(turn, history, user_text)
            except Exception as e:
                log.warning("could not save chat turn: %s", type(e).__name__)
            try:
                if agent is not None:
                    self._save_allowed(agent, turn.session_id, allowed)
            except Exception as e:
                log.warning("could not save the chat's 'always allow' list: %s", type(e).__name__)
            self._emit_chunk(turn, end_part, final=True)
            self.turns.pop(turn.request_id, None)
            handle.busy_request_id = None
            if self.on_turn_end is not None:
                self.on_turn_end(handle)
            self.on_busy(handle)

    def _persist(self, turn: RunningTurn, history: list[ChatMessage], user_text: str) -> None:
        """Store this turn's messages: from the user message the agent appended to the end.

        The agent may fold/repair older messages in its working copy; the database keeps the full
        transcript, so only the new tail is written.
        """
        starts = [i for i, m in enumerate(history) if m.role == "user" and id(m) not in turn.loaded_ids]
        new = history[starts[-1]:] if starts else []
        if not new:  # the turn failed before the agent recorded the user message
            new = [ChatMessage("user", user_text)]
        number = self.store.chat.next_turn(turn.session_id)
        self.store.chat.append(turn.session_id, number,
                               [StoredMessage(m.role, native_of(m), parts_of(m)) for m in new])


def _player_data(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"command": d.get("action"), "action": d.get("action")}
    if d.get("position_s") is not None:
        out["position_s"] = d["position_s"]
        out["position_ms"] = int(round(float(d["position_s"]) * 1000))
    if d.get("volume") is not None:
        out["volume"] = d["volume"]
    return out
