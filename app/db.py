"""The database: one engine per URL, SQLite in WAL mode, schema kept current by Alembic.

The same database holds DBOS's system tables; Alembic only ever touches ours
(``include_object`` in the migration environment filters by our metadata).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"

_engines: dict[str, Engine] = {}


def sqlalchemy_url(database_url: str) -> str:
    """``DATABASE_URL`` as SQLAlchemy wants it (psycopg 3 for PostgreSQL)."""
    if database_url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + database_url.split("://", 1)[1]
    return database_url


def _enable_sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web process read while a worker writes; the busy timeout rides out
    # the short write locks of several processes on one file.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def get_engine(database_url: str) -> Engine:
    """The process-wide engine for ``database_url``."""
    if database_url not in _engines:
        url = sqlalchemy_url(database_url)
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False})
            event.listen(engine, "connect", _enable_sqlite_wal)
        else:
            engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
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
