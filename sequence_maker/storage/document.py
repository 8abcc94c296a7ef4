"""ProjectDocument: one open project file — load, atomic save with backup, autosave, recovery.

Every layer that opens a project (CLI, studio server, assistant) goes through this class, so the
guarantees hold everywhere: a failed load never touches the file, a save is all-or-nothing and
keeps the previous version as ``<name>.smproj.bak``, and unsaved edits survive a crash in a
recovery file next to the project (``.<name>.smproj.recovery``).

Threads: ``autosave`` serialises under ``doc.lock``; code that edits from another thread than the
autosave thread should hold ``doc.lock`` while editing (the asyncio variant needs no lock when all
edits happen on the event loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..history import History, ProjectEditor
from ..model import Project
from . import smproj
from .atomic import atomic_write_bytes
from .errors import ProjectFileError
from .paths import orphan_recovery_dir
from .reading import SOURCE_EARLIER, SOURCE_OURS, decode_any, parse_json, read_json

log = logging.getLogger(__name__)

SUFFIX = ".smproj"
RECOVERY_SUFFIX = ".recovery"
BACKUP_SUFFIX = ".bak"


@dataclass(frozen=True, slots=True)
class RecoveryInfo:
    """A recovery file holding edits newer than the saved project."""

    project_path: Path | None
    recovery_path: Path
    saved_at: float  # recovery file mtime (epoch seconds)
    project_saved_at: float | None  # project file mtime, None if it does not exist

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.saved_at))
        return f"unsaved changes from {when} in {self.recovery_path}"


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def recovery_path_for(path: str | Path) -> Path:
    """``dir/name.smproj`` → ``dir/.name.smproj.recovery``."""
    p = Path(path)
    return p.with_name(f".{p.name}{RECOVERY_SUFFIX}")


def backup_path_for(path: str | Path) -> Path:
    p = Path(path)
    return p.with_name(p.name + BACKUP_SUFFIX)


def earlier_copy_path_for(path: str | Path) -> Path:
    """Where the original earlier-app file is kept when we first save over it."""
    p = Path(path)
    return p.with_name(f"{p.stem}.earlier-app{SUFFIX}")


class ProjectDocument:
    """An open project: the model, its editor/history, and where it lives on disk."""

    def __init__(self, project: Project, history: History | None = None, path: str | Path | None = None, *,
                 source_format: str = SOURCE_OURS, warnings: list[str] | None = None,
                 app: dict[str, Any] | None = None) -> None:
        self.project = project
        self.editor = ProjectEditor(project, history or History())
        self.path: Path | None = Path(path) if path is not None else None
        self.source_format = source_format
        #: Things the user should know about the load (e.g. earlier-app fixes), shown by the UI/CLI.
        self.warnings: list[str] = list(warnings or [])
        self.app: dict[str, Any] = dict(app or {})
        self.app.setdefault("created_at", time.time())
        self.lock = threading.RLock()
        #: Serialises file writes (saves, recovery files) without holding ``lock`` during fsync, so
        #: editors (and an event loop) wait only for serialisation, never for the disk.
        self._io_lock = threading.Lock()
        self.doc_id = uuid.uuid4().hex[:12]
        self._changes = 0
        #: (mtime_ns, size) of the file when we last read or wrote it: detects edits by others.
        self._disk_stamp: tuple[int, int] | None = _stamp(self.path) if self.path is not None else None
        self._saved_changes = 0
        self._autosaved_changes = 0
        self._autosave_thread: threading.Thread | None = None
        self._autosave_stop = threading.Event()
        self.autosave_error: str | None = None
        self.editor.subscribe(self._on_change)

    # --- construction ---------------------------------------------------------------------------
    @classmethod
    def new(cls, name: str, balls: int = 3, duration_ms: int = 60_000, refresh_rate: int = 100,
            default_pixels: int = 4, path: str | Path | None = None) -> ProjectDocument:
        """A fresh, unsaved (dirty) project."""
        doc = cls(Project.new(name, balls, duration_ms, refresh_rate, default_pixels), path=path)
        doc.mark_dirty()
        return doc

    @classmethod
    def open(cls, path: str | Path, *, drop_bad_history: bool = False) -> ProjectDocument:
        """Load our .smproj or the earlier app's (detected from content). Never writes anything."""
        p = Path(path)
        loaded, source = decode_any(read_json(p), p, drop_bad_history)
        return cls(loaded.project, loaded.history, p, source_format=source, warnings=loaded.warnings,
                   app=loaded.app)

    @classmethod
    def from_bytes(cls, data: bytes, name_hint: str = "upload", *, path: str | Path | None = None) -> ProjectDocument:
        """Load from bytes (e.g. an uploaded file); errors name ``name_hint``."""
        hint = Path(name_hint)
        loaded, source = decode_any(parse_json(data, hint), hint)
        doc = cls(loaded.project, loaded.history, path, source_format=source, warnings=loaded.warnings,
                  app=loaded.app)
        doc.mark_dirty()
        return doc

    # --- dirty tracking ------------------------------------------------------------------------
    def _on_change(self, _change: object) -> None:
        self._changes += 1

    def mark_dirty(self) -> None:
        """Record a change made outside the editor (notes, extras)."""
        self._changes += 1

    @property
    def dirty(self) -> bool:
        return self._changes != self._saved_changes

    @property
    def history(self) -> History:
        return self.editor.history

    # --- saving --------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The document in our format (what ``save`` writes)."""
        with self.lock:
            return smproj.dumps(self.project, self.history, {"created_at": self.app.get("created_at")})

    def save(self, path: str | Path | None = None, *, overwrite_external_changes: bool = False) -> Path:
        """Write atomically (temp + fsync + rename); the previous file is kept as ``.bak``.

        Refuses (ProjectFileError) to overwrite our own file if something else changed it since we
        opened/saved it (e.g. ``seqmaker undo`` while the studio has it open), unless
        ``overwrite_external_changes``. Saving over an earlier-app file first keeps that original as
        ``<stem>.earlier-app.smproj``.
        """
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ProjectFileError(None, "", "no file name yet; save with a path")
        if target.suffix != SUFFIX:
            raise ProjectFileError(target, "", f"project files must end in {SUFFIX}")
        with self._io_lock:
            with self.lock:
                same_file = self.path is not None and target.exists() and target.resolve() == self.path.resolve()
                if same_file and not overwrite_external_changes and self._disk_stamp is not None \
                        and _stamp(target) != self._disk_stamp:
                    raise ProjectFileError(target, "", "the file was changed by another program since it was "
                                                       "opened; reopen it, or save under another name")
                data = self.to_bytes()
                changes = self._changes
                keep_earlier = self.source_format == SOURCE_EARLIER and same_file
                old_recovery = self.recovery_path
            if keep_earlier:
                keep = earlier_copy_path_for(target)
                if not keep.exists():
                    atomic_write_bytes(keep, target.read_bytes())
            atomic_write_bytes(target, data, backup=backup_path_for(target))
            with self.lock:
                self.path = target
                self._disk_stamp = _stamp(target)
                self.source_format = SOURCE_OURS
                self._saved_changes = changes
                recovery_is_stale = self._autosaved_changes <= changes  # else it holds newer edits
                self._autosaved_changes = max(self._autosaved_changes, changes)
                if recovery_is_stale:
                    for rp in {old_recovery, self.recovery_path}:
                        with contextlib.suppress(OSError):
                            rp.unlink()
        return target

    # --- autosave & recovery -------------------------------------------------------------------
    @property
    def recovery_path(self) -> Path:
        if self.path is not None:
            return recovery_path_for(self.path)
        return orphan_recovery_dir() / f"{self.doc_id}{SUFFIX}{RECOVERY_SUFFIX}"

    def autosave(self) -> Path | None:
        """Write the recovery file if there are changes since the last save/autosave."""
        payload = self._recovery_payload()
        return None if payload is None else self._write_recovery(payload)

    def _recovery_payload(self) -> tuple[int, Path, bytes] | None:
        """Serialise now (call on the thread that edits); None when there is nothing new."""
        with self.lock:
            if self._changes == self._autosaved_changes or not self.dirty:
                return None
            doc = smproj.encode(self.project, self.history, {"created_at": self.app.get("created_at")})
            doc["recovery"] = {"project_path": str(self.path) if self.path else None, "saved_at": time.time()}
            return self._changes, self.recovery_path, json.dumps(doc, ensure_ascii=False).encode("utf-8")

    def _write_recovery(self, payload: tuple[int, Path, bytes]) -> Path | None:
        changes, target, data = payload
        with self._io_lock:
            with self.lock:
                # saved meanwhile (a recovery file would be stale) or a newer one already written
                if self._saved_changes >= changes or self._autosaved_changes >= changes:
                    return None
            atomic_write_bytes(target, data)
            with self.lock:
                self._autosaved_changes = max(self._autosaved_changes, changes)
        return target

    def start_autosave(self, interval_s: float = 30.0) -> None:
        """Autosave every ``interval_s`` seconds on a daemon thread until ``stop_autosave``."""
        if interval_s <= 0:
            raise ValueError(f"autosave interval must be positive, got {interval_s}")
        self.stop_autosave()
        self._autosave_stop = threading.Event()
        stop = self._autosave_stop

        def loop() -> None:
            while not stop.wait(interval_s):
                self._autosave_logged()

        self._autosave_thread = threading.Thread(target=loop, name=f"autosave-{self.doc_id}", daemon=True)
        self._autosave_thread.start()

    def stop_autosave(self) -> None:
        self._autosave_stop.set()
        if self._autosave_thread is not None and self._autosave_thread is not threading.current_thread():
            self._autosave_thread.join(timeout=10)
        self._autosave_thread = None

    async def autosave_loop(self, interval_s: float = 30.0) -> None:
        """Asyncio variant (run as a task; cancel to stop): serialises on the event loop, where the
        edits happen, and writes the file in a worker thread."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                payload = self._recovery_payload()
                if payload is not None:
                    await asyncio.to_thread(self._write_recovery, payload)
                self.autosave_error = None
            except Exception as e:  # keep autosaving; the UI shows the error
                self.autosave_error = f"autosave failed: {e}"
                log.warning("autosave of %s failed: %s", self.path or self.doc_id, e)

    def _autosave_logged(self) -> None:
        try:
            self.autosave()
            self.autosave_error = None
        except Exception as e:  # keep autosaving; the UI shows the error
            self.autosave_error = f"autosave failed: {e}"
            log.warning("autosave of %s failed: %s", self.path or self.doc_id, e)

    def discard_recovery(self) -> None:
        with contextlib.suppress(OSError):
            self.recovery_path.unlink()

    def close(self) -> None:
        """Stop autosaving. A clean document's recovery file is removed; a dirty one's unsaved
        edits are written to (or kept in) its recovery file, so closing never loses work."""
        self.stop_autosave()
        if self.dirty:
            self._autosave_logged()
        else:
            self.discard_recovery()

    @staticmethod
    def find_recovery(path: str | Path) -> RecoveryInfo | None:
        """Info about a recovery file newer than the project at ``path`` (None if there is none)."""
        p = Path(path)
        rp = recovery_path_for(p)
        try:
            rst = rp.stat()
        except OSError:
            return None
        try:
            pst: os.stat_result | None = p.stat()
        except OSError:
            pst = None
        if pst is not None and rst.st_mtime_ns <= pst.st_mtime_ns:
            return None
        return RecoveryInfo(p, rp, rst.st_mtime, pst.st_mtime if pst else None)

    @classmethod
    def recover(cls, path: str | Path) -> ProjectDocument:
        """Open the recovery file of ``path`` as a dirty document bound to ``path`` (save to keep it).

        The recovery file stays until the document is saved, so a second crash loses nothing.
        """
        p = Path(path)
        rp = recovery_path_for(p)
        if not rp.exists():
            raise ProjectFileError(rp, "", f"no recovery file for {p}")
        return cls.open_recovery_file(rp, p)

    @classmethod
    def open_recovery_file(cls, recovery_path: str | Path, path: str | Path | None = None) -> ProjectDocument:
        """Open any recovery file (e.g. from ``orphan_recoveries``) as a dirty document.

        ``path`` defaults to the project path recorded in the file (None for never-saved projects).
        Saving removes the recovery file.
        """
        rp = Path(recovery_path)
        data = read_json(rp)
        loaded, _ = decode_any(data, rp)
        if path is None and isinstance(data.get("recovery"), dict) and data["recovery"].get("project_path"):
            path = data["recovery"]["project_path"]
        doc = cls(loaded.project, loaded.history, path, source_format=SOURCE_OURS, warnings=loaded.warnings,
                  app=loaded.app)
        if path is None:
            doc.doc_id = rp.name.split(".")[0]  # autosaves keep going to the same orphan file
        doc._disk_stamp = _stamp(doc.path) if doc.path is not None else None
        doc.mark_dirty()
        return doc

    @staticmethod
    def orphan_recoveries() -> list[Path]:
        """Recovery files of never-saved projects (newest first)."""
        folder = orphan_recovery_dir()
        if not folder.is_dir():
            return []
        return sorted(folder.glob(f"*{SUFFIX}{RECOVERY_SUFFIX}"), key=lambda q: q.stat().st_mtime, reverse=True)
