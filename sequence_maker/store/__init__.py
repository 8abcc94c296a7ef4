"""Persistence for the studio: chat sessions, request metrics, provider profiles, settings, keys.

SQLite by default, PostgreSQL when ``SEQMAKER_DATABASE_URL`` points at one. The schema is owned by
the Alembic migrations shipped in ``store/migrations`` and applied by :func:`open_store` at start-up.
"""

from .db import Store, open_store
from .keys import KeyStore

__all__ = ["Store", "open_store", "KeyStore"]
