"""Export a project: one ``.prg`` per ball (+ optional PRG-JSON), linted first, written all-or-nothing.

Public API (used by the CLI and the server): :func:`export_project`, :func:`project_to_prg_bytes`,
:func:`ball_file_stem`. Nothing is written if any ball has an error-level lint issue.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sequence_maker.model.project import Project

from .errors import FormatError
from .files import write_files_atomically
from .hardware import timeline_to_program
from .lint import LintIssue, sort_issues
from .prg import PrgProgram, encode
from .prg_json import timeline_to_prg_json
from .quantise import ball_to_timeline, check_rate
from .timeline import TickTimeline

#: progress(done, total, label) — called after each ball is built and once the files are written.
Progress = Callable[[int, int, str], None]

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


class ExportError(FormatError):
    """Export refused; ``issues`` lists the error-level lint findings that block it."""

    def __init__(self, problem: str, issues: list[LintIssue]) -> None:
        super().__init__(problem)
        self.issues = issues


@dataclass(frozen=True, slots=True)
class BallExport:
    ball: str
    prg_path: Path
    json_path: Path | None
    segments: int
    size_bytes: int


@dataclass(slots=True)
class ExportResult:
    out_dir: Path
    rate: int
    balls: list[BallExport] = field(default_factory=list)
    issues: list[LintIssue] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        out: list[Path] = []
        for b in self.balls:
            out.append(b.prg_path)
            if b.json_path is not None:
                out.append(b.json_path)
        return out


def ball_file_stem(name: str, index: int, taken: set[str]) -> str:
    """A portable file-name stem for a ball name, unique (case-insensitively) within ``taken``."""
    stem = _UNSAFE.sub("_", name).strip(" .")
    stem = re.sub(r"_+", "_", stem)[:80] or f"ball_{index + 1}"
    if stem.lower() in _RESERVED:
        stem = f"_{stem}"
    base, n = stem, 2
    while stem.lower() in taken:
        stem = f"{base}_{n}"
        n += 1
    taken.add(stem.lower())
    return stem


def build_ball(project: Project, ball_index: int, rate: int, merge_short: bool
               ) -> tuple[TickTimeline, PrgProgram | None, list[LintIssue]]:
    """Timeline, program (None when an error blocks it) and every lint issue of one ball."""
    tl, issues = ball_to_timeline(project, ball_index, rate, merge_short=merge_short)
    if any(i.severity == "error" for i in issues):
        return tl, None, issues
    program, notes = timeline_to_program(tl, source=project.ball(ball_index).name)
    name = project.ball(ball_index).name
    issues.extend(LintIssue(n.severity, name, n.tick * 1000 // rate, n.message, n.fix)  # type: ignore[arg-type]
                  for n in notes)
    return tl, program, issues


def _refuse(issues: list[LintIssue]) -> ExportError:
    errors = [i for i in issues if i.severity == "error"]
    lines = "; ".join(i.describe() for i in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return ExportError(f"export refused, {len(errors)} error(s): {lines}{more}", sort_issues(issues))


def project_to_prg_bytes(project: Project, ball_index: int, rate: int | None = None, *,
                         merge_short: bool = False) -> bytes:
    """The ``.prg`` bytes of one ball (for downloads); raises ExportError if the lint finds errors."""
    rate = project.refresh_rate if rate is None else rate
    _tl, program, issues = build_ball(project, ball_index, rate, merge_short)
    if program is None:
        raise _refuse(issues)
    return encode(program)


def export_project(project: Project, out_dir: str | Path, rate: int = 100, prg_json: bool = False,
                   progress: Progress | None = None, *, merge_short: bool = False) -> ExportResult:
    """Write ``<ball>.prg`` (and ``<ball>.prg.json``) for every ball into ``out_dir``.

    All files are built in memory first; on any error nothing is written (ExportError lists the
    blocking issues), and the files are replaced atomically as a set.
    """
    check_rate(rate)
    if not project.balls:
        raise ExportError("the project has no balls to export", [])
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise FormatError("exists and is not a folder", source=str(out))
    total = len(project.balls) + 1
    result = ExportResult(out, rate)
    pending: list[tuple[Path, bytes]] = []
    taken: set[str] = set()
    blocked = False
    for i, ball in enumerate(project.balls):
        tl, program, issues = build_ball(project, i, rate, merge_short)
        result.issues.extend(issues)
        stem = ball_file_stem(ball.name, i, taken)
        if progress:
            progress(i + 1, total, ball.name)
        if program is None:
            blocked = True
            continue
        data = encode(program)
        prg_path = out / f"{stem}.prg"
        pending.append((prg_path, data))
        json_path = None
        if prg_json:
            json_path = out / f"{stem}.prg.json"
            pending.append((json_path, (json.dumps(timeline_to_prg_json(tl), indent=1) + "\n").encode()))
        result.balls.append(BallExport(ball.name, prg_path, json_path, len(program.segments), len(data)))
    result.issues = sort_issues(result.issues)
    if blocked:
        raise _refuse(result.issues)
    write_files_atomically(pending)
    if progress:
        progress(total, total, "written")
    return result
