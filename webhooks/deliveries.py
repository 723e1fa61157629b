"""Deliveries: the dedupe record, the outbox of owed run starts, installation bookkeeping.

A delivery that asks for a run is stored as ``pending`` with its run request in the same
insert that dedupes it, and the webhook answers 202 right then; the run intake starts the
run just after. A crash between the two loses nothing: pending rows are picked up again.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from app.clock import utcnow
from app.db import get_engine, session_scope
from app.models import Installation, Repository, WebhookDelivery

_INSERT_DELIVERY = insert(WebhookDelivery.__table__)  # type: ignore[attr-defined]

PENDING = "pending"
ERROR = "error:"
"""Prefix of the outcome of a delivery whose run could not be started (see the run intake)."""


def record_delivery(
    database_url: str,
    delivery_id: str,
    event: str,
    action: str | None,
    outcome: str,
    request: dict[str, Any] | None = None,
) -> bool:
    """Store the delivery; False when it was stored before (a redelivery).

    A Core insert on a pooled connection: this is the webhook's hot path, and the ORM's
    unit of work costs more than the write itself. The statement is built once and the row
    passed as parameters: ``.values(...)`` per call coerced every value and keyed SQLAlchemy's
    cache anew, which cost about three times the SQLite insert and commit.
    """
    row = {
        "id": delivery_id,
        "event": event,
        "action": action,
        "outcome": outcome[:500],
        "request": request,
        "received_at": utcnow(),
    }
    try:
        with get_engine(database_url).begin() as connection:
            connection.execute(_INSERT_DELIVERY, row)
    except IntegrityError:
        return False
    return True


def reopen_failed_start(
    database_url: str, delivery_id: str, outcome: str, request: dict[str, Any] | None
) -> bool:
    """A redelivery of a delivery whose run start errored: owe the start again.

    GitHub keeps the GUID on a redelivery, so the dedupe insert refuses it; only an
    ``error:`` row is reopened (conditionally, so two redeliveries reopen it once). A row
    that started a run, was ignored or is still pending stays as it is.
    """
    if outcome != PENDING:
        return False
    statement = (
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.id) == delivery_id,
            col(WebhookDelivery.outcome).startswith(ERROR),
        )
        .values(outcome=PENDING, request=request, received_at=utcnow())
    )
    with get_engine(database_url).begin() as connection:
        return bool(connection.execute(statement).rowcount == 1)


def outcomes_of(database_url: str, delivery_ids: list[str]) -> dict[str, str]:
    """Fixer's outcome for each of ``delivery_ids`` it has a record of."""
    if not delivery_ids:
        return {}
    with session_scope(database_url) as session:
        rows = session.exec(
            select(WebhookDelivery.id, WebhookDelivery.outcome).where(
                col(WebhookDelivery.id).in_(delivery_ids)
            )
        ).all()
    return {row[0]: row[1] for row in rows}


def claim_pending(database_url: str, owner: str, limit: int = 50) -> list[WebhookDelivery]:
    """Claim up to ``limit`` owed run starts for ``owner``, oldest first.

    Rows this owner claimed before dying are claimed again; the conditional update makes
    sure two processes never start the same delivery's run.
    """
    claimed: list[WebhookDelivery] = []
    mine = f"starting:{owner}"
    with session_scope(database_url) as session:
        rows = session.exec(
            select(WebhookDelivery)
            .where(col(WebhookDelivery.outcome).in_([PENDING, mine]))
            .order_by(col(WebhookDelivery.received_at))
            .limit(limit)
        ).all()
        for row in rows:
            result = session.exec(  # type: ignore[call-overload]
                update(WebhookDelivery)
                .where(
                    col(WebhookDelivery.id) == row.id, col(WebhookDelivery.outcome) == row.outcome
                )
                .values(outcome=mine)
            )
            if result.rowcount == 1:
                claimed.append(row)
    return claimed


def finish_delivery(database_url: str, delivery_id: str, outcome: str) -> None:
    with session_scope(database_url) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is not None:
            delivery.outcome = outcome[:500]
            session.add(delivery)


# Database ids: GitHub's are positive and fit a signed 64-bit column.
_DatabaseId = Field(strict=True, gt=0, lt=2**63)


class _Account(BaseModel):
    login: str = ""
    type: str = "User"


class _Installation(BaseModel):
    id: int = _DatabaseId
    account: _Account | None = None


class _InstalledRepository(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int = _DatabaseId
    full_name: str = Field(pattern=r"^[\w.-]+/[\w.-]+$")
    private: bool = False


class _InstallationPayload(BaseModel):
    """The fields we store, checked before any write: a signed payload of another shape is
    refused (``ValueError`` → 400 at the router) instead of failing inside the database."""

    installation: _Installation | None = None
    repositories: list[_InstalledRepository] = []
    repositories_added: list[_InstalledRepository] = []
    repositories_removed: list[_InstalledRepository] = []


def record_installation(database_url: str, action: str, payload: dict[str, Any]) -> str:
    """Apply ``installation.*`` and ``installation_repositories.*`` to our tables."""
    if not (payload.get("installation") or {}):
        return "ignored:no installation id"
    checked = _InstallationPayload.model_validate(payload).model_dump()
    installation = checked["installation"]
    install_id = installation["id"]
    account = installation["account"] or {}
    with session_scope(database_url) as session:
        row = session.get(Installation, install_id) or Installation(
            id=install_id,
            account_login=account.get("login", ""),
            account_type=account.get("type", "User"),
        )
        if action == "deleted":
            row.deleted_at = utcnow()
        elif action in ("created", "unsuspend", "new_permissions_accepted"):
            row.deleted_at = None
        session.add(row)
        added = checked["repositories"] if action == "created" else []
        added = added + checked["repositories_added"]
        for repo in added:
            existing = session.get(Repository, repo["id"])
            entry = existing or Repository(
                id=repo["id"], full_name=repo["full_name"], installation_id=install_id
            )
            entry.installation_id = install_id
            entry.private = bool(repo.get("private", False))
            entry.removed_at = None
            session.add(entry)
        removed = checked["repositories_removed"]
        if action == "deleted":
            removed = removed + checked["repositories"]
        for repo in removed:
            gone = session.get(Repository, repo["id"])
            if gone is not None:
                gone.removed_at = utcnow()
                session.add(gone)
    return f"recorded:installation.{action}"
