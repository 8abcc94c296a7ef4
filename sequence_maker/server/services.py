"""Everything a route or the WebSocket needs, built once per app (``request.app.state.services``)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from ..storage import Workspace
from ..store import KeyStore, Store, open_store
from .assistant_service import AssistantService
from .jobs import JobManager
from .projects import ProjectHandle, ProjectRegistry
from .settings import ServerSettings
from .turns import TurnManager


@dataclass(eq=False)
class Services:
    settings: ServerSettings
    store: Store
    keys: KeyStore
    projects: ProjectRegistry
    assistant: AssistantService
    turns: TurnManager
    jobs: JobManager
    connections: set[Any] = field(default_factory=set)  # live WebSocket sessions (for status pushes)
    log_filter: logging.Filter | None = None

    def status_frame(self, handle: ProjectHandle | None = None) -> dict[str, Any]:
        a = dict(self.assistant.status)
        data: dict[str, Any] = {"connected": True, "provider": a.get("provider"), "model": a.get("model"),
                                "assistant": a, "busy": False}
        if handle is not None:
            data.update({"project": handle.name, "stream_id": handle.stream.stream_id, "seq": handle.stream.seq,
                         "version": handle.editor.version, "busy": handle.busy_request_id is not None,
                         "busy_request_id": handle.busy_request_id,
                         "pending_approvals": self._pending(handle)})
        return {"type": "status", "request_id": None, "seq": None, "data": data}

    def _pending(self, handle: ProjectHandle) -> list[dict[str, Any]]:
        turn = self.turns.for_project(handle)
        if turn is None:
            return []
        return [{"request_id": turn.request_id, "session_id": turn.session_id, "part": p}
                for p in turn.pending.values()]

    def push_status(self, handle: ProjectHandle | None = None) -> None:
        """Send a fresh status to every socket (or only those on ``handle``'s project)."""
        for conn in list(self.connections):
            if handle is None or conn.handle is handle:
                conn.send_local(self.status_frame(conn.handle))

    def require_idle(self, handle: ProjectHandle) -> None:
        from .errors import ApiError

        if handle.busy_request_id is not None:
            raise ApiError(409, "the assistant is editing this project; wait for it or cancel the turn", "busy")


def build_services(settings: ServerSettings) -> Services:
    """Open the database (running migrations), key store, workspace; nothing slow happens here."""
    assert settings.data_dir is not None and settings.workspace is not None and settings.database_url
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(settings.database_url)
    keys = KeyStore(settings.keys_file, use_keyring=settings.use_keyring)
    projects = ProjectRegistry(Workspace(settings.workspace), settings.stream_buffer, settings.save_delay_s,
                               leases=store.leases, lease_ttl_s=settings.lease_ttl_s)
    holder: dict[str, Services] = {}

    def on_status(_status: dict[str, Any]) -> None:
        s = holder.get("s")
        if s is not None:
            s.push_status()

    assistant = AssistantService(store, keys, settings.assistant_profile, settings.probe_local_servers, on_status)
    turns = TurnManager(store, assistant, settings, on_busy=lambda h: holder["s"].push_status(h),
                        on_turn_end=projects.schedule_save)
    jobs = JobManager(projects)
    s = Services(settings, store, keys, projects, assistant, turns, jobs)
    holder["s"] = s
    return s


async def shutdown(services: Services) -> None:
    await services.turns.cancel_all()
    services.jobs.cancel_all()
    await services.assistant.aclose()
    await asyncio.to_thread(services.projects.close_all)
    services.store.close()
