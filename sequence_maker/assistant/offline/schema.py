"""The JSON contract a small local model answers in, and a checker for tool arguments.

A small model cannot be trusted with a chat template's native tool-call syntax, so it answers in
one JSON object, enforced token by token by llama.cpp's grammar engine:

    {"calls": [{"tool": "<name>", "arguments": {...}}, ...]}   to act, or
    {"reply": "text"}                                           to talk.

The schema is built from the request's ``ToolSpec``s, so the model can only name real tools and
only produce arguments shaped like their schemas. :func:`validate` re-checks the parsed result
(some keywords are not enforced by every grammar engine) so nothing unchecked reaches a tool.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ..providers.events import ToolSpec

# Keywords that only document a schema; dropping them keeps the grammar small.
_DOC_KEYWORDS = ("title", "description", "examples", "x-examples", "default", "$comment", "format", "deprecated")
# Fixed separators: compact JSON costs ~half the tokens of pretty-printed JSON, and ", " / ": " are
# the spellings models saw most in training, so they stay fluent under the constraint.
_GUIDANCE = {"whitespace_flexible": False, "item_separator": ", ", "key_separator": ": "}

MAX_CALLS_PER_TURN = 8
MAX_REPLY_CHARS = 800
MAX_WRAP_UP_CHARS = 240  # the sentence after tool results: bounded so a turn's last request stays short


_NAME_MAPS = ("properties", "$defs", "definitions", "patternProperties")


def _strip_docs(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_strip_docs(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DOC_KEYWORDS:
            continue
        if key in _NAME_MAPS and isinstance(value, dict):  # keys here are names, not keywords
            out[key] = {name: _strip_docs(sub) for name, sub in value.items()}
        else:
            out[key] = _strip_docs(value)
    if out.get("type") == "object" and "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False  # small models invent keys; tools would reject them anyway
    return out


def arguments_schema(tool: ToolSpec, *, loose: bool = False) -> dict[str, Any]:
    """The grammar-side schema of one tool's arguments (``loose``: any object, for engines that choke)."""
    if loose or not isinstance(tool.parameters, dict) or not tool.parameters:
        return {"type": "object"}
    schema = _strip_docs(copy.deepcopy(tool.parameters))
    schema.setdefault("type", "object")
    return schema


def _hoist_defs(schema: dict[str, Any], prefix: str, defs: dict[str, Any]) -> dict[str, Any]:
    """Move a tool schema's ``$defs`` to the answer schema's root and rewrite its ``$ref``s.

    Refs such as ``#/$defs/BatchItem`` are resolved from the *root* schema; once a tool's schema
    is nested inside the answer schema they would dangle, and llama.cpp then silently generates
    without any grammar. Names get the tool as prefix so two tools cannot collide.
    """
    local: dict[str, Any] = {}
    for key in ("$defs", "definitions"):
        local.update(schema.pop(key, None) or {})

    def rewrite(node: Any) -> Any:
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        if not isinstance(node, dict):
            return node
        out = {k: rewrite(v) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str):
            for base in ("#/$defs/", "#/definitions/"):
                if ref.startswith(base):
                    out["$ref"] = f"#/$defs/{prefix}__{ref[len(base):]}"
        return out

    for name, sub in local.items():
        defs[f"{prefix}__{name}"] = rewrite(sub)
    return rewrite(schema)


def _call_schema(tool: ToolSpec, loose: bool, defs: dict[str, Any]) -> dict[str, Any]:
    arguments = _hoist_defs(arguments_schema(tool, loose=loose), tool.name, defs)
    return {
        "type": "object",
        "properties": {"tool": {"const": tool.name}, "arguments": arguments},
        "required": ["tool", "arguments"],
        "additionalProperties": False,
    }


def reply_schema(max_chars: int = MAX_REPLY_CHARS) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"reply": {"type": "string", "minLength": 1, "maxLength": max_chars}},
        "required": ["reply"],
        "additionalProperties": False,
    }


