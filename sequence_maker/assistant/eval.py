"""Eval suites: run prompts on fresh projects and check the resulting colours (and player state).

Case format (JSONL, one object per line): ``id``, ``setup`` (duration_s, balls, bpm, first_beat_s,
beats_per_bar, sections, segments), ``prompt``, ``checks`` (ball, t, color, tol) and optional
``player`` (playing, position_s). Balls are 1-based; no segment at t = black.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..history.editor import ProjectEditor
from ..model.color import Color
from ..model.grid import BeatGrid, Section
from ..model.project import Project
from ..model.segment import Segment, Solid
from ..model.timeutil import seconds_to_ms
from .player import RecordingPlayer
from .providers.base import Provider
from .providers.events import ChatMessage

POSITION_TOLERANCE_S = 0.25


class SuiteError(ValueError):
    """A malformed suite file; the message names the line and the field."""


@dataclass(slots=True)
class CaseResult:
    id: str
    passed: bool
    failed_checks: list[str] = field(default_factory=list)
    llm_requests: int = 0
    seconds: float = 0.0
    error: str | None = None
    # "tool_name {json args}" per call, in order, as the model made them: shows why a case failed
    # (wrong tool, wrong arguments) without re-running it. Not in to_dict (the JSON report keeps its shape).
    calls: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "passed": self.passed, "failed_checks": self.failed_checks,
                "llm_requests": self.llm_requests, "seconds": round(self.seconds, 3)}


def load_suite(path: Path | str) -> list[dict[str, Any]]:
    """Read and validate a suite (clear errors name the line)."""
    cases = []
    seen: set[str] = set()
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SuiteError(f"{path}:{n}: not JSON ({exc.msg})") from None
        for key, kind in (("id", str), ("setup", dict), ("prompt", str), ("checks", list)):
            if not isinstance(case.get(key), kind):
                raise SuiteError(f"{path}:{n}: field {key!r} must be a {kind.__name__}")
        if case["id"] in seen:
            raise SuiteError(f"{path}:{n}: duplicate case id {case['id']!r}")
        seen.add(case["id"])
        cases.append(case)
    return cases


def build_project(setup: dict[str, Any], name: str = "eval") -> Project:
    """A project from a case setup: even beat grid from bpm/first beat/meter, sections, segments."""
    duration_ms = seconds_to_ms(float(setup.get("duration_s", 60)))
    project = Project.new(name, balls=int(setup.get("balls", 3)), duration_ms=duration_ms)
    bpm = float(setup.get("bpm", 0) or 0)
    bpb = int(setup.get("beats_per_bar", 4))
    beats: list[int] = []
    if bpm > 0:
        period = 60.0 / bpm
        first = float(setup.get("first_beat_s", 0.0))
        k = 0
        while (t := seconds_to_ms(first + k * period)) < duration_ms:
            beats.append(t)
            k += 1
    sections = tuple(Section(str(s["label"]), seconds_to_ms(float(s["start_s"])), seconds_to_ms(float(s["end_s"])),
                             str(s.get("kind", ""))) for s in setup.get("sections", []))
    if beats or sections:
        project.grid = BeatGrid(tuple(beats), tuple(beats[::bpb]), bpb, bpm, sections, 1.0)
    editor = ProjectEditor(project)
    for s in setup.get("segments", []):
        seg = Segment(seconds_to_ms(float(s["start_s"])), seconds_to_ms(float(s["end_s"])), Solid(Color.of(s["color"])))
        editor.paint(int(s["ball"]) - 1, seg)
    return project  # the setup editor (and its history) is discarded: setup is not undoable


def check_case(case: dict[str, Any], project: Project, player: RecordingPlayer) -> list[str]:
    """Failed checks as readable strings (empty = passed)."""
    failed = []
    for chk in case["checks"]:
        ball, t, want, tol = int(chk["ball"]), float(chk["t"]), Color.of(chk["color"]), int(chk.get("tol", 0))
        if not 1 <= ball <= len(project.balls):
            failed.append(f"ball {ball} does not exist")
            continue
        got = project.color_at(ball - 1, seconds_to_ms(t))
        if any(abs(a - b) > tol for a, b in zip(got, want, strict=True)):
            failed.append(f"ball {ball} at {t:g}s: got {list(got)}, want {list(want)} ±{tol}")
    want_player = case.get("player")
    if want_player is not None:
        st = player.state()
        if bool(want_player.get("playing")) != st.playing:
            failed.append(f"player playing={st.playing}, want {bool(want_player.get('playing'))}")
        if "position_s" in want_player and abs(st.position_s - float(want_player["position_s"])) > POSITION_TOLERANCE_S:
            failed.append(f"player at {st.position_s:g}s, want {want_player['position_s']}s")
    return failed


async def run_case(case: dict[str, Any], provider: Provider, **assistant_kw: Any) -> CaseResult:
    from .agent import Assistant
    from .turn_events import ErrorEvent, ToolCallEvent, ToolResultEvent, TurnEndEvent

    started = time.perf_counter()
    project = build_project(case["setup"], case["id"])
    editor = ProjectEditor(project)
    player = RecordingPlayer()
    assistant = Assistant(provider, player=player, **assistant_kw)
    history: list[ChatMessage] = []
    requests, errors, calls = 0, [], []
    valid: set[str] = set()
    try:
        async for ev in assistant.run_turn(editor, history, case["prompt"]):
            if isinstance(ev, TurnEndEvent):
                requests = ev.llm_requests
            elif isinstance(ev, ErrorEvent):
                errors.append(ev.message)
            elif isinstance(ev, ToolCallEvent):
                valid.add(ev.call_id)
                calls.append(f"{ev.name} {json.dumps(ev.arguments, ensure_ascii=False)}")
            elif isinstance(ev, ToolResultEvent) and not ev.ok and ev.call_id not in valid:
                # rejected before running (unknown tool, bad or cut-off arguments): no ToolCallEvent
                calls.append(f"{ev.name} <invalid: {(ev.error or '')[:120]}>")
    except Exception as exc:  # one broken case must not stop the suite
        errors.append(f"{type(exc).__name__}: {exc}")
    failed = check_case(case, project, player)
    failed += [f"error: {e}" for e in errors]
    return CaseResult(case["id"], not failed, failed, requests, time.perf_counter() - started, calls=calls)


async def run_suite(cases: list[dict[str, Any]], provider_for: Callable[[dict[str, Any]], Provider],
                    on_result: Callable[[CaseResult], None] | None = None, *, concurrency: int = 1,
                    **assistant_kw: Any) -> list[CaseResult]:
    """Run every case with a provider made for it (scripted providers are per case).

    ``concurrency`` > 1 runs cases in parallel (useful with remote models); results keep suite order.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    gate = asyncio.Semaphore(concurrency)

    async def one(case: dict[str, Any]) -> CaseResult:
        async with gate:
            provider = provider_for(case)
            try:
                res = await run_case(case, provider, **assistant_kw)
            finally:
                await provider.aclose()
            if on_result:
                on_result(res)
            return res

    return list(await asyncio.gather(*(one(c) for c in cases)))


