"""A PostgreSQL restart under a run: new connections wait for the server, steps that only
write Fixer's tables are retried, and nothing else is retried for them."""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from app import db


class RestartingServer:
    """A dialect whose server refuses ``refusals`` connections, then accepts."""

    class loaded_dbapi:  # the DBAPI module's shape
        OperationalError = psycopg.OperationalError

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.tries = 0

    def connect(self, *_args: Any, **_kwargs: Any) -> str:
        self.tries += 1
        if self.tries <= self.refusals:
            raise psycopg.OperationalError("FATAL:  the database system is starting up")
        return "connection"


def test_a_connection_opened_while_postgres_restarts_waits_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(time, "sleep", lambda _s: None)
    server = RestartingServer(refusals=5)
    assert db._connect_patiently(server, None, [], {}) == "connection"
    assert server.tries == 6


def test_a_server_still_down_after_the_patience_fails_the_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(db, "CONNECT_PATIENCE_S", 0.05)
    server = RestartingServer(refusals=10_000)
    with pytest.raises(psycopg.OperationalError, match="starting up"):
        db._connect_patiently(server, None, [], {})


def test_database_steps_retry_a_lost_connection_but_not_a_broken_write() -> None:
    lost = OperationalError("UPDATE runs", {}, psycopg.OperationalError("server closed"))
    broken = IntegrityError("INSERT runs", {}, psycopg.IntegrityError("duplicate key"))
    assert db.DATABASE_STEP["should_retry"](lost)
    assert not db.DATABASE_STEP["should_retry"](broken)
    assert not db.DATABASE_STEP["should_retry"](ValueError("a bug"))
