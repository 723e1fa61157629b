"""The stored delivery: what the run intake and `fixer deliveries` read back from the row."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.db import migrate, session_scope
from app.models import WebhookDelivery
from webhooks.deliveries import PENDING, record_delivery


def test_stored_delivery_keeps_its_run_request_outcome_and_arrival_time(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fixer.db"
    migrate(url)
    request = {"repo_full_name": "acme/calc", "issue_number": 7, "trigger": "opened"}
    assert record_delivery(url, "guid-1", "issues", "opened", PENDING, request)
    with session_scope(url) as session:
        row = session.get(WebhookDelivery, "guid-1")
    assert row is not None
    assert (row.event, row.action, row.outcome, row.request) == (
        "issues",
        "opened",
        PENDING,
        request,
    )
    assert isinstance(row.received_at, datetime)


def test_same_delivery_id_is_stored_once_and_reported_as_seen(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fixer.db"
    migrate(url)
    assert record_delivery(url, "guid-2", "issues", "opened", PENDING, {"n": 1})
    assert not record_delivery(url, "guid-2", "issues", "opened", PENDING, {"n": 2})
    with session_scope(url) as session:
        row = session.get(WebhookDelivery, "guid-2")
    assert row is not None and row.request == {"n": 1}
