"""Events one assistant turn emits, for the CLI and the studio (mapped 1:1 to ``llm_chunk`` parts).

This is the stable contract between the agent loop and its consumers: every event is a dataclass
with a ``type`` string and ``to_dict()`` that returns plain JSON-able data. Nothing here knows about
HTTP, WebSockets or providers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class _Event:
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class TextDeltaEvent(_Event):
    """Visible assistant text, streamed."""

    text: str
    type: str = "text_delta"


@dataclass(frozen=True, slots=True)
class ToolCallStartEvent(_Event):
    """The model has started writing a tool call (arguments follow as fragments)."""

    call_id: str
    name: str
    type: str = "tool_call_start"


@dataclass(frozen=True, slots=True)
class ToolCallDeltaEvent(_Event):
    """A raw fragment of a call's JSON arguments, for live display only."""

    call_id: str
    fragment: str
    type: str = "tool_call_delta"


@dataclass(frozen=True, slots=True)
class ToolCallEvent(_Event):
    """A complete tool call whose arguments passed validation (about to run or to be approved)."""

    call_id: str
    name: str
    arguments: dict[str, Any]
    type: str = "tool_call"


@dataclass(frozen=True, slots=True)
class ToolResultEvent(_Event):
    """What a call returned (``ok``) or why it failed/was rejected (``error``); the model sees it too."""

    call_id: str
    name: str
    ok: bool
    result: Any = None
    error: str | None = None
    type: str = "tool_result"


@dataclass(frozen=True, slots=True)
class ApprovalRequestEvent(_Event):
    """A call waits for the user. ``preview`` = per-ball diff of what it would change."""

    call_id: str
    name: str
    arguments: dict[str, Any]
    reason: str
    preview: list[dict[str, Any]] = field(default_factory=list)
    type: str = "approval_request"


@dataclass(frozen=True, slots=True)
class ResetEvent(_Event):
    """Discard the text/tool-call fragments shown for the current request: the provider retries."""

    reason: str
    type: str = "reset"


@dataclass(frozen=True, slots=True)
class UsageEvent(_Event):
    """Token usage and cost of one LLM request (``estimated`` when the provider sent no usage)."""

    input_tokens: int
    output_tokens: int
    cached_input_tokens: int = 0
    cost_usd: float | None = None
    estimated: bool = False
    type: str = "usage"


@dataclass(frozen=True, slots=True)
class ErrorEvent(_Event):
    """Something went wrong for this turn (provider failure, step limit …)."""

    message: str
    retryable: bool = False
    type: str = "error"


PlayerAction = Literal["play", "pause", "stop", "seek", "volume"]


@dataclass(frozen=True, slots=True)
class PlayerCommandEvent(_Event):
    """A command for whichever audio player is attached (the browser in the studio)."""

    action: str
    position_s: float | None = None
    volume: float | None = None  # 0.0–1.0
    type: str = "player_command"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": self.type, "action": self.action}
        if self.position_s is not None:
            d["position_s"] = self.position_s
        if self.volume is not None:
            d["volume"] = self.volume
        return d


@dataclass(frozen=True, slots=True)
class TurnEndEvent(_Event):
    """The turn is over. ``undo_label`` is None when the turn changed nothing."""

    finish_reason: str
    steps: int
    llm_requests: int
    undo_label: str | None = None
    checkpoint_before: str | None = None
    checkpoint_after: str | None = None
    cancelled: bool = False
    type: str = "turn_end"


TurnEvent = (
    TextDeltaEvent | ToolCallStartEvent | ToolCallDeltaEvent | ToolCallEvent | ToolResultEvent
    | ApprovalRequestEvent | ResetEvent | UsageEvent | ErrorEvent | PlayerCommandEvent | TurnEndEvent
)


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    """Handed to the approver callback (same content as :class:`ApprovalRequestEvent`)."""

    call_id: str
    name: str
    arguments: dict[str, Any]
    reason: str
    preview: list[dict[str, Any]] = field(default_factory=list)

    def to_event(self) -> ApprovalRequestEvent:
        return ApprovalRequestEvent(self.call_id, self.name, self.arguments, self.reason, self.preview)


@dataclass(frozen=True, slots=True)
class ApprovalDecision:
    """The user's answer: approve, edit (run with ``arguments`` instead) or reject.

    ``always_allow`` makes the tool run without asking for the rest of this chat.
    """

    decision: Literal["approve", "edit", "reject"]
    arguments: dict[str, Any] | None = None
    always_allow: bool = False
    message: str = ""  # optional note from the user, shown to the model on reject

    def __post_init__(self) -> None:
        if self.decision not in ("approve", "edit", "reject"):
            raise ValueError(f"approval decision must be approve, edit or reject, got {self.decision!r}")
        if self.decision == "edit" and not isinstance(self.arguments, dict):
            raise ValueError("an 'edit' decision needs the edited arguments as a dict")
