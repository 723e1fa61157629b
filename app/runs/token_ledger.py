"""The shared ledger of model calls (``model_usage``), read and written by every worker.

Every call is admitted here first: the ledger holds the deployment's requests per minute
(``FIXER_LLM_RPM``) and, when set, its tokens per minute, across all workers.

Admission is one short transaction: it takes the ledger's lock, sums the last minute's rows
(one aggregate query on the ``at`` index; the rows themselves are read only when the call
does not fit), decides with ``app.runs.token_budget``, and, when the call may go, writes
the call's row with its estimates, so a call admitted on another worker a moment
later already sees it. The answered call rewrites the same row (keyed by the ``llm_call``
workflow id) with the real counts. A step re-run after a crash rewrites its row; it never
adds a second one.

The lock: PostgreSQL takes a transaction-scoped advisory lock; SQLite's first write (the
clean-up of old rows) takes the database's write lock, which orders concurrent admissions
across processes the same way. On PostgreSQL the ledger's commits do not wait for the WAL
flush (``synchronous_commit`` off for these transactions only; measured, that halves their
cost): a row lost in a database crash loosens the limit for one minute, and the API's own
429s are still waited out.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import Connection, Table, bindparam, case, delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from agents.pricing import Usage
from app.db import get_engine
from app.models import ModelUsage
from app.runs.token_budget import (
    WINDOW_S,
    Limits,
    Minute,
    Spent,
    counted_input,
    estimate,
    previous_call_id,
    wait_s,
)

log = logging.getLogger(__name__)

KEEP_S = 3600.0
"""Rows older than this are deleted at admission (only the last minute is ever read)."""
LOCK_KEY = 0x46495845524C4C4D
"""PostgreSQL advisory lock id of the ledger (any constant no other code uses)."""

TABLE: Table = ModelUsage.__table__  # type: ignore[attr-defined]

# Statements are built once: building one costs more than running it on a small table.
_SINCE: Any = bindparam("since")
_EXCLUDE: Any = bindparam("exclude")
_COLUMNS = (TABLE.c.at, TABLE.c.input_tokens, TABLE.c.output_tokens, TABLE.c.final)
_CLEAN_UP = delete(TABLE).where(TABLE.c.at < bindparam("before"))
_ROWS = select(*_COLUMNS).where(TABLE.c.at > _SINCE, TABLE.c.id != _EXCLUDE)
_PREVIOUS = TABLE.alias("previous")
_SUMS = select(
    func.coalesce(func.sum(TABLE.c.input_tokens), 0),
    func.coalesce(func.sum(TABLE.c.output_tokens), 0),
    func.coalesce(func.sum(case((TABLE.c.final, 1), else_=0)), 0),
    func.coalesce(func.sum(case((TABLE.c.final, TABLE.c.output_tokens), else_=0)), 0),
    func.count(),
    # The conversation's previous call rides along: one round trip, not two.
    select(_PREVIOUS.c.input_tokens)
    .where(_PREVIOUS.c.id == bindparam("previous"), _PREVIOUS.c.final)
    .scalar_subquery(),
).where(TABLE.c.at > _SINCE, TABLE.c.id != _EXCLUDE)
_LOCK = text("SELECT pg_advisory_xact_lock(:key), set_config('synchronous_commit', 'off', true)")
_NO_FLUSH_WAIT = text("SELECT set_config('synchronous_commit', 'off', true)")


def _upsert_statement(dialect: Any) -> Any:
    insert = dialect.insert(TABLE)
    return insert.on_conflict_do_update(
        index_elements=[TABLE.c.id],
        set_={
            column.name: insert.excluded[column.name] for column in TABLE.c if column.name != "id"
        },
    )


_UPSERT = {"postgresql": _upsert_statement(postgresql), "sqlite": _upsert_statement(sqlite)}


def admit(
    database_url: str,
    call_id: str,
    model: str,
    request: dict[str, Any],
    limits: Limits,
    now: float | None = None,
) -> float:
    """0 when ``call_id`` may call the model now (its row is written), else the seconds to
    wait before asking again. A call admitted again (its step re-run) counts once: its row
    is left out of the window it is checked against, then rewritten."""
    with get_engine(database_url).connect() as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(_LOCK, {"key": LOCK_KEY})
        now = time.time() if now is None else now
        connection.execute(_CLEAN_UP, {"before": now - KEEP_S})
        since = {"since": now - WINDOW_S, "exclude": call_id}
        *sums, previous = connection.execute(
            _SUMS, {**since, "previous": previous_call_id(call_id) or ""}
        ).one()
        minute = Minute(*(int(value) for value in sums))
        need = estimate(request, previous, minute.mean_output)
        if not minute.fits(need, limits):  # only then are the minute's rows read one by one
            window = [Spent(*row) for row in connection.execute(_ROWS, since)]
            wait = wait_s(window, now, need, limits)
            if wait > 0:
                return wait
        _upsert(connection, call_id, model, need.input, need.output, now, final=False)
        return 0.0


def record(database_url: str, call_id: str, model: str, usage: Usage) -> None:
    """Put the answered call's real counts in its row (written or rewritten, never twice)."""
    with get_engine(database_url).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(_NO_FLUSH_WAIT)
        tokens_in = counted_input(usage, model)
        _upsert(connection, call_id, model, tokens_in, usage.output_tokens, time.time(), final=True)


def window_rows(database_url: str, now: float | None = None) -> list[Spent]:
    """The calls of the last minute on every worker, as the next admission sees them."""
    since = (time.time() if now is None else now) - WINDOW_S
    with get_engine(database_url).connect() as connection:
        return [Spent(*row) for row in connection.execute(_ROWS, {"since": since, "exclude": ""})]


def _upsert(
    connection: Connection,
    call_id: str,
    model: str,
    tokens_in: int,
    tokens_out: int,
    at: float,
    *,
    final: bool,
) -> None:
    values = {
        "id": call_id,
        "at": at,
        "model": model,
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "final": final,
    }
    connection.execute(_UPSERT[connection.dialect.name], values)