def calls_schema(
    tools: list[ToolSpec], *, loose: bool = False, max_calls: int = MAX_CALLS_PER_TURN, defs: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``{"calls": [...]}``; shared definitions are collected into ``defs`` for the root schema."""
    defs = {} if defs is None else defs
    items = [_call_schema(t, loose, defs) for t in tools]
    return {
        "type": "object",
        "properties": {
            "calls": {
                "type": "array",
                "minItems": 1,
                "maxItems": max_calls,
                "items": items[0] if len(items) == 1 else {"anyOf": items},
            }
        },
        "required": ["calls"],
        "additionalProperties": False,
    }


def answer_schema(
    tools: list[ToolSpec], tool_choice: str | None = None, *, loose: bool = False, wrap_up: bool = False
) -> dict[str, Any]:
    """The schema of one whole answer, honouring ``tool_choice`` (auto/none/required/<tool name>).

    ``wrap_up`` (the last message is a tool result) caps the reply at one or two sentences.
    """
    choice = (tool_choice or "auto").lower() if tool_choice in (None, "auto", "none", "required") else tool_choice
    offered = tools
    if choice not in ("auto", "none", "required"):
        offered = [t for t in tools if t.name == choice]
        if not offered:
            raise ValueError(f"tool_choice names {choice!r}, which is not among the offered tools")
    defs: dict[str, Any] = {}
    reply = reply_schema(MAX_WRAP_UP_CHARS if wrap_up else MAX_REPLY_CHARS)
    if not offered or choice == "none":
        branches = [reply]
    elif choice == "auto":
        branches = [calls_schema(offered, loose=loose, defs=defs), reply]
    else:
        branches = [calls_schema(offered, loose=loose, defs=defs)]
    schema: dict[str, Any] = branches[0] if len(branches) == 1 else {"anyOf": branches}
    if defs:
        schema = {**schema, "$defs": defs}
    return {**schema, "x-guidance": dict(_GUIDANCE)}


# --- validation -----------------------------------------------------------------------------------

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


def _is_type(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(name, (object,)))


def validate(value: Any, schema: Any, path: str = "arguments") -> list[str]:
    """Errors (empty when valid) of ``value`` against the JSON-schema subset tools use.

    Covers type, enum, const, properties/required/additionalProperties, items, min/max(Items,
    Length, imum), pattern, anyOf/oneOf/allOf. Unknown keywords (e.g. ``$ref``) are not checked.
    """
    if not isinstance(schema, dict):
        return []
    errors: list[str] = []
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(_is_type(value, k) for k in kinds):
            return [f"{path}: expected {' or '.join(kinds)}, got {type(value).__name__} {value!r}"]
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(repr(v) for v in schema["enum"][:12])
        errors.append(f"{path}: {value!r} is not one of {allowed}")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: must be {schema['const']!r}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errors.append(f"{path}: missing required {name!r}")
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in props:
                errors += validate(item, props[name], f"{path}.{name}")
            elif extra is False:
                errors.append(f"{path}: unknown key {name!r} (allowed: {', '.join(props) or 'none'})")
            elif isinstance(extra, dict):
                errors += validate(item, extra, f"{path}.{name}")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            errors.append(f"{path}: needs at least {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{path}: allows at most {schema['maxItems']} items")
        if isinstance(schema.get("items"), dict):
            for i, item in enumerate(value):
                errors += validate(item, schema["items"], f"{path}[{i}]")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append(f"{path}: shorter than {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{path}: longer than {schema['maxLength']} characters")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: {value!r} does not match {schema['pattern']!r}")
    if _is_type(value, "number"):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: {value} is below the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: {value} is above the maximum {schema['maximum']}")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            errors.append(f"{path}: {value} must be above {schema['exclusiveMinimum']}")
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            errors.append(f"{path}: {value} must be below {schema['exclusiveMaximum']}")
    for sub in schema.get("allOf", []):
        errors += validate(value, sub, path)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            results = [validate(value, sub, path) for sub in schema[key]]
            if not any(not r for r in results):
                best = min(results, key=len)
                errors.append(f"{path}: matches none of the allowed forms ({'; '.join(best[:2])})")
    return errors
