"""Alembic environment: always run with a connection handed in by ``store.db.migrate``."""

from __future__ import annotations

from alembic import context

from sequence_maker.store.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via store.db.migrate
    raise RuntimeError("run migrations through sequence_maker.store.db.migrate()")

context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