def report(results: list[CaseResult]) -> dict[str, Any]:
    return {"passed": sum(r.passed for r in results), "total": len(results), "cases": [r.to_dict() for r in results]}


# --- scripted calls (CI runs the suite with the right calls: this checks the tools, not a model) ----


def load_scripted_calls(path: Path | str) -> dict[str, dict[str, Any]]:
    """Companion file: one ``{"id", "steps": [[{"name", "arguments"}, …], …], "final_text"}`` per line."""
    out: dict[str, dict[str, Any]] = {}
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SuiteError(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(entry.get("id"), str) or not isinstance(entry.get("steps"), list):
            raise SuiteError(f"{path}:{n}: needs 'id' (string) and 'steps' (list of lists of calls)")
        out[entry["id"]] = entry
    return out


def scripted_turns(entry: dict[str, Any]) -> list[list[Any]]:
    """Provider events for a scripted case: one request per step of calls, then the final answer."""
    from .providers.events import Finish, TextDelta, ToolCallDelta, ToolCallEnd, ToolCallStart

    turns: list[list[Any]] = []
    for s, step in enumerate(entry["steps"]):
        events: list[Any] = []
        for i, c in enumerate(step):
            cid = f"call_{s}_{i}"
            raw = json.dumps(c.get("arguments", {}))
            events += [ToolCallStart(cid, c["name"], i), ToolCallDelta(cid, raw, index=i),
                       ToolCallEnd(cid, c["name"], c.get("arguments", {}), raw, index=i)]
        turns.append([*events, Finish("tool_calls")])
    turns.append([TextDelta(str(entry.get("final_text", "Done."))), Finish("stop")])
    return turns


def scripted_provider_factory(path: Path | str) -> Callable[[dict[str, Any]], Provider]:
    """A per-case :class:`ScriptedProvider` from a companion file (missing ids are errors)."""
    from .providers.scripted import ScriptedProvider

    entries = load_scripted_calls(path)

    def make(case: dict[str, Any]) -> Provider:
        entry = entries.get(case["id"])
        if entry is None:
            raise SuiteError(f"{path}: no scripted calls for case {case['id']!r}")
        return ScriptedProvider(scripted_turns(entry))

    return make
