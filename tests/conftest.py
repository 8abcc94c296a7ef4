"""Fixtures shared by several test folders.

``db_url``: every database test runs on SQLite, and on PostgreSQL when SEQMAKER_TEST_POSTGRES_URL is set.
Each PostgreSQL test gets its own throw-away schema so runs never see each other's rows. Used by
tests/store and tests/server (chat and metrics surviving a restart, several servers on one database).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

PG_URL = os.environ.get("SEQMAKER_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'studio.db'}"
        return
    if not PG_URL:
        pytest.skip("SEQMAKER_TEST_POSTGRES_URL not set: no PostgreSQL server for this run")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
