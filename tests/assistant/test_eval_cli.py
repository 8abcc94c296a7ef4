"""The shipped eval suite scores 100 % with its scripted calls; the CLI commands work end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sequence_maker.assistant.eval import (
    SuiteError,
    build_project,
    load_suite,
    report,
    run_suite,
    scripted_provider_factory,
    scripted_turns,
)
from sequence_maker.assistant.providers.scripted import dump_turns
from sequence_maker.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
SUITE, SCRIPTED = ROOT / "evals" / "core.jsonl", ROOT / "evals" / "core.scripted.jsonl"


async def test_core_suite_scores_100_percent_with_the_right_calls() -> None:
    cases = load_suite(SUITE)
    assert len(cases) >= 30
    rep = report(await run_suite(cases, scripted_provider_factory(SCRIPTED)))
    assert rep["passed"] == rep["total"], [c for c in rep["cases"] if not c["passed"]]
    assert max(c["llm_requests"] for c in rep["cases"]) <= 3


async def test_wrong_calls_fail_their_checks(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(SCRIPTED.read_text().replace('"stagger_beats": 0.5', '"stagger_beats": 0.0'))
    cases = [c for c in load_suite(SUITE) if c["id"] == "chorus-flash-stagger"]
    res = (await run_suite(cases, scripted_provider_factory(bad)))[0]
    assert not res.passed and any("ball 2 at 30.3s" in f for f in res.failed_checks)


def test_setup_builds_grid_from_bpm_and_meter() -> None:
    p = build_project({"duration_s": 10, "balls": 2, "bpm": 90, "first_beat_s": 0.0, "beats_per_bar": 3,
                       "sections": [{"label": "A", "start_s": 0, "end_s": 5}],
                       "segments": [{"ball": 2, "start_s": 1, "end_s": 2, "color": [1, 2, 3]}]})
    assert p.grid.beats_ms[:3] == (0, 667, 1333) and p.grid.downbeats_ms[:2] == (0, 2000)
    assert tuple(p.color_at(1, 1500)) == (1, 2, 3)


def test_malformed_suite_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "s.jsonl"
    f.write_text('{"id": "a", "setup": {}, "prompt": "x", "checks": []}\n{"id": "b", "setup": {}}\n')
    with pytest.raises(SuiteError, match=r"s.jsonl:2: field 'prompt'"):
        load_suite(f)


def test_cli_eval_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    res = CliRunner().invoke(app, ["eval", str(SUITE), "--provider", f"scripted:{SCRIPTED}", "--json", str(out),
                                   "--case", "bar-5", "--case", "play-from-chorus", "--concurrency", "2"])
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    assert data["passed"] == 2 and data["total"] == 2
    assert [c["id"] for c in data["cases"]] == ["bar-5", "play-from-chorus"]
    assert set(data["cases"][0]) == {"id", "passed", "failed_checks", "llm_requests", "seconds"}


def test_cli_ask_edits_saves_and_is_undoable(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["new", "demo", "--dir", str(tmp_path)]).exit_code == 0
    project = tmp_path / "demo.smproj"
    rec = tmp_path / "rec.jsonl"
    rec.write_text(dump_turns(scripted_turns({"steps": [[{"name": "clear_timeline", "arguments": {"balls": "all"}},
                                                          {"name": "create_segment", "arguments": {
                                                              "balls": 1, "color": "red", "when": "0:05-0:10"}}]],
                                              "final_text": "Ball 1 is red."})))
    res = runner.invoke(app, ["ask", str(project), "ball 1 red 5-10 s", "--provider", f"scripted:{rec}",
                              "--approve", "ask"], input="y\n")
    assert res.exit_code == 0, res.output
    assert "Ball 1 is red." in res.output
    from sequence_maker.storage import ProjectDocument

    doc = ProjectDocument.open(project)
    assert tuple(doc.project.color_at(0, 7000)) == (255, 0, 0)
    assert doc.history.undo_stack[-1].label == "Assistant: ball 1 red 5-10 s"
    res = runner.invoke(app, ["ask", str(project), "x", "--approve", "sometimes", "--provider", f"scripted:{rec}"])
    assert res.exit_code != 0 and "unknown approval mode" in res.output


def test_cli_ask_continues_a_saved_chat(tmp_path: Path) -> None:
    from sequence_maker.assistant.chatlog import ChatLogError, load_history

    runner = CliRunner()
    assert runner.invoke(app, ["new", "demo", "--dir", str(tmp_path)]).exit_code == 0
    project, chat = tmp_path / "demo.smproj", tmp_path / "demo.chat.json"
    for i, color in enumerate(["red", "blue"]):
        rec = tmp_path / f"rec{i}.jsonl"
        rec.write_text(dump_turns(scripted_turns({"steps": [[{"name": "create_segment", "arguments": {
            "balls": 1, "color": color, "when": "0:00-0:05"}}]], "final_text": f"{color} now."})))
        res = runner.invoke(app, ["ask", str(project), f"make it {color}", "--provider", f"scripted:{rec}",
                                  "--chat", str(chat)])
        assert res.exit_code == 0, res.output
    history = load_history(chat)
    assert [m.role for m in history] == ["user", "assistant", "tool", "assistant"] * 2
    assert history[4].content == "make it blue" and history[-1].content == "blue now."
    chat.write_text('{"format": "sequence-maker-chat/1", "messages": [{"role": "robot"}]}')
    with pytest.raises(ChatLogError, match="message 1: role must be one of"):
        load_history(chat)


async def test_case_result_records_the_calls_as_made(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(SCRIPTED.read_text().replace('"stagger_beats": 0.5', '"stagger_beats": 0.0'))
    cases = [c for c in load_suite(SUITE) if c["id"] == "chorus-flash-stagger"]
    res = (await run_suite(cases, scripted_provider_factory(bad)))[0]
    assert res.calls and all(" {" in c for c in res.calls)
    name, args = res.calls[-1].split(" ", 1)
    assert json.loads(args).get("stagger_beats") == 0.0
    assert "calls" not in res.to_dict()  # the JSON report keeps its shape


async def test_invalid_calls_are_listed_too() -> None:
    from sequence_maker.assistant.eval import run_case
    from sequence_maker.assistant.providers.scripted import ScriptedProvider

    case = {"id": "x", "setup": {"duration_s": 10, "balls": 1}, "prompt": "red", "checks": []}
    provider = ScriptedProvider(scripted_turns({"steps": [[{"name": "create_segment", "arguments": {"colour": "red"}}]]}))
    res = await run_case(case, provider)
    assert res.calls[0].startswith("create_segment <invalid: ")


def test_cli_eval_prints_calls_under_a_failing_case(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(SCRIPTED.read_text().replace('"stagger_beats": 0.5', '"stagger_beats": 0.0'))
    res = CliRunner().invoke(app, ["eval", str(SUITE), "--provider", f"scripted:{bad}",
                                   "--case", "chorus-flash-stagger", "--case", "bar-5"])
    assert res.exit_code == 1
    lines = res.output.splitlines()
    fail_at = next(i for i, ln in enumerate(lines) if "FAIL chorus-flash-stagger" in ln)
    assert lines[fail_at + 1].strip().startswith("→ ") and '"stagger_beats": 0.0' in res.output
    pass_at = next(i for i, ln in enumerate(lines) if "pass bar-5" in ln)
    assert not lines[pass_at + 1].strip().startswith("→ ")  # passing cases stay one line
