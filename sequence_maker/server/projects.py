"""Open projects: one live document per project shared by every tab, its frame stream, and the
debounced automatic save. The server never holds two copies of a project."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..history.editor import Change
from ..model import codec
from ..storage import ProjectDocument, Workspace
from ..storage.workspace import validate_project_name
from .stream import ProjectStream

log = logging.getLogger(__name__)


def ball_dict(index: int, ball: Any) -> dict[str, Any]:
    return {"index": index, **codec.ball_to_dict(ball)}


def project_header(doc: ProjectDocument) -> dict[str, Any]:
    p = doc.project
    return {"name": p.name, "duration_ms": p.duration_ms, "refresh_rate": p.refresh_rate,
            "audio": codec.audio_to_dict(p.audio)}


def history_flags(doc: ProjectDocument) -> dict[str, Any]:
    h = doc.history
    return {"can_undo": h.can_undo(), "can_redo": h.can_redo(),
            "undo_label": h.undo_stack[-1].label if h.undo_stack else None,
            "redo_label": h.redo_stack[-1].label if h.redo_stack else None}


@dataclass(eq=False)
class ProjectHandle:
    """A project open in the server."""

    name: str
    doc: ProjectDocument
    stream: ProjectStream
    busy_request_id: str | None = None  # the assistant turn running on it, if any
    origin: str = "user"  # who is editing right now ("assistant" during a turn)
    _last_grid: Any = None
    _last_lyrics: Any = None
    _save_timer: threading.Timer | None = None
    _unsubscribe: Any = None
    save_error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    last_used: float = field(default_factory=time.monotonic)

    @property
    def editor(self):
        return self.doc.editor

    def view(self) -> dict[str, Any]:
        with self.doc.lock:
            return {"name": self.name, "version": self.editor.version,
                    "state": codec.state_to_dict(self.doc.project.snapshot()), "dirty": self.doc.dirty,
                    **history_flags(self.doc),
                    "audio_url": f"/api/projects/{self.name}/audio" if self.doc.project.audio else None,
                    "warnings": list(self.doc.warnings), "save_error": self.save_error}

    def mutation(self, label: str = "", **extra: Any) -> dict[str, Any]:
        return {"version": self.editor.version, "label": label, **history_flags(self.doc), **extra}

    def patch_for(self, change: Change) -> dict[str, Any]:
        p = self.doc.project
        data: dict[str, Any] = {"version": change.version, "action": change.action, "label": change.label,
                                "origin": self.origin, "project": project_header(self.doc),
                                **history_flags(self.doc)}
        if change.balls is None:
            data["balls"] = None
            data["state"] = codec.state_to_dict(p.snapshot())
        else:
            data["balls"] = [ball_dict(i, p.balls[i]) for i in change.balls if 0 <= i < len(p.balls)]
            data["state"] = None
        data["grid_changed"] = p.grid is not self._last_grid
        if data["grid_changed"]:
            data["grid"] = codec.grid_to_dict(p.grid)
        if p.lyrics is not self._last_lyrics:
            data["lyrics"] = codec.lyrics_to_dict(p.lyrics)
        self._last_grid, self._last_lyrics = p.grid, p.lyrics
        return data


class ProjectLockedError(Exception):
    """Another studio server process holds the project open (shared database and workspace)."""

    def __init__(self, name: str, holder: str) -> None:
        super().__init__(f"project {name!r} is open on another studio server ({holder}); open it there, "
                         "or wait a minute if that server has stopped")


class ProjectRegistry:
    """Opens projects on demand from the workspace and keeps them until closed/renamed/deleted.

    With a lease repository, a project is open in at most one server process at a time.
    """

    def __init__(self, workspace: Workspace, stream_buffer: int = 5000, save_delay_s: float = 1.5,
                 leases: Any = None, lease_ttl_s: float = 60.0) -> None:
        import os
        import socket
        import uuid as _uuid

        self.workspace = workspace
        self.stream_buffer = stream_buffer
        self.save_delay_s = save_delay_s
        self.leases = leases
        self.lease_ttl_s = lease_ttl_s
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{_uuid.uuid4().hex[:6]}"
        self._root_key = str(workspace.root.resolve())
        self._open: dict[str, ProjectHandle] = {}
        self._streams: dict[str, ProjectStream] = {}  # survive close/reopen so resume keeps working
        self._lock = threading.RLock()

    def key(self, name: str) -> str:
        return validate_project_name(name)

    def open_handles(self) -> list[ProjectHandle]:
        with self._lock:
            return list(self._open.values())

    # --- leases --------------------------------------------------------------------------------
    def lease_key(self, key: str) -> str:
        return f"{self._root_key}::{key}"

    def _take_lease(self, key: str) -> None:
        if self.leases is None:
            return
        holder = self.leases.acquire(self.lease_key(key), self.owner, self.lease_ttl_s)
        if holder is not None:
            raise ProjectLockedError(key, holder)

    def _drop_lease(self, key: str) -> None:
        if self.leases is not None:
            try:
                self.leases.release(self.lease_key(key), self.owner)
            except Exception as e:  # the lease expires by itself
                log.warning("could not release the lease of %s: %s", key, type(e).__name__)

    def close_idle(self, idle_s: float, busy: Any = lambda _h: False) -> list[str]:
        """Save and close projects nobody has used for ``idle_s`` (no tab open, no turn, no job): frees
        memory and lets another server process open them."""
        now = time.monotonic()
        closed = []
        for h in self.open_handles():
            if (h.stream.subscriber_count == 0 and h.busy_request_id is None and not busy(h)
                    and now - h.last_used >= idle_s):
                self.close(h.name)
                closed.append(h.name)
        return closed

    def renew_leases(self) -> list[str]:
        """Extend the leases of open projects; projects whose lease was lost are closed unsaved."""
        if self.leases is None:
            return []
        handles = self.open_handles()
        lost_keys = set(self.leases.renew([self.lease_key(h.name) for h in handles], self.owner, self.lease_ttl_s))
        lost = [h.name for h in handles if self.lease_key(h.name) in lost_keys]
        for name in lost:
            log.warning("lost the lease of project %s to another server; closing it here without saving", name)
            self.close(name, save=False)
            self.stream(name).publish("resync", {"reason": "lost_lease", "name": name})
        return lost

    def get(self, name: str) -> ProjectHandle:
        key = self.key(name)
        with self._lock:
            h = self._open.get(key)
            if h is not None:
                h.last_used = time.monotonic()
            if h is None:
                self._take_lease(key)
                try:
                    h = self._attach(key, self.workspace.open(key))
                except BaseException:
                    self._drop_lease(key)
                    raise
            return h

    def stream(self, name: str) -> ProjectStream:
        key = self.key(name)
        with self._lock:
            if key not in self._streams:
                self._streams[key] = ProjectStream(self.stream_buffer)
            return self._streams[key]

    def _attach(self, key: str, doc: ProjectDocument) -> ProjectHandle:
        h = ProjectHandle(key, doc, self.stream(key))
        h._last_grid, h._last_lyrics = doc.project.grid, doc.project.lyrics

        def on_change(change: Change) -> None:
            h.last_used = time.monotonic()
            h.stream.publish("timeline_patch", h.patch_for(change))
            self._schedule_save(h)

        h._unsubscribe = doc.editor.subscribe(on_change)
        self._open[key] = h
        return h

    def create(self, name: str, **kwargs: Any) -> ProjectHandle:
        key = self.key(name)
        with self._lock:
            self._take_lease(key)
            try:
                doc = self.workspace.create(key, **kwargs)
            except BaseException:
                self._drop_lease(key)
                raise
            return self._attach(doc.path.stem if doc.path is not None else key, doc)

    def adopt(self, name: str, doc: ProjectDocument) -> ProjectHandle:
        """Save an imported document as a new project ``name`` and open it."""
        with self._lock:
            path = self.workspace.path_for(name)
            if path.exists():
                from ..storage.errors import WorkspaceError

                raise WorkspaceError(f"a project named {path.stem!r} already exists")
            self._take_lease(path.stem)
            try:
                if doc.project.name != path.stem:
                    doc.project.name = path.stem
                doc.save(path)
            except BaseException:
                self._drop_lease(path.stem)
                raise
            return self._attach(path.stem, doc)

    # --- saving --------------------------------------------------------------------------------
    def schedule_save(self, h: ProjectHandle) -> None:
        """Save ``h`` after the debounce delay (public: used after assistant turns)."""
        if h.doc.dirty:
            self._schedule_save(h)

    def _schedule_save(self, h: ProjectHandle) -> None:
        if self.save_delay_s < 0:
            return
        if h._save_timer is not None:
            h._save_timer.cancel()
        t = threading.Timer(self.save_delay_s, self._save_quietly, args=(h,))
        t.daemon = True
        h._save_timer = t
        t.start()

    def _save_quietly(self, h: ProjectHandle) -> None:
        if h.busy_request_id is not None:  # the assistant edits without the lock: save after its turn
            self._schedule_save(h)
            return
        try:
            self.save(h)
        except Exception as e:  # keep serving; the UI shows save_error
            h.save_error = f"automatic save failed: {e}"
            log.warning("automatic save of %s failed: %s", h.name, e)

    def save(self, h: ProjectHandle) -> None:
        if h._save_timer is not None:
            h._save_timer.cancel()
            h._save_timer = None
        if h.doc.dirty:
            h.doc.save()
        h.save_error = None

    def close(self, name: str, save: bool = True) -> None:
        key = self.key(name)
        with self._lock:
            h = self._open.pop(key, None)
        if h is None:
            return
        if h._save_timer is not None:
            h._save_timer.cancel()
        if save:
            self._save_quietly(h)
        if h._unsubscribe:
            h._unsubscribe()
        h.doc.close()
        self._drop_lease(key)

    def close_all(self) -> None:
        for h in self.open_handles():
            self.close(h.name)

    def rename(self, old: str, new: str) -> str:
        old_key, new_key = self.key(old), self.key(new)
        with self._lock:
            self._take_lease(new_key)
            try:
                self._take_lease(old_key)
                self.close(old_key)
                self._take_lease(old_key)  # keep others out while the file moves
                dst = self.workspace.rename(old_key, new_key)
            finally:
                self._drop_lease(old_key)
                self._drop_lease(new_key)
            stream = self._streams.pop(old_key, None)
        if stream is not None:
            stream.publish("resync", {"reason": "renamed", "name": dst.stem})
        return dst.stem

    def delete(self, name: str) -> None:
        key = self.key(name)
        with self._lock:
            self._take_lease(key)
            try:
                self.close(key, save=True)
                self._take_lease(key)
                self.workspace.delete(key)
            finally:
                self._drop_lease(key)
            stream = self._streams.pop(key, None)
        if stream is not None:
            stream.publish("resync", {"reason": "deleted", "name": key})

