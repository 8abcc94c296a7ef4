"""Engine, migrations and the :class:`Store` facade the server holds."""

from __future__ import annotations

import contextlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from .chat import ChatRepository
from .leases import LeaseRepository
from .metrics import MetricsRepository
from .profiles import ProfileRepository, SettingsRepository

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_PG_MIGRATION_LOCK = 0x5E9A4B3  # advisory lock id: several servers may start at once on one database


class StoreError(RuntimeError):
    """The database cannot be opened or migrated; the message says which URL (without password)."""


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"


def make_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # foreign keys for cascades; WAL for readers
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if u.database and u.database != ":memory:":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


@contextlib.contextmanager
def _sqlite_migration_lock(engine: Engine):
    """SQLite DDL is not transactional here: serialise concurrent starts with a lock file next to the DB."""
    db = engine.url.database
    if engine.dialect.name != "sqlite" or not db or db == ":memory:":
        yield
        return
    import fcntl

    with open(f"{db}.migrate.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent; serialised across processes)."""
    with _sqlite_migration_lock(engine):
        _migrate(engine)


def _migrate(engine: Engine) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Store:
    """All persistent studio state behind small repositories (one job each)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        self.chat = ChatRepository(self._sessions)
        self.metrics = MetricsRepository(self._sessions)
        self.profiles = ProfileRepository(self._sessions)
        self.settings = SettingsRepository(self._sessions)
        self.leases = LeaseRepository(self._sessions)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str) -> Store:
    """Connect, migrate and return the store. Raises :class:`StoreError` naming the (redacted) URL."""
    try:
        engine = make_engine(url)
        migrate(engine)
    except Exception as e:
        raise StoreError(f"cannot open database {safe_url(url)}: {type(e).__name__}: "
                         f"{str(e).splitlines()[0] if str(e) else ''}") from None
    return Store(engine)
