"""GBNF grammar for the call syntax a small local model answers in (see :mod:`.syntax`).

Why our own grammar instead of JSON schema → grammar: generated tokens are the cost on a CPU
(~12 tokens/s for the 1.5B on 2 cores). ``create_segment(start="0:30", duration=2.5, balls=1,
color="blue")`` is 23 tokens where the same call as ``{"calls": [{"tool": …, "arguments": {…}}]}``
is 43, and a coder model writes Python calls fluently. Values inside a call are JSON literals
with Python's ``True``/``False``/``None``, so nested lists and objects read as in both languages.

The grammar is built from the request's tool schemas: only offered tools, only their keyword
arguments, in schema order (required ones mandatory), values shaped by the JSON-schema subset tools
use (type, enum, const, anyOf/oneOf, items, min/maxItems, properties, additionalProperties,
maxLength, $ref into $defs). Anything else falls back to "any literal"; :func:`schema.validate`
checks every answer afterwards anyway. Rule names use only letters, digits and dashes (GBNF).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..providers.events import ToolSpec
from .schema import arguments_schema

MAX_CALLS_PER_ANSWER = 8
MAX_REPLY_CHARS = 800
MAX_WRAP_UP_CHARS = 240  # the sentence after tool results: bounded so a turn's last request stays short
REPLY_TOOL = "reply"

_BASE_RULES = {
    "ws-sep": '", "',
    "char": r'[^"\\\x7F\x00-\x1F] | "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4})',
    "str": r'"\"" char* "\""',
    "int": r'"-"? ([0-9] | [1-9] [0-9]{1,15})',
    "num": r'int ("." [0-9]{1,15})? ([eE] [-+]? [0-9]{1,3})?',
    "bool": '"True" | "False"',
    "none": '"None"',
    "any": "str | num | bool | none | any-list | any-dict",
    "any-list": '"[" (any (ws-sep any)*)? "]"',
    "any-dict": r'"{" (str ": " any (ws-sep str ": " any)*)? "}"',
    "ident": "[a-zA-Z_] [a-zA-Z0-9_]{0,40}",
}


class _Builder:
    """Collects named rules; identical bodies share one rule."""

    def __init__(self, loose: bool) -> None:
        self.loose = loose
        self.rules: dict[str, str] = {}
        self._by_body: dict[str, str] = {}
        self._count = 0

    def add(self, body: str, hint: str = "r") -> str:
        if body in self._by_body:
            return self._by_body[body]
        self._count += 1
        name = f"{_slug(hint)}-{self._count}"
        self.rules[name] = body
        self._by_body[body] = name
        return name

    # values --------------------------------------------------------------------------------------
    def value(self, schema: Any, defs: dict[str, Any], prefix: str, seen: tuple[str, ...] = ()) -> str:
        """A rule (or base rule name) matching values of ``schema``."""
        if self.loose or not isinstance(schema, dict) or not schema:
            return "any"
        ref = schema.get("$ref")
        if isinstance(ref, str):
            key = ref.rsplit("/", 1)[-1]
            if key not in defs or key in seen:  # unknown or recursive: let the validator judge
                return "any"
            return self.value(defs[key], defs, prefix, (*seen, key))
        if "const" in schema:
            return self.add(_literal(schema["const"]), prefix)
        if "enum" in schema and isinstance(schema["enum"], list) and schema["enum"]:
            return self.add(" | ".join(_literal(v) for v in schema["enum"]), prefix)
        for key in ("anyOf", "oneOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                subs = [self.value(s, defs, prefix, seen) for s in schema[key]]
                return self.add(" | ".join(dict.fromkeys(subs)), prefix)
        kind = schema.get("type")
        if isinstance(kind, list):
            subs = [self.value({**schema, "type": k}, defs, prefix, seen) for k in kind]
            return self.add(" | ".join(dict.fromkeys(subs)), prefix)
        if kind == "string":
            lo, hi = int(schema.get("minLength", 0) or 0), schema.get("maxLength")
            if not lo and hi is None:
                return "str"
            reps = f"{{{lo},{int(hi)}}}" if hi is not None else f"{{{lo},}}"
            return self.add(f'"\\"" char{reps} "\\""', prefix)
        if kind == "integer":
            return "int"
        if kind == "number":
            return "num"
        if kind == "boolean":
            return "bool"
        if kind == "null":
            return "none"
        if kind == "array":
            return self._array(schema, defs, prefix, seen)
        if kind == "object":
            return self._object(schema, defs, prefix, seen)
        return "any"

    def _array(self, schema: dict[str, Any], defs: dict[str, Any], prefix: str, seen: tuple[str, ...]) -> str:
        item = self.value(schema.get("items"), defs, prefix, seen) if isinstance(schema.get("items"), dict) else "any"
        lo = max(0, int(schema.get("minItems", 0) or 0))
        hi = schema.get("maxItems")
        if hi is not None and int(hi) <= 0:
            return self.add('"[]"', prefix)
        more = f"{{{max(0, lo - 1)},{int(hi) - 1}}}" if hi is not None else ("*" if lo <= 1 else f"{{{lo - 1},}}")
        body = f"{item} (ws-sep {item}){more}"
        return self.add(f'"[" {body} "]"' if lo else f'"[" ({body})? "]"', prefix)

    def _object(self, schema: dict[str, Any], defs: dict[str, Any], prefix: str, seen: tuple[str, ...]) -> str:
        props = schema.get("properties")
        if isinstance(props, dict) and props:
            required = set(schema.get("required", []))
            items = [(f'"\\"{_escape(json.dumps(name)[1:-1])}\\": " {self.value(sub, defs, prefix, seen)}', name in required)
                     for name, sub in props.items()]
            return self.add(f'"{{" {self.ordered(items, prefix)} "}}"', prefix)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            v = self.value(extra, defs, prefix, seen)
            return self.add(f'"{{" (str ": " {v} (ws-sep str ": " {v})*)? "}}"', prefix)
        return "any-dict"

    def ordered(self, items: list[tuple[str, bool]], prefix: str) -> str:
        """Items in the given order, comma separated; optional ones may be left out.

        Rule ``seq(i, first)`` = items i.. with or without a leading separator: 2n small rules
        instead of an exponential expansion.
        """
        n = len(items)
        memo: dict[tuple[int, bool], str | None] = {}

        def seq(i: int, first: bool) -> str | None:
            if i == n:
                return None
            if (i, first) in memo:
                return memo[(i, first)]
            text, required = items[i]
            head = text if first else f"ws-sep {text}"
            after = seq(i + 1, False)
            taken = f"{head} {after}" if after else head
            if required:
                body = taken
            else:
                skipped = seq(i + 1, first)
                body = f"({taken} | {skipped})" if skipped else f"({taken})?"
            memo[(i, first)] = self.add(body, prefix)
            return memo[(i, first)]

        start = seq(0, True)
        return "" if start is None else start


def _slug(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower() or "r"


def _escape(text: str) -> str:
    """Text as the inside of a GBNF double-quoted literal."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _literal(value: Any) -> str:
    """A GBNF literal for one JSON value written the way :func:`syntax.render_value` writes it."""
    from .syntax import render_value

    return f'"{_escape(render_value(value))}"'


