"""Import any earlier-tool file as a project: ``.prg``, ``*.prg.json``, ``*.ball.json``, ``*.seqdesign.json``.

The kind is taken from the file name, else sniffed from the content; every failure is a
:class:`FormatError` naming the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .ball_json import parse_ball_json
from .errors import FormatError
from .prg import decode
from .prg_json import parse_prg_json
from .seqdesign import compile_seqdesign
from .to_project import program_to_timeline, timeline_to_project

KINDS = ("prg", "prg.json", "ball.json", "seqdesign")
_SUFFIXES = ((".seqdesign.json", "seqdesign"), (".ball.json", "ball.json"), (".prg.json", "prg.json"), (".prg", "prg"))


def _stem(path: Path) -> str:
    name = path.name
    for suffix, _kind in _SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] or name
    return path.stem


def detect_kind(path: Path, data: bytes) -> str:
    """'prg', 'prg.json', 'ball.json' or 'seqdesign' from the name, else from the content."""
    lower = path.name.lower()
    for suffix, kind in _SUFFIXES:
        if lower.endswith(suffix):
            return kind
    if data[:2] == b"PR":
        return "prg"
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        doc = None
    if isinstance(doc, dict):
        if "effects_timeline" in doc:
            return "seqdesign"
        if "sequence" in doc:
            return "prg.json"
        if "segments" in doc and "metadata" in doc:
            return "ball.json"
    raise FormatError("not a .prg, PRG-JSON, .ball.json or .seqdesign.json file", source=str(path))


def _load_json(data: bytes, source: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise FormatError("is not UTF-8 text", source=source) from None
    except json.JSONDecodeError as e:
        raise FormatError(f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}", source=source) from None


def load_analysis(path: str | Path) -> dict[str, Any]:
    """Read an analysis JSON (ours, the earlier app's, or the roocode cache) for ``pulse_on_beat``."""
    p = Path(path)
    try:
        doc = _load_json(p.read_bytes(), str(p))
    except OSError as e:
        raise FormatError(f"cannot read: {e.strerror or e}", source=str(p)) from None
    if not isinstance(doc, dict):
        raise FormatError("an analysis file must be a JSON object", source=str(p))
    return doc


def import_file(path: str | Path, *, analysis: dict[str, Any] | str | Path | None = None,
                warnings: list[str] | None = None):
    """The project described by ``path`` (one ball). ``warnings`` collects non-fatal fixes."""
    p = Path(path)
    source = str(p)
    warnings = warnings if warnings is not None else []
    try:
        data = p.read_bytes()
    except OSError as e:
        raise FormatError(f"cannot read: {e.strerror or e}", source=source) from None
    kind = detect_kind(p, data)
    name = _stem(p)
    try:
        if kind == "prg":
            program = decode(data, source)
            return timeline_to_project(program_to_timeline(program, name, warnings), name, warnings)
        doc = _load_json(data, source)
        if kind == "prg.json":
            tl = parse_prg_json(doc, source, warnings)
            tl.name = name
            return timeline_to_project(tl, name, warnings)
        if kind == "ball.json":
            return parse_ball_json(doc, name, warnings)
        if isinstance(analysis, (str, Path)):
            analysis = load_analysis(analysis)
        return compile_seqdesign(doc, name, analysis=analysis, base_dir=p.parent, warnings=warnings)
    except FormatError as e:
        raise e.with_source(source) from None
