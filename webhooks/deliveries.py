"""Delivery dedupe and the installation bookkeeping events (fast local writes only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from app.db import session_scope
from app.models import Installation, Repository, WebhookDelivery, utcnow


def claim_delivery(database_url: str, delivery_id: str, event: str, action: str | None) -> bool:
    """Record the delivery; False when it was already handled (a redelivery).

    A delivery whose earlier handling died before finishing (empty outcome) may be
    claimed again: what it starts is idempotent, so finishing it twice is harmless.
    """
    with session_scope(database_url) as session:
        existing = session.get(WebhookDelivery, delivery_id)
        if existing is not None:
            return not existing.outcome
        session.add(WebhookDelivery(id=delivery_id, event=event, action=action))
        try:
            session.flush()
        except IntegrityError:  # a concurrent copy of the same delivery won the race
            session.rollback()
            return False
    return True


def finish_delivery(database_url: str, delivery_id: str, outcome: str) -> None:
    with session_scope(database_url) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is not None:
            delivery.outcome = outcome[:500]
            session.add(delivery)


def record_installation(database_url: str, action: str, payload: dict[str, Any]) -> str:
    """Apply ``installation.*`` and ``installation_repositories.*`` to our tables."""
    installation = payload.get("installation") or {}
    install_id = installation.get("id")
    if not install_id:
        return "ignored:no installation id"
    account = installation.get("account") or {}
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
        added = payload.get("repositories", []) if action == "created" else []
        added = added + payload.get("repositories_added", [])
        for repo in added:
            existing = session.get(Repository, repo["id"])
            entry = existing or Repository(
                id=repo["id"], full_name=repo["full_name"], installation_id=install_id
            )
            entry.installation_id = install_id
            entry.private = bool(repo.get("private", False))
            entry.removed_at = None
            session.add(entry)
        removed = payload.get("repositories_removed", [])
        if action == "deleted":
            removed = removed + payload.get("repositories", [])
        for repo in removed:
            gone = session.get(Repository, repo["id"])
            if gone is not None:
                gone.removed_at = utcnow()
                session.add(gone)
    return f"recorded:installation.{action}"
