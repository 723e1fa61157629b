"""Redeliveries keep their GUID: one whose run could not start is started, the rest are no-ops."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.config import Settings
from tests.app.conftest import deliver
from tests.conftest import wait_for
from tests.github_fake import FakeGitHub
from tests.webhooks.test_ingress import REPO, opened, outcome_of, runs
from webhooks.deliveries import record_delivery


def test_redelivery_of_a_delivery_whose_run_start_errored_starts_the_run(
    client: TestClient, github: FakeGitHub, settings: Settings
) -> None:
    # Fixer stored this delivery but its run intake failed (database down, say).
    record_delivery(
        settings.database_url,
        "d-errored",
        "issues",
        "opened",
        "error:OperationalError: database is locked",
    )
    again = deliver(client, "issues", opened(), delivery="d-errored")
    assert again.status_code == 202
    assert again.json()["message"] == "redelivery accepted"
    wait_for(lambda: outcome_of(settings, "d-errored") == f"started:{REPO}#1:1")
    assert [run.id for run in runs(settings)] == [f"{REPO}#1:1"]
    wait_for(lambda: github.comments_on(REPO, 1))


def test_redelivery_of_a_delivery_that_started_a_run_is_a_no_op(
    client: TestClient, github: FakeGitHub, settings: Settings
) -> None:
    deliver(client, "issues", opened(), delivery="d-started")
    wait_for(lambda: outcome_of(settings, "d-started") == f"started:{REPO}#1:1")
    for _ in range(2):
        again = deliver(client, "issues", opened(), delivery="d-started")
        assert again.json()["message"] == "duplicate delivery, already handled"
    assert outcome_of(settings, "d-started") == f"started:{REPO}#1:1"
    assert [run.id for run in runs(settings)] == [f"{REPO}#1:1"]


def test_two_redeliveries_of_an_errored_start_start_one_run(
    client: TestClient, github: FakeGitHub, settings: Settings
) -> None:
    record_delivery(settings.database_url, "d-twice", "issues", "opened", "error:Boom: x")
    answers = [deliver(client, "issues", opened(), delivery="d-twice") for _ in range(2)]
    assert [a.json()["message"] for a in answers] == [
        "redelivery accepted",
        "duplicate delivery, already handled",
    ]
    wait_for(lambda: outcome_of(settings, "d-twice") == f"started:{REPO}#1:1")
    assert len(runs(settings)) == 1
