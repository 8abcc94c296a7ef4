"""Chat sessions and their messages, grouped by turn, in conversation order."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from .tables import ChatMessageRow, ChatSessionRow


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message to persist: ``native`` is what the assistant continues from, ``parts`` what the UI shows."""

    role: str
    native: dict[str, Any]
    parts: list[dict[str, Any]]


def _session_dict(row: ChatSessionRow, turns: int) -> dict[str, Any]:
    return {"id": row.id, "project": row.project, "title": row.title, "created": row.created,
            "updated": row.updated, "profile": row.profile, "turns": turns}


class ChatRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._s = sessions

    def create_session(self, project: str, title: str = "", profile: str | None = None) -> dict[str, Any]:
        now = time.time()
        row = ChatSessionRow(id=uuid.uuid4().hex, project=project, title=title.strip()[:255], profile=profile,
                             created=now, updated=now)
        with self._s.begin() as s:
            s.add(row)
        return _session_dict(row, 0)

    def _turn_counts(self, s: Session, ids: list[str]) -> dict[str, int]:
        if not ids:
            return {}
        q = (select(ChatMessageRow.session_id, func.count(func.distinct(ChatMessageRow.turn)))
             .where(ChatMessageRow.session_id.in_(ids)).group_by(ChatMessageRow.session_id))
        return dict(s.execute(q).all())

    def list_sessions(self, project: str) -> list[dict[str, Any]]:
        with self._s() as s:
            rows = s.scalars(select(ChatSessionRow).where(ChatSessionRow.project == project)
                             .order_by(ChatSessionRow.updated.desc())).all()
            counts = self._turn_counts(s, [r.id for r in rows])
            return [_session_dict(r, counts.get(r.id, 0)) for r in rows]

    def get_session(self, session_id: str) -> dict[str, Any] | None:
        with self._s() as s:
            row = s.get(ChatSessionRow, session_id)
            return None if row is None else _session_dict(row, self._turn_counts(s, [row.id]).get(row.id, 0))

    def rename_session(self, session_id: str, title: str) -> dict[str, Any] | None:
        with self._s.begin() as s:
            row = s.get(ChatSessionRow, session_id)
            if row is None:
                return None
            row.title = title.strip()[:255]
            row.updated = time.time()
        return self.get_session(session_id)

    def allowed_tools(self, session_id: str) -> set[str]:
        """Tools the user said to "always allow" in this chat (empty for an unknown session)."""
        with self._s() as s:
            row = s.get(ChatSessionRow, session_id)
            return set(row.always_allowed or []) if row is not None else set()

    def set_allowed_tools(self, session_id: str, names: set[str]) -> None:
        """Replace the chat's "always allow" list (kept sorted so the stored value is stable)."""
        with self._s.begin() as s:
            row = s.get(ChatSessionRow, session_id)
            if row is not None:
                row.always_allowed = sorted(names) or None

    def delete_session(self, session_id: str) -> bool:
        with self._s.begin() as s:
            s.execute(delete(ChatMessageRow).where(ChatMessageRow.session_id == session_id))
            return s.execute(delete(ChatSessionRow).where(ChatSessionRow.id == session_id)).rowcount > 0

    def next_turn(self, session_id: str) -> int:
        with self._s() as s:
            last = s.scalar(select(func.max(ChatMessageRow.turn)).where(ChatMessageRow.session_id == session_id))
            return 1 if last is None else last + 1

    def append(self, session_id: str, turn: int, messages: list[StoredMessage]) -> None:
        """Append messages of one turn (after any already stored) and touch the session."""
        if not messages:
            return
        now = time.time()
        with self._s.begin() as s:
            pos = s.scalar(select(func.max(ChatMessageRow.position))
                           .where(ChatMessageRow.session_id == session_id))
            pos = -1 if pos is None else pos
            for m in messages:
                pos += 1
                s.add(ChatMessageRow(session_id=session_id, turn=turn, position=pos, role=m.role,
                                     native=m.native, parts=m.parts, created=now))
            s.execute(update(ChatSessionRow).where(ChatSessionRow.id == session_id).values(updated=now))

    def messages(self, session_id: str) -> list[dict[str, Any]]:
        with self._s() as s:
            rows = s.scalars(select(ChatMessageRow).where(ChatMessageRow.session_id == session_id)
                             .order_by(ChatMessageRow.position)).all()
            return [{"id": r.id, "turn": r.turn, "role": r.role, "parts": r.parts, "native": r.native,
                     "created": r.created} for r in rows]

    def rename_project(self, old: str, new: str) -> None:
        with self._s.begin() as s:
            s.execute(update(ChatSessionRow).where(ChatSessionRow.project == old).values(project=new))

    def delete_project(self, project: str) -> None:
        with self._s.begin() as s:
            ids = s.scalars(select(ChatSessionRow.id).where(ChatSessionRow.project == project)).all()
            if ids:
                s.execute(delete(ChatMessageRow).where(ChatMessageRow.session_id.in_(ids)))
                s.execute(delete(ChatSessionRow).where(ChatSessionRow.id.in_(ids)))
