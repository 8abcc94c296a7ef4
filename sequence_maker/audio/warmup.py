"""Install-time warm-up: run one tiny analysis end to end.

Run once at install: ``python -m sequence_maker.audio.warmup``. It renders a short synthetic
song and analyses it (no result cache). The analysis path no longer uses librosa or numba (our
numpy filterbanks and DP tracker replaced them, so there is no JIT to warm: a cold 4-minute
analysis costs ~2 s of CPU), but the warm-up still byte-compiles the modules, fills the OS
file cache for numpy/scipy and proves the install can decode and analyse audio.
"""

from __future__ import annotations

import sys
import tempfile
import time
import types
from pathlib import Path


def warmup() -> float:
    """Run a tiny analysis end to end; returns the seconds it took."""
    from .engine import analyze
    from .synth import SongSpec, write_song

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="seqmaker-warmup-") as tmp:
        path = Path(tmp) / "warmup.wav"
        write_song(SongSpec(tempo_bpm=120, plan="AB", bars_per_section=2), path)
        analyze(path, cache=False)
    return time.perf_counter() - t0


class _CallableModule(types.ModuleType):
    """``sequence_maker.audio.warmup`` is both this module and the function ``warmup()``.

    Importing the submodule rebinds the package attribute to the module object, which would
    shadow the public function of the same name; making the module callable keeps
    ``sequence_maker.audio.warmup(...)`` working either way.
    """

    def __call__(self, *args: object, **kwargs: object) -> object:
        return warmup(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule


if __name__ == "__main__":
    print(f"sequence_maker.audio warm-up done in {warmup():.1f} s")
