"""The database: one engine per URL, SQLite in WAL mode, schema kept current by Alembic.

The same database holds DBOS's system tables; Alembic only ever touches ours
(``include_object`` in the migration environment filters by our metadata).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"
CONNECT_PATIENCE_S = 10.0
"""How long a new PostgreSQL connection keeps trying while the server is restarting or
failing over ("connection refused", "the database system is starting up"): a restart takes
a few seconds, and a step that gives up then ends its run in an error."""


def is_disconnect(exc: BaseException) -> bool:
    """The database went away under a statement (restart, failover, network): retryable."""
    return isinstance(exc, OperationalError | InterfaceError)


DATABASE_STEP: dict[str, Any] = {
    "retries_allowed": True,
    "max_attempts": 8,
    "interval_seconds": 0.5,
    "backoff_rate": 2.0,
    "should_retry": is_disconnect,
}
"""DBOS retries for a step that only writes Fixer's own tables (idempotently): a database
restart mid-statement is waited out (about a minute in all), any other error is not."""

_engines: dict[str, Engine] = {}


def sqlalchemy_url(database_url: str) -> str:
    """``DATABASE_URL`` as SQLAlchemy wants it (psycopg 3 for PostgreSQL)."""
    if database_url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + database_url.split("://", 1)[1]
    return database_url


def _enable_sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web process read while a worker writes; the busy timeout rides out
    # the short write locks of several processes on one file. WAL is a property of the
    # file, so DBOS's own connections (opened after ``migrate``) write to it too: one fsync
    # per commit instead of the rollback journal's several. Our commits skip the fsync
    # (NORMAL); DBOS's keep SQLite's default FULL, and since the WAL is one append-only
    # file, a step's fsynced record also puts every earlier row of ours on disk.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _connect_patiently(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
    deadline = time.monotonic() + CONNECT_PATIENCE_S
    while True:
        try:
            return dialect.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def get_engine(database_url: str) -> Engine:
    """The process-wide engine for ``database_url``."""
    if database_url not in _engines:
        url = sqlalchemy_url(database_url)
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False})
            event.listen(engine, "connect", _enable_sqlite_wal)
        else:
            engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
            # pre-ping finds the connections a restart closed; their replacements wait
            # for the server to be back instead of failing the statement at once.
            event.listen(engine, "do_connect", _connect_patiently)
        _engines[database_url] = engine
    return _engines[database_url]


def dispose_engines() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


@contextmanager
def session_scope(database_url: str) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_engine(database_url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url
    return config


def migrate(database_url: str) -> None:
    """Bring the schema to the newest revision, keeping existing data."""
    with get_engine(database_url).begin() as connection:
        config = alembic_config(database_url)
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
