"""Project leases: several studio servers can share one database and workspace, but each project is
edited by one process at a time (its in-memory document is the truth until saved). A lease expires
unless renewed, so a crashed server never locks a project for long."""

from __future__ import annotations

import time

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from .tables import ProjectLeaseRow


class LeaseRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._s = sessions

    def acquire(self, key: str, owner: str, ttl_s: float) -> str | None:
        """Take or renew the lease; returns None on success, else the current holder."""
        now = time.time()
        try:
            with self._s.begin() as s:
                row = s.scalars(select(ProjectLeaseRow).where(ProjectLeaseRow.key == key).with_for_update()).first()
                if row is None:
                    s.add(ProjectLeaseRow(key=key, owner=owner, expires=now + ttl_s))
                    return None
                if row.owner != owner and row.expires > now:
                    return row.owner
                row.owner, row.expires = owner, now + ttl_s
                return None
        except IntegrityError:  # another process inserted it between our select and insert
            return self.holder(key) or "another server"

    def renew(self, keys: list[str], owner: str, ttl_s: float) -> list[str]:
        """Extend our leases; returns the keys we no longer hold."""
        lost = []
        for key in keys:
            with self._s.begin() as s:
                n = s.execute(update(ProjectLeaseRow).where(ProjectLeaseRow.key == key, ProjectLeaseRow.owner == owner)
                              .values(expires=time.time() + ttl_s)).rowcount
            if n == 0 and self.acquire(key, owner, ttl_s) is not None:
                lost.append(key)
        return lost

    def release(self, key: str, owner: str) -> None:
        with self._s.begin() as s:
            s.execute(delete(ProjectLeaseRow).where(ProjectLeaseRow.key == key, ProjectLeaseRow.owner == owner))

    def holder(self, key: str) -> str | None:
        with self._s() as s:
            row = s.get(ProjectLeaseRow, key)
            return row.owner if row is not None and row.expires > time.time() else None
