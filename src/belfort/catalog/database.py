"""Engine and sessions for the catalogue database (SQLite WAL by default, PostgreSQL in production)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


SQLITE_POOL_SIZE = 24  # ≥ BELFORT_THREADS + the waiting lane's usual few + background threads


def make_engine(url: str, connect_timeout: int = 5) -> Engine:
    """Create the engine; SQLite gets WAL, a busy timeout and enforced foreign keys;
    PostgreSQL a connect timeout (an unreachable server fails fast instead of hanging) and
    pre-ping (a connection the server dropped, e.g. on its restart, is replaced)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # connections are kept, not opened per request: a new one sets its pragmas and reads
        # the whole schema on first use, and under load the default pool (5) opened and
        # closed them request after request (bench/README.md, "Request threads")
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               pool_size=SQLITE_POOL_SIZE, max_overflow=SQLITE_POOL_SIZE)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if url.startswith("postgresql"):
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": connect_timeout})
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revisions(engine: Engine) -> tuple[str, ...]:
    """The migrations the database is at (empty: no Belfort schema yet)."""
    with engine.connect() as connection:
        return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def head_revisions() -> tuple[str, ...]:
    """The newest migrations this version of Belfort knows."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return tuple(sorted(script.get_heads()))


class Database:
    """The catalogue database of one process: an engine and a session factory."""

    def __init__(self, url: str, *, migrate: bool = True, connect_timeout: int = 5) -> None:
        self.url = url
        self.engine = make_engine(url, connect_timeout)
        if migrate:
            upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @property
    def shared(self) -> bool:
        """A server database (PostgreSQL) that several nodes may share; not the embedded SQLite."""
        return self.engine.dialect.name == "postgresql"

    def dispose(self) -> None:
        self.engine.dispose()


def database_clock_us(session: Session) -> int:
    """Now, in µs since the epoch, by the clock every node shares: PostgreSQL's for a shared
    database (nodes' clocks may differ), this machine's for SQLite (one machine's file)."""
    if session.get_bind().dialect.name == "postgresql":
        return int(session.execute(
            text("SELECT floor(extract(epoch FROM clock_timestamp()) * 1000000)")).scalar_one())
    return time.time_ns() // 1000
