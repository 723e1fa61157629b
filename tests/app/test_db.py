from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from app.db import get_engine, migrate, session_scope
from app.models import Run


def test_schema_from_migrations_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/f.db"
    migrate(url)
    with get_engine(url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []


def test_upgrade_keeps_rows_and_leaves_other_tables_alone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/f.db"
    migrate(url)
    with get_engine(url).begin() as connection:
        connection.execute(text("CREATE TABLE workflow_status (workflow_uuid TEXT PRIMARY KEY)"))
        connection.execute(text("INSERT INTO workflow_status VALUES ('a/b#1:1')"))
    with session_scope(url) as session:
        session.add(
            Run(
                id="a/b#1:1",
                repo_full_name="a/b",
                repo_id=1,
                installation_id=2,
                issue_number=1,
                trigger="cli",
                actor="me",
            )
        )
    migrate(url)  # an upgrade on a live database: no-op here, never destructive
    with session_scope(url) as session:
        assert session.get(Run, "a/b#1:1") is not None
    assert "workflow_status" in inspect(get_engine(url)).get_table_names()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/f.db"
    with get_engine(url).connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
