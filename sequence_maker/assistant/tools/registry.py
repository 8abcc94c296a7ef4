"""Tool definitions: typed argument models → JSON schemas, computed once, in a stable order.

A tool is a pydantic argument model plus a handler. Schemas are generated once per registry and
reused for every request (byte-identical, so provider prompt caches hit). ``kind`` drives the loop:
``read`` tools run in parallel, ``write`` and ``player`` tools run one at a time in call order.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ...history.editor import ProjectEditor
from ...model.project import Project
from ..player import PlayerSink
from ..providers.events import ToolSpec
from .resolve import Resolver

ToolKind = Literal["read", "write", "player"]


class ToolArgs(BaseModel):
    """Base of every argument model: unknown fields are errors the model can fix."""

    model_config = ConfigDict(extra="forbid")


class ToolInputError(ValueError):
    """Arguments that do not fit the schema; the message tells the model what to send."""


@dataclass
class ToolContext:
    """What a handler may touch. Write handlers get an editor on a scratch copy of the project."""

    project: Project
    editor: ProjectEditor | None = None
    player: PlayerSink | None = None
    player_commands: list[Any] = field(default_factory=list)

    @cached_property
    def resolve(self) -> Resolver:
        return Resolver(self.project)


Handler = Callable[[ToolContext, Any], Any]
DestructiveCheck = Callable[[Any, Project], str | None]


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    description: str
    args: type[ToolArgs]
    handler: Handler
    kind: ToolKind = "read"
    destructive: DestructiveCheck | None = None  # returns a reason when the call needs confirmation

    def spec(self) -> ToolSpec:
        full, small = schema_views(compact_schema(self.args.model_json_schema()))
        return ToolSpec(self.name, self.description, full, small_model_parameters=small if small != full else None)


_MARKS = ("x-advanced", "x-small-model-required")


def schema_views(schema: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(full schema, small-model schema) from one annotated schema; neither keeps our ``x-`` marks.

    Small view: properties marked ``x-advanced`` are left out and ``x-small-model-required``
    names become required, in every object (nested ``$defs`` too). Cloud models get the full one.
    """

    def walk(node: Any, small: bool) -> Any:
        if isinstance(node, list):
            return [walk(v, small) for v in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _MARKS:
                continue
            if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
                out[key] = {name: walk(sub, small) for name, sub in value.items()
                            if not (small and key == "properties" and isinstance(sub, dict) and sub.get("x-advanced"))}
            else:
                out[key] = walk(value, small)
        extra = node.get("x-small-model-required")
        if small and isinstance(extra, list) and extra:
            names = [n for n in extra if n in out.get("properties", {})]
            out["required"] = list(dict.fromkeys([*out.get("required", []), *names]))
        return out

    return walk(schema, False), walk(schema, True)


def compact_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Shrink pydantic's schema for the prompt: no titles, no ``null`` variants or ``default: null``
    (optional = not required), nested ``anyOf`` flattened. Same meaning, far fewer tokens."""

    def walk(node: Any, parent_key: str = "") -> Any:
        if isinstance(node, list):
            return [walk(v) for v in node]
        if not isinstance(node, dict):
            return node
        out = {k: walk(v, k) for k, v in node.items()
               if not (k == "title" and parent_key != "properties") and not (k == "default" and v is None)}
        if parent_key == "properties":
            return out
        variants = out.get("anyOf")
        if isinstance(variants, list):
            flat: list[Any] = []
            for v in variants:
                if isinstance(v, dict) and v.get("type") == "null":
                    continue
                if isinstance(v, dict) and set(v) <= {"anyOf", "description"} and "anyOf" in v:
                    out.setdefault("description", v.get("description"))
                    flat.extend(v["anyOf"])
                else:
                    flat.append(v)
            del out["anyOf"]
            if len(flat) == 1 and isinstance(flat[0], dict):
                merged = dict(flat[0])
                merged.update({k: v for k, v in out.items() if v is not None})
                out = merged
            else:
                out["anyOf"] = flat
            if out.get("description") is None:
                out.pop("description", None)
        return out

    out = walk(schema)
    out.setdefault("properties", {})
    return out


def _closest(word: str, options: Sequence[str]) -> str:
    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {found[0]!r})" if found else ""


def _format_validation(name: str, exc: ValidationError, fields: Sequence[str] = ()) -> str:
    parts = []
    for err in exc.errors()[:6]:
        loc = ".".join(str(x) for x in err.get("loc", ())) or "arguments"
        msg = err.get("msg", "invalid")
        if err.get("type") == "extra_forbidden":
            last = str(err.get("loc", ("",))[-1])
            msg = "unknown argument" + (_closest(last, fields) or ", remove it")
        elif err.get("type") == "missing":
            msg = "required argument is missing"
        parts.append(f"{loc}: {msg}")
    return f"invalid arguments for {name}: " + "; ".join(parts) + ". Fix these and call the tool again."


class ToolRegistry:
    """An ordered set of tools; ``specs()`` is computed once and shared by every request."""

    def __init__(self, tools: Sequence[Tool]) -> None:
        names = [t.name for t in tools]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate tool names in {names}")
        self._tools = {t.name: t for t in tools}
        self._specs = [t.spec() for t in tools]

    def specs(self) -> list[ToolSpec]:
        return self._specs

    def names(self) -> list[str]:
        return list(self._tools)

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def serialized(self) -> str:
        """Canonical JSON of the tool list (to check it stays byte-identical across requests)."""
        return json.dumps([[s.name, s.description, s.parameters] for s in self._specs], separators=(",", ":"))

    def parse(self, name: str, arguments: dict[str, Any]) -> tuple[Tool, ToolArgs]:
        tool = self._tools.get(name)
        if tool is None:
            hint = _closest(name, list(self._tools))
            raise ToolInputError(f"there is no tool {name!r}{hint}; available tools: {', '.join(self._tools)}")
        if not isinstance(arguments, dict):
            raise ToolInputError(f"arguments for {name} must be a JSON object")
        try:
            return tool, tool.args.model_validate(arguments)
        except ValidationError as exc:
            raise ToolInputError(_format_validation(name, exc, list(tool.args.model_fields))) from None