def _call_rule(builder: _Builder, tool: ToolSpec, loose: bool) -> str:
    schema = arguments_schema(tool, loose=loose)
    defs = {**(schema.get("definitions") or {}), **(schema.get("$defs") or {})}
    prefix = _slug(tool.name)
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else None
    if loose or props is None:
        args = '(ident "=" any (ws-sep ident "=" any)*)?'
    else:
        required = set(schema.get("required", []))
        items = [(f'"{name}=" {builder.value(sub, defs, prefix)}', name in required) for name, sub in props.items()
                 if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name)]
        args = builder.ordered(items, prefix)
    return builder.add(f'"{_escape(tool.name)}(" {args} ")"', prefix + "-call")


def answer_grammar(tools: list[ToolSpec], tool_choice: str | None = None, *, loose: bool = False,
                   wrap_up: bool = False) -> str:
    """The GBNF of one whole answer, honouring ``tool_choice`` (auto/none/required/<tool name>).

    An answer is 1–8 calls, one per line (where talking is allowed, optionally followed by a
    ``reply("text")`` line, e.g. to answer a question asked along with an edit), or ``reply("text")``. ``wrap_up`` (the last message is
    a tool result) caps the reply at one or two sentences. ``loose`` accepts any keyword
    arguments with any literal values (the fallback when llama.cpp rejects a tool's grammar).
    """
    choice = (tool_choice or "auto").lower() if tool_choice in (None, "auto", "none", "required") else tool_choice
    offered = [t for t in tools if t.name != REPLY_TOOL]
    if choice not in ("auto", "none", "required"):
        offered = [t for t in offered if t.name == choice]
        if not offered:
            raise ValueError(f"tool_choice names {choice!r}, which is not among the offered tools")
    builder = _Builder(loose)
    limit = MAX_WRAP_UP_CHARS if wrap_up else MAX_REPLY_CHARS
    reply = f'"{REPLY_TOOL}(\\"" char{{1,{limit}}} "\\")"'
    branches: list[str] = []
    if offered and choice != "none":
        call = builder.add(" | ".join(_call_rule(builder, t, loose) for t in offered), "call")
        tail = f' ("\\n" {reply})?' if choice == "auto" else ""
        branches.append(f'{call} ("\\n" {call}){{0,{MAX_CALLS_PER_ANSWER - 1}}}{tail}')
    if not offered or choice in ("auto", "none"):
        branches.append(reply)
    lines = [f"root ::= {' | '.join(branches)}"]
    lines += [f"{name} ::= {body}" for name, body in builder.rules.items()]
    lines += [f"{name} ::= {body}" for name, body in _BASE_RULES.items()]
    return "\n".join(lines) + "\n"


def rule_references(grammar: str) -> tuple[set[str], set[str]]:
    """(defined rule names, referenced rule names) of a GBNF text: a cheap self-consistency check."""
    defined, used = set(), set()
    for line in grammar.splitlines():
        if "::=" not in line:
            continue
        name, body = line.split("::=", 1)
        defined.add(name.strip())
        body = re.sub(r'"(?:[^"\\]|\\.)*"', " ", body)  # drop literals
        body = re.sub(r"\[(?:[^\]\\]|\\.)*\]", " ", body)  # drop character classes
        body = re.sub(r"\{\d*,?\d*\}", " ", body)  # drop repetition counts
        used.update(re.findall(r"[a-zA-Z][a-zA-Z0-9-]*", body))
    return defined, used
