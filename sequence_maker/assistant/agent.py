"""The agent loop: one user turn → LLM requests and tool calls until the model answers.

Flow of a turn: checkpoint "before" → open one undo group → ask the model → validate each tool call
→ run reads in parallel / writes and player commands in call order (writes dry-run on a copy,
optional approval with a diff preview, then applied) → feed every result back → repeat until the
model answers without tools or ``max_steps`` requests were made → close the group (one undo step)
→ checkpoint "after". With ``wrap_up="tools"`` (or "auto" on a provider that sets
``wrap_up_from_tools``) a round of calls that all succeeded and read nothing ends the turn at once
with a sentence composed from the results: the model would only have written "Done: …", and on a
slow local model that extra request costs as much as the edit.

Cancellation keeps the edits already applied (each was complete, validated and, if required,
approved; they form one undo step, so one Ctrl-Z removes the whole turn) and repairs the history so
every tool call has a result. Two ways to cancel: :meth:`Assistant.cancel` (graceful: the stream is
closed and a ``turn_end`` with ``cancelled=True`` is emitted) or cancelling the task / ``aclose()``
on the iterator (hard: same clean-up, no further events).
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..history.editor import ProjectEditor
from ..model.errors import ModelError
from .approval import ApprovalPolicy
from .context import ball_overview, context_text, conversation_tokens, fold_history, timelines_text
from .executor import Outcome, apply_outcome, change_summary, clone_project, preview, run_tool
from .player import PlayerSink
from .prompts import Feedback, apply_template, system_prompt, turn_content
from .providers.base import ChatRequest, MetricsSink, Provider
from .providers.events import (
    ChatMessage,
    Finish,
    Reset,
    StreamError,
    TextDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    Usage,
)
from .tools import ToolInputError, ToolRegistry, default_registry
from .tools.registry import Tool, ToolArgs, ToolContext
from .tools.resolve import ResolveError
from .turn_events import (
    ApprovalDecision,
    ApprovalRequest,
    ErrorEvent,
    ResetEvent,
    TextDeltaEvent,
    ToolCallDeltaEvent,
    ToolCallEvent,
    ToolCallStartEvent,
    ToolResultEvent,
    TurnEndEvent,
    TurnEvent,
    UsageEvent,
)

Approver = Callable[[ApprovalRequest], Awaitable[ApprovalDecision]]
CANCELLED_RESULT = "cancelled by user"
DEFAULT_CONTEXT_WINDOW = 128_000
WRAP_UP_MODES = ("model", "tools", "auto")


@dataclass(slots=True)
class _Call:
    """One tool call of a response, as it moves from parsing to its result."""

    call_id: str
    name: str
    arguments: dict[str, Any]
    tool: Tool | None = None
    args: ToolArgs | None = None
    error: str | None = None  # set when invalid (never executed)
    result: ToolResultEvent | None = None
    edited: bool = False  # the user changed the arguments at approval


@dataclass(slots=True)
class _Turn:
    """Mutable state of the running turn (for clean-up on cancel)."""

    label: str
    llm_requests: int = 0
    reasks: int = 0
    open_calls: list[_Call] = field(default_factory=list)
    partial_text: str = ""
    streaming: bool = False
    last_error: tuple[str, str] | None = None  # (tool name, error) of the latest failed, not user-rejected, call
    changes: int = 0  # calls that changed something (writes and player commands that succeeded)


class Assistant:
    """Runs assistant turns against a project editor. One instance per chat (holds sticky approvals,
    feedback and the graceful-cancel flag)."""

    def __init__(self, provider: Provider, *, approval_mode: str = "auto", max_steps: int = 8,
                 tool_timeout_s: float = 10.0, custom_instructions: str = "", metrics_sink: MetricsSink | None = None,
                 player: PlayerSink | None = None, registry: ToolRegistry | None = None,
                 context_window: int | None = None, max_reasks: int = 2, temperature: float | None = None,
                 feedback: Sequence[Feedback] = (), wrap_up: str = "auto") -> None:
        if max_steps < 1:
            raise ValueError("max_steps must be at least 1")
        if wrap_up not in WRAP_UP_MODES:
            raise ValueError(f"wrap_up must be one of {', '.join(WRAP_UP_MODES)}, not {wrap_up!r}")
        self.provider = provider
        self.policy = ApprovalPolicy(approval_mode)
        self.max_steps = max_steps
        self.tool_timeout_s = tool_timeout_s
        self.custom_instructions = custom_instructions
        self.metrics_sink = metrics_sink
        if metrics_sink is not None and getattr(provider, "metrics_sink", False) is None:
            provider.metrics_sink = metrics_sink  # type: ignore[attr-defined]  # adapters measure each request
        self.player = player
        self.registry = registry or default_registry()
        self.context_window = context_window or getattr(provider, "context_window", None) or DEFAULT_CONTEXT_WINDOW
        self.max_reasks = max_reasks
        self.temperature = temperature
        self.feedback: list[Feedback] = list(feedback)
        self.last_request_tokens: int = 0
        self._cancel_requested = False
        # "tools": a round of successful edits/player commands ends the turn with a sentence composed
        # from the results instead of one more model request (on a slow local model that request
        # costs as much as the edit itself). "auto" asks the provider whether it wants that.
        self.wrap_up = wrap_up
        self.wrap_up_from_tools = (wrap_up == "tools" or
                                   (wrap_up == "auto" and bool(getattr(provider, "wrap_up_from_tools", False))))

    # --- public helpers ------------------------------------------------------------------------
    @property
    def approval_mode(self) -> str:
        return self.policy.mode

    def cancel(self) -> None:
        """Graceful cancel: stop the current turn at the next event; it ends with ``cancelled=True``."""
        self._cancel_requested = True

    def add_feedback(self, liked: bool, request: str, note: str = "") -> None:
        """Record the user's verdict on a result; later turns see it in the system prompt."""
        self.feedback.append(Feedback(liked, request, note))

    def _prompt_tokens(self, messages: list[ChatMessage]) -> int:
        """Estimated prompt size of ``messages`` plus the tools, as this provider renders the tools
        when it says (``tool_prompt_tokens``), else as JSON schemas."""
        tools = self.registry.specs()
        own = getattr(self.provider, "tool_prompt_tokens", None)
        if callable(own):
            return conversation_tokens(messages) + int(own(list(tools)))
        return conversation_tokens(messages, tools)

    def system_message(self, editor: ProjectEditor, history: Sequence[ChatMessage] = ()) -> ChatMessage:
        """The system prompt with the project (built once per turn): the song as it is now, the
        timelines as they were at the chat's first turn (``meta["balls"]`` of its first user message),
        so edits do not change it and prompt caches keep the conversation."""
        first = next((m for m in history if m.role == "user"), None)
        balls = first.meta.get("balls") if first is not None else None
        context = context_text(editor.project, balls if isinstance(balls, list) else None)
        return ChatMessage("system", system_prompt(context, self.custom_instructions,
                                                   self.feedback))

    def build_request(self, editor: ProjectEditor, history: list[ChatMessage],
                      system: ChatMessage | None = None) -> ChatRequest:
        """The exact request sent. Within a turn the same ``system`` message is reused, so every request
        of the turn extends the previous one (provider prompt caches hit); the model learns about its
        own edits from the tool results and can re-read the project with the read tools."""
        system = system or self.system_message(editor, history)
        return ChatRequest([system, *(_as_sent(m) for m in history)], tools=self.registry.specs(),
                           temperature=self.temperature)

    # --- the turn ------------------------------------------------------------------------------
    async def run_turn(self, editor: ProjectEditor, history: list[ChatMessage], user_text: str, *,
                       approver: Approver | None = None, template: str | None = None) -> AsyncIterator[TurnEvent]:
        """Run one user turn, yielding :mod:`turn_events`. ``history`` is updated in place."""
        text = apply_template(template, user_text)
        if not text.strip():
            raise ValueError("the prompt is empty")
        self._cancel_requested = False
        repair_history(history)
        system = self.system_message(editor, history)
        balls = ball_overview(editor.project)
        now = timelines_text(balls)
        if not any(m.role == "user" for m in history):  # the first turn: its timelines are in the system prompt
            asked = ChatMessage("user", text, meta={"balls": balls, "timelines": now, "timelines_in_system": True})
        else:
            asked = ChatMessage("user", text, meta={"timelines": now} if now != _known_timelines(history) else {})
        fixed = self._prompt_tokens([asked, system])
        fold_history(history, context_window=self.context_window, fixed_tokens=fixed)
        history.append(asked)
        short = " ".join(text.split())[:60]
        turn = _Turn(label=f"Assistant: {short}")
        cp_before = editor.checkpoint(f"Before: {short}", auto=True)
        group_cm = editor.group(turn.label, origin="assistant")
        group = group_cm.__enter__()
        finish = "stop"
        finished = False
        loop = self._loop(editor, history, turn, approver, system)
        try:
            async for event in loop:
                if isinstance(event, TurnEndEvent):
                    finish = event.finish_reason
                    continue
                yield event
            finished = True
        finally:
            if not finished:  # hard cancel (task cancelled / aclose): close the stream, repair, keep edits
                await loop.aclose()
                self._repair_after_cancel(history, turn)
            group_cm.__exit__(None, None, None)  # keep applied edits as one undo step (see module doc)
            changed = bool(group.step.commands)
            cp_after = editor.checkpoint(f"After: {short}", auto=True).id if changed else None
            _note_timelines_after(history, timelines_text(ball_overview(editor.project)))
        yield TurnEndEvent(finish, steps=turn.llm_requests, llm_requests=turn.llm_requests,
                           undo_label=turn.label if changed else None, checkpoint_before=cp_before.id,
                           checkpoint_after=cp_after, cancelled=finish == "cancelled")

    async def _loop(self, editor: ProjectEditor, history: list[ChatMessage], turn: _Turn,
                    approver: Approver | None, system: ChatMessage) -> AsyncIterator[TurnEvent]:
        while True:
            if self._cancel_requested:
                yield TurnEndEvent("cancelled", turn.llm_requests, turn.llm_requests)
                return
            if turn.llm_requests >= self.max_steps:
                yield ErrorEvent(f"stopped after {self.max_steps} model requests without a final answer")
                yield TurnEndEvent("max_steps", turn.llm_requests, turn.llm_requests)
                return
            request = self.build_request(editor, history, system)
            self.last_request_tokens = self._prompt_tokens(request.messages)
            turn.llm_requests += 1
            calls: list[_Call] = []
            finish: str | None = None
            failed = False
            turn.partial_text, turn.streaming = "", True
            stream = self.provider.stream(request)
            guarded = self._guarded(stream)
            try:
                async for ev in guarded:
                    if self._cancel_requested:
                        break
                    if isinstance(ev, TextDelta):
                        turn.partial_text += ev.text
                        yield TextDeltaEvent(ev.text)
                    elif isinstance(ev, ToolCallStart):
                        yield ToolCallStartEvent(ev.call_id, ev.name)
                    elif isinstance(ev, ToolCallDelta):
                        yield ToolCallDeltaEvent(ev.call_id, ev.fragment)
                    elif isinstance(ev, ToolCallEnd):
                        calls.append(self._parse_call(ev))
                    elif isinstance(ev, Usage):
                        yield UsageEvent(ev.input_tokens, ev.output_tokens, ev.cached_input_tokens,
                                         self._cost(ev), ev.estimated)
                    elif isinstance(ev, Finish):
                        finish = ev.reason
                    elif isinstance(ev, Reset):
                        turn.partial_text, calls = "", []
                        yield ResetEvent(ev.reason)
                    elif isinstance(ev, StreamError):
                        yield ErrorEvent(ev.message, ev.retryable)
                        failed = True
            finally:
                await _aclose(guarded)
                await _aclose(stream)
            turn.streaming = False
            if self._cancel_requested:
                if turn.partial_text:
                    history.append(ChatMessage("assistant", turn.partial_text, meta={"cancelled": True}))
                yield TurnEndEvent("cancelled", turn.llm_requests, turn.llm_requests)
                return
            if failed:
                if turn.partial_text:
                    history.append(ChatMessage("assistant", turn.partial_text, meta={"incomplete": True}))
                yield TurnEndEvent("error", turn.llm_requests, turn.llm_requests)
                return
            if not calls and (note := _nothing_changed_note(turn)):
                # the final answer must not leave a failed turn looking done (small models say "Done")
                sep = "\n\n" if turn.partial_text.strip() else ""
                yield TextDeltaEvent(sep + note)
                turn.partial_text += sep + note
            if not calls and not turn.partial_text:
                yield TurnEndEvent(finish or "stop", turn.llm_requests, turn.llm_requests)
                return
            history.append(ChatMessage("assistant", turn.partial_text,
                                       tool_calls=[{"id": c.call_id, "name": c.name, "arguments": c.arguments}
                                                   for c in calls]))
            round_text, turn.partial_text = turn.partial_text, ""
            if not calls:
                yield TurnEndEvent(finish or "stop", turn.llm_requests, turn.llm_requests)
                return
            turn.open_calls = calls
            async for event in self._run_calls(editor, calls, approver):
                yield event
            for c in calls:
                if c.result is None:  # not reached: the turn was cancelled first
                    c.result = ToolResultEvent(c.call_id, c.name, False, None, CANCELLED_RESULT)
                    yield c.result
                history.append(_result_message(c))
                if c.error is not None:
                    turn.last_error = (c.name, c.error)
                elif c.result.ok and c.tool is not None and c.tool.kind != "read":
                    turn.changes += 1
            turn.open_calls = []
            if self._cancel_requested:
                yield TurnEndEvent("cancelled", turn.llm_requests, turn.llm_requests)
                return
            if self.wrap_up_from_tools and _wrap_up_ready(calls):
                text = compose_wrap_up(calls)
                yield TextDeltaEvent(("\n\n" if round_text.strip() else "") + text)
                history.append(ChatMessage("assistant", text, meta={"composed": True}))
                yield TurnEndEvent("stop", turn.llm_requests, turn.llm_requests)
                return
            if any(c.error is not None for c in calls):
                turn.reasks += 1
                if turn.reasks > self.max_reasks:
                    yield ErrorEvent(f"the model kept sending invalid tool calls ({self.max_reasks} corrections "
                                     "allowed per turn); stopping")
                    yield TurnEndEvent("invalid_tool_calls", turn.llm_requests, turn.llm_requests)
                    return

    @staticmethod
    async def _guarded(stream: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """The provider's events; an adapter that raises instead of yielding StreamError ends the
        request with a StreamError (the turn reports it instead of crashing)."""
        try:
            async for ev in stream:
                yield ev
        except Exception as exc:
            yield StreamError(f"{type(exc).__name__}: {exc}", kind="exception")

    # --- tool calls ----------------------------------------------------------------------------
    def _parse_call(self, ev: ToolCallEnd) -> _Call:
        call = _Call(ev.call_id, ev.name, dict(ev.arguments) if ev.ok and isinstance(ev.arguments, dict) else {})
        if not ev.ok:
            call.error = (f"the arguments of this {ev.name} call were cut off or unreadable "
                          f"({ev.error or 'invalid JSON'}); nothing was run. Send the complete call again.")
            return call
        try:
            call.tool, call.args = self.registry.parse(ev.name, call.arguments)
        except ToolInputError as exc:
            call.error = str(exc)
        return call

    async def _run_calls(self, editor: ProjectEditor, calls: list[_Call],
                         approver: Approver | None) -> AsyncIterator[TurnEvent]:
        """Reads in parallel between barriers; writes and player commands one by one, in call order."""
        for c in calls:
            if c.error is None:
                yield ToolCallEvent(c.call_id, c.name, c.arguments)
        batch: list[_Call] = []
        for c in calls:
            if c.error is not None:
                c.result = ToolResultEvent(c.call_id, c.name, False, None, c.error)
                yield c.result
                continue
            assert c.tool is not None
            if c.tool.kind == "read":
                batch.append(c)
                continue
            async for event in self._run_reads(editor, batch):
                yield event
            batch = []
            if self._cancel_requested:
                return
            async for event in self._run_change(editor, c, approver):
                yield event
        async for event in self._run_reads(editor, batch):
            yield event

    async def _run_reads(self, editor: ProjectEditor, batch: list[_Call]) -> AsyncIterator[TurnEvent]:
        if not batch:
            return
        snapshot = clone_project(editor.project)  # threads read a private copy, never a project being edited
        results = await asyncio.gather(*(self._timed(c.tool, c.args, editor, dry=False, project=snapshot)  # type: ignore[arg-type]
                                         for c in batch))
        for c, (ok, value) in zip(batch, results, strict=True):
            self._finish_call(c, ok, value.result if ok else value, None)
            assert c.result is not None
            yield c.result

    async def _run_change(self, editor: ProjectEditor, c: _Call, approver: Approver | None) -> AsyncIterator[TurnEvent]:
        assert c.tool is not None and c.args is not None
        version = editor.version  # the dry run copies the project as of this version
        ok, outcome = await self._timed(c.tool, c.args, editor, dry=True)
        if not ok:
            self._finish_call(c, False, outcome, None)
            yield c.result  # type: ignore[misc]
            return
        reason = self.policy.reason(c.tool, c.args, editor.project, outcome.diff)
        if reason:
            request = ApprovalRequest(c.call_id, c.name, c.arguments, reason, preview(outcome.diff))
            yield request.to_event()
            if approver is None:
                self._finish_call(c, False, "this call needs the user's approval and no one can approve it here; "
                                            "it was not run", None, rejected=True)
                yield c.result  # type: ignore[misc]
                return
            decision = await approver(request)
            if decision.always_allow:
                self.policy.always_allowed.add(c.name)
            if decision.decision == "reject":
                note = f": {decision.message}" if decision.message else ""
                self._finish_call(c, False, f"the user rejected this call{note}; it was not run. "
                                            "Ask what they want or try something else.", None, rejected=True)
                yield c.result  # type: ignore[misc]
                return
            if decision.decision == "edit":
                try:
                    c.tool, c.args = self.registry.parse(c.name, dict(decision.arguments or {}))
                except ToolInputError as exc:
                    self._finish_call(c, False, f"the user's edited arguments are invalid: {exc}", None)
                    yield c.result  # type: ignore[misc]
                    return
                c.arguments, c.edited = dict(decision.arguments or {}), True
                version = editor.version
                ok, outcome = await self._timed(c.tool, c.args, editor, dry=True)
                if not ok:
                    self._finish_call(c, False, outcome, None)
                    yield c.result  # type: ignore[misc]
                    return
        if editor.version != version and c.tool.kind == "write":
            # someone edited the project while the call ran or waited for approval: redo the dry run
            # on the current state so the applied commands fit exactly
            ok, outcome = await self._timed(c.tool, c.args, editor, dry=True)
            if not ok:
                self._finish_call(c, False, outcome, None)
                yield c.result  # type: ignore[misc]
                return
        try:
            apply_outcome(editor, outcome, c.name)
        except ModelError as exc:
            self._finish_call(c, False, f"the project changed while this call ran ({exc}); call it again", None)
            yield c.result  # type: ignore[misc]
            return
        for cmd in outcome.player_commands:
            if self.player is not None:
                self.player.command(cmd)
            yield cmd
        self._finish_call(c, True, outcome.result, outcome)
        yield c.result  # type: ignore[misc]

    async def _timed(self, tool: Tool, args: ToolArgs, editor: ProjectEditor, *, dry: bool,
                     project: Any = None) -> tuple[bool, Any]:
        """Run a handler with the per-tool timeout. Returns (True, Outcome) or (False, error text)."""
        try:
            if inspect.iscoroutinefunction(tool.handler):
                coro = _run_async(tool, args, project or editor.project)
            elif tool.kind == "write":
                copy = clone_project(editor.project)  # snapshot on the loop thread, edit it off-thread
                coro = asyncio.to_thread(run_tool, tool, args, copy, is_copy=True)
            elif tool.kind == "player":
                return True, run_tool(tool, args, editor.project)
            else:
                coro = asyncio.to_thread(run_tool, tool, args, project or editor.project)
            return True, await asyncio.wait_for(coro, self.tool_timeout_s)
        except TimeoutError:
            return False, f"{tool.name} timed out after {self.tool_timeout_s:g} s; nothing was changed"
        except (ResolveError, ModelError, ValueError) as exc:
            return False, f"{tool.name}: {exc}. Nothing was changed; fix the arguments and call again."
        except Exception as exc:  # a bug in a tool must not kill the turn
            return False, f"{tool.name} failed unexpectedly ({type(exc).__name__}: {exc}); nothing was changed"

    def _finish_call(self, c: _Call, ok: bool, value: Any, outcome: Outcome | None, *, rejected: bool = False) -> None:
        if ok:
            result = dict(value) if isinstance(value, dict) else {"result": value}
            if outcome is not None and outcome.diff is not None:
                result["changes"] = change_summary(outcome.diff)
            if c.edited:
                result["user_edited_arguments"] = c.arguments  # the model must know what actually ran
            c.result = ToolResultEvent(c.call_id, c.name, True, result, None)
        else:
            if not rejected:
                c.error = str(value)
            c.result = ToolResultEvent(c.call_id, c.name, False, {"rejected": True} if rejected else None, str(value))

    def _repair_after_cancel(self, history: list[ChatMessage], turn: _Turn) -> None:
        if turn.streaming and turn.partial_text:
            history.append(ChatMessage("assistant", turn.partial_text, meta={"cancelled": True}))
        for c in turn.open_calls:
            if c.result is None:
                c.result = ToolResultEvent(c.call_id, c.name, False, None, CANCELLED_RESULT)
            history.append(_result_message(c))
        turn.open_calls = []
        repair_history(history)

    def _cost(self, usage: Usage) -> float | None:
        pid = getattr(self.provider, "price_provider_id", None)
        if pid is None and self.provider.name in ("openai", "anthropic"):
            pid = self.provider.name
        if pid is None:
            return None
        try:
            from .providers.pricing import price_usage

            return price_usage(usage, provider_id=pid, model=self.provider.model)
        except LookupError:
            return None


async def _run_async(tool: Tool, args: ToolArgs, project: Any) -> Outcome:
    ctx = ToolContext(project)
    return Outcome(await tool.handler(ctx, args), player_commands=list(ctx.player_commands))


async def _aclose(stream: Any) -> None:
    close = getattr(stream, "aclose", None)
    if close is not None:
        try:
            await close()
        except Exception:  # closing a broken stream must not mask the real outcome
            pass


def _nothing_changed_note(turn: _Turn) -> str | None:
    """What the user must read when every attempt of the turn failed, whatever the model said."""
    if turn.last_error is None or turn.changes:
        return None
    name, error = turn.last_error
    reason = error.split(" Nothing was changed", 1)[0].split("; nothing was changed", 1)[0]
    reason = " ".join(reason.removeprefix(f"{name}: ").split()).rstrip(". ")
    if len(reason) > 240:
        reason = reason[:239] + "…"
    return f"(Nothing was changed: {name} failed: {reason}.)"


def _known_timelines(history: Sequence[ChatMessage]) -> str | None:
    """The timelines as the model last learned them: after its previous turn, or as last sent."""
    for m in reversed(history):
        for key in ("timelines_after", "timelines"):
            known = m.meta.get(key) if m.meta else None
            if isinstance(known, str):
                return known
    return None


def _note_timelines_after(history: list[ChatMessage], timelines: str) -> None:
    """Remember, on the turn's last message (meta is never sent), what the timelines were at its end.

    The model saw its own edits in the tool results; if nobody touches the timelines before the next
    request, that request does not repeat them (fewer tokens to re-read on a local model)."""
    if history and history[-1].role != "user":
        history[-1].meta["timelines_after"] = timelines


def _as_sent(m: ChatMessage) -> ChatMessage:
    """A history message as the model reads it: a user turn with the timelines it was asked on.

    Each turn keeps its own snapshot, so earlier turns read the same on every later request (a
    prompt cache keeps them) and the model sees what the timelines were when each thing was said."""
    timelines = m.meta.get("timelines") if m.role == "user" and m.meta else None
    if not isinstance(timelines, str) or m.meta.get("timelines_in_system"):
        return m
    return replace(m, content=turn_content(m.content, timelines))


def _wrap_up_ready(calls: list[_Call]) -> bool:
    """True when the model has nothing left to learn from this round: every call succeeded and none
    was a read (the model asked for those values, so it must see them)."""
    return bool(calls) and all(c.error is None and c.tool is not None and c.tool.kind != "read"
                               and c.result is not None and c.result.ok for c in calls)


def _clock(seconds: float) -> str:
    """0:30, 1:05.5 — song positions the way a user writes them."""
    total = round(max(0.0, float(seconds)), 2)
    minutes = int(total // 60)
    rest = round(total - 60 * minutes, 2)
    whole = int(rest)
    frac = f"{rest - whole:.2f}"[1:].rstrip("0").rstrip(".")
    return f"{minutes}:{whole:02d}{frac}"


def _describe_done(name: str, done: Any) -> str:
    """One tool result as a phrase: the tool's ``done`` text, or a player command made readable."""
    if isinstance(done, str) and done.strip():
        return done.strip().rstrip(".")
    if isinstance(done, dict) and "action" in done:
        action, pos, vol = done.get("action"), done.get("position_s"), done.get("volume")
        if action == "play":
            return f"play from {_clock(pos)}" if isinstance(pos, int | float) else "play"
        if action == "seek" and isinstance(pos, int | float):
            return f"seek to {_clock(pos)}"
        if action == "volume" and isinstance(vol, int | float):
            return f"volume {round(vol * 100):g}%"
        return str(action)
    return name.replace("_", " ")


def compose_wrap_up(calls: Sequence[Any]) -> str:
    """The closing sentence of a turn, built from its tool results instead of asking the model."""
    parts: list[str] = []
    for c in calls:
        result = c.result.result if c.result is not None else None
        done = result.get("done") if isinstance(result, dict) else None
        phrase = _describe_done(c.name, done)
        if phrase not in parts:
            parts.append(phrase)
    return "Done: " + "; ".join(parts) + "."


def _result_message(c: _Call) -> ChatMessage:
    r = c.result
    assert r is not None
    body = r.result if r.ok else {"error": r.error, **(r.result or {})}
    return ChatMessage("tool", json.dumps(body, ensure_ascii=False, separators=(",", ":")), tool_call_id=c.call_id,
                       name=c.name, is_error=not r.ok)


def repair_history(history: list[ChatMessage]) -> None:
    """Make the history valid for every provider: each tool call gets a result right after its
    assistant message (synthetic "cancelled by user"), and orphaned tool results are dropped."""
    out: list[ChatMessage] = []
    i = 0
    while i < len(history):
        m = history[i]
        if m.role == "tool":
            i += 1  # orphan (its assistant message is not directly before it)
            continue
        out.append(m)
        i += 1
        if m.role == "assistant" and m.tool_calls:
            results = {}
            while i < len(history) and history[i].role == "tool":
                results.setdefault(history[i].tool_call_id, history[i])
                i += 1
            for call in m.tool_calls:
                got = results.get(call.get("id"))
                out.append(got if got is not None else ChatMessage(
                    "tool", json.dumps({"error": CANCELLED_RESULT}), tool_call_id=call.get("id"),
                    name=call.get("name"), is_error=True))
    history[:] = out
