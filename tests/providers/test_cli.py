"""``seqmaker providers`` commands, end to end against a loopback server."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sequence_maker.cli.app import app
from tests.fakes.openai_server import fake_openai_server, openai_text_reply

runner = CliRunner()


def _env(tmp_path, **extra):
    env = {
        "SEQMAKER_CONFIG_DIR": str(tmp_path),
        "SEQMAKER_LMSTUDIO_URL": "http://127.0.0.1:9/v1",
        "SEQMAKER_OLLAMA_URL": "http://127.0.0.1:9/v1",
        "OPENAI_API_KEY": "",
        "ANTHROPIC_API_KEY": "",
        "AZURE_OPENAI_API_KEY": "",
        "SEQMAKER_PROVIDER": "",
    }
    env.update(extra)
    return env


def test_list_shows_key_presence_but_never_the_key(tmp_path):
    secret = "sk-live-DO-NOT-PRINT-123456"
    result = runner.invoke(
        app, ["providers", "list", "--json", "--no-probe"], env=_env(tmp_path, OPENAI_API_KEY=secret)
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    rows = {r["name"]: r for r in data["profiles"]}
    assert (
        rows["openai"]["key"] == "yes"
        and rows["anthropic"]["key"] == "no"
        and rows["ollama"]["key"] == "not needed"
    )
    assert data["default"] == "openai" and "key" in data["reason"].lower()
    assert secret not in result.output
    table = runner.invoke(app, ["providers", "list", "--no-probe"], env=_env(tmp_path, OPENAI_API_KEY=secret))
    assert table.exit_code == 0 and secret not in table.output and "default: openai" in table.output


def test_add_then_test_a_profile(tmp_path):
    with fake_openai_server([openai_text_reply("ready")]) as server:
        added = runner.invoke(
            app,
            [
                "providers",
                "add",
                "bench",
                "--provider",
                "openai_compatible",
                "--model",
                "fake-model",
                "--base-url",
                f"{server.base_url}/v1",
                "--default",
            ],
            env=_env(tmp_path),
        )
        assert added.exit_code == 0, added.output
        result = runner.invoke(app, ["providers", "test"], env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    assert "ready" in result.output and "TTFT" in result.output and "in 10 / out" in result.output
    assert server.requests[0].json["stream"] is True


def test_test_reports_errors_with_exit_code(tmp_path):
    result = runner.invoke(app, ["providers", "test", "openai"], env=_env(tmp_path))
    assert result.exit_code == 1 and "OPENAI_API_KEY" in result.output


def test_add_rejects_bad_profiles(tmp_path):
    result = runner.invoke(app, ["providers", "add", "x", "--provider", "gemini"], env=_env(tmp_path))
    assert result.exit_code == 1 and "unknown provider" in result.output


def test_test_with_tools_checks_tool_calling(tmp_path):
    from tests.fakes.openai_server import openai_tool_reply

    good = openai_tool_reply([("call_1", "set_color", {"ball": 2, "color": "red"})])
    bad = openai_text_reply("I cannot use tools.")
    with fake_openai_server([good, bad]) as server:
        url = f"{server.base_url}/v1"
        runner.invoke(
            app,
            ["providers", "add", "t", "--provider", "openai_compatible", "--model", "m", "--base-url", url],
            env=_env(tmp_path),
        )
        ok = runner.invoke(app, ["providers", "test", "t", "--tools"], env=_env(tmp_path))
        assert server.requests[-1].json["tool_choice"] == "required"
        fail = runner.invoke(app, ["providers", "test", "t", "--tools"], env=_env(tmp_path))
    assert ok.exit_code == 0 and "tool calling: works" in ok.output, ok.output
    assert fail.exit_code == 1 and "does not work" in fail.output
