"""The call syntax a small local model answers in, and its strict parser.

One answer is either tool calls, one per line, written as Python keyword calls::

    create_segment(start="0:30", duration=2.5, balls=2, color="red")
    play_audio(position="chorus")

or ``reply("text")`` to talk. Values are JSON literals with Python's ``True``/``False``/``None``.
The grammar (:mod:`.grammar`) guarantees the shape while generating, but not that the answer is
complete (a token limit or timeout can cut it) nor every schema keyword, so the final text is parsed
here with Python's ``ast`` (no evaluation: only literals are accepted) and each call's arguments
are validated against its tool's own schema. Anything wrong becomes :class:`AnswerInvalid`, whose
message is fed back to the model for a bounded re-ask.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from typing import Any

from ..providers.events import ToolSpec
from .grammar import REPLY_TOOL
from .schema import validate


class AnswerInvalid(ValueError):
    """The model's answer cannot be used as-is; the message tells the model what to fix."""


@dataclass(slots=True)
class Answer:
    """A parsed answer: ``calls`` (name, arguments) and/or ``reply`` text (after the calls)."""

    reply: str | None = None
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


# --- rendering (history and examples look exactly like the model's own output) --------------------

def render_value(value: Any) -> str:
    """A JSON value in call syntax: JSON, except True/False/None."""
    if value is True:
        return "True"
    if value is False:
        return "False"
    if value is None:
        return "None"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {render_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def render_call(name: str, arguments: dict[str, Any]) -> str:
    return f"{name}(" + ", ".join(f"{k}={render_value(v)}" for k, v in arguments.items()) + ")"


def render_calls(calls: list[dict[str, Any]]) -> str:
    """History's tool calls (``{"name", "arguments"}`` dicts) as the model would have written them."""
    return "\n".join(render_call(str(c["name"]), c.get("arguments") or {}) for c in calls)


def render_reply(text: str) -> str:
    return f"{REPLY_TOOL}({json.dumps(text, ensure_ascii=False)})"


# --- parsing -----------------------------------------------------------------------------------------

def _literal(node: ast.expr, where: str) -> Any:
    """A JSON-like literal from an AST node (strings, numbers, True/False/None, lists, dicts)."""
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, bool | int | float | str)):
        return _join_surrogates(node.value) if isinstance(node.value, str) else node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and isinstance(node.operand.value, int | float) and not isinstance(node.operand.value, bool):
        return -node.operand.value
    if isinstance(node, ast.List | ast.Tuple):
        return [_literal(v, where) for v in node.elts]
    if isinstance(node, ast.Dict):
        out: dict[str, Any] = {}
        for k, v in zip(node.keys, node.values, strict=True):
            if not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
                raise AnswerInvalid(f"{where}: object keys must be quoted strings")
            out[k.value] = _literal(v, where)
        return out
    raise AnswerInvalid(f"{where}: only literal values are allowed (text in quotes, numbers, lists)")


def _join_surrogates(text: str) -> str:
    """Python keeps "\\ud83d\\ude00" as two surrogates where JSON means one character."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    try:
        return text.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        raise AnswerInvalid("a text value contains a broken \\u escape") from None


def parse_answer(raw: str, tools: list[ToolSpec]) -> Answer:
    """Strictly parse and validate one whole answer (no repair: a cut answer must not run)."""
    text = raw.strip()
    if not text:
        raise AnswerInvalid("the answer is empty")
    try:
        module = ast.parse(text, mode="exec")
    except SyntaxError as exc:
        raise AnswerInvalid(f"the answer is not complete calls ({exc.msg}, line {exc.lineno})") from None
    statements = module.body
    if not statements or not all(isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) for s in statements):
        raise AnswerInvalid('the answer must be tool calls, one per line, or reply("...")')
    by_name = {t.name: t for t in tools}
    answer = Answer()
    problems: list[str] = []
    for i, stmt in enumerate(statements):
        call = stmt.value  # type: ignore[attr-defined]
        name = call.func.id if isinstance(call.func, ast.Name) else None
        where = f"call {i + 1}" + (f" ({name})" if name else "")
        try:
            if name == REPLY_TOOL:
                if i != len(statements) - 1 or len(call.args) != 1 or call.keywords:
                    raise AnswerInvalid('reply("...") takes one text and comes last')
                reply = _literal(call.args[0], where)
                if not isinstance(reply, str) or not reply.strip():
                    raise AnswerInvalid("reply needs non-empty text")
                answer.reply = reply.strip()
                continue
            tool = by_name.get(name or "")
            if tool is None:
                raise AnswerInvalid(f"{where}: unknown tool {name!r}; tools are {', '.join(by_name) or 'none'}")
            if call.args:
                raise AnswerInvalid(f"{where}: write every argument as name=value")
            args: dict[str, Any] = {}
            for kw in call.keywords:
                if kw.arg is None:
                    raise AnswerInvalid(f"{where}: write every argument as name=value")
                args[kw.arg] = _literal(kw.value, where)
            errors = validate(args, tool.parameters)
            if errors:
                raise AnswerInvalid(f"{where}: " + "; ".join(errors[:3]))
            answer.calls.append((tool.name, args))
        except AnswerInvalid as exc:
            problems.append(str(exc))
    if problems:
        raise AnswerInvalid("; ".join(problems))
    return answer


# --- streaming reply text ----------------------------------------------------------------------------

_REPLY_PREFIX = f'{REPLY_TOOL}("'


class ReplyStreamer:
    """Extracts the text of a ``reply("…")`` answer while it is being generated.

    Feed raw fragments; :meth:`feed` returns newly decoded text (possibly ""). Escapes are only
    decoded once complete, so no half escape or lone surrogate ever reaches the user.
    """

    __slots__ = ("_raw", "_emitted", "_mode")

    def __init__(self) -> None:
        self._raw = ""
        self._emitted = 0  # characters of decoded text already returned
        self._mode: str | None = None  # None = undecided, "reply", "other"

    @property
    def is_reply(self) -> bool:
        return self._mode == "reply"

    @property
    def raw(self) -> str:
        return self._raw

    def feed(self, fragment: str) -> str:
        self._raw += fragment
        if self._mode is None:
            head = self._raw.lstrip()
            if head.startswith(_REPLY_PREFIX):
                self._mode = "reply"
            elif head and not _REPLY_PREFIX.startswith(head):
                self._mode = "other"
        if self._mode != "reply":
            return ""
        body = self._raw.lstrip()[len(_REPLY_PREFIX):]
        safe = _decodable_prefix(body)
        text = json.loads('"' + safe + '"') if safe else ""
        new = text[self._emitted:]
        self._emitted = len(text)
        return new


def _decodable_prefix(body: str) -> str:
    """The longest prefix of a JSON string body that decodes on its own (stops at the closing quote)."""
    i, n, end = 0, len(body), 0
    while i < n:
        ch = body[i]
        if ch == '"':
            break
        if ch == "\\":
            if i + 1 >= n:
                break
            if body[i + 1] == "u":
                if i + 6 > n:
                    break
                code = int(body[i + 2:i + 6], 16) if _is_hex(body[i + 2:i + 6]) else -1
                if 0xD800 <= code <= 0xDBFF:  # high surrogate: needs its low half too
                    if i + 12 > n:
                        break
                    i += 12
                else:
                    i += 6
            else:
                i += 2
        else:
            i += 1
        end = i
    return body[:end]


def _is_hex(text: str) -> bool:
    return len(text) == 4 and all(c in "0123456789abcdefABCDEF" for c in text)
