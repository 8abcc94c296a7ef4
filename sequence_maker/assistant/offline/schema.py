"""Tool argument schemas as the grammar sees them, and a checker for the model's arguments.

:func:`arguments_schema` strips documentation keywords (the grammar needs only the shape);
:func:`validate` re-checks every parsed answer against the tool's full schema (the grammar does
not enforce bounds such as ``minimum``) so nothing unchecked reaches a tool.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ..providers.events import ToolSpec

# Keywords that only document a schema; dropping them keeps the grammar small.
_DOC_KEYWORDS = ("title", "description", "examples", "x-examples", "default", "$comment", "format", "deprecated")
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


def small_model_tools(tools: list[ToolSpec]) -> list[ToolSpec]:
    """The tools as a small model should see them: the reduced schema where a tool offers one."""
    return [ToolSpec(t.name, t.description, t.small_model_parameters) if t.small_model_parameters else t for t in tools]


def arguments_schema(tool: ToolSpec, *, loose: bool = False) -> dict[str, Any]:
    """The grammar-side schema of one tool's arguments (``loose``: any object, for engines that choke)."""
    if loose or not isinstance(tool.parameters, dict) or not tool.parameters:
        return {"type": "object"}
    schema = _strip_docs(copy.deepcopy(tool.parameters))
    schema.setdefault("type", "object")
    return schema


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
