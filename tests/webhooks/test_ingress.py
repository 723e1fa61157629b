"""``POST /github/webhook`` through the real app, DBOS on SQLite, GitHub answered by respx."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from app.config import Settings
from app.db import session_scope
from app.models import Installation, Repository, Run, WebhookDelivery
from tests.app.conftest import deliver, sign
from tests.conftest import load_fixture, wait_for
from tests.github_fake import FakeGitHub

REPO = "Codertocat/Hello-World"


def opened(association: str = "OWNER") -> dict[str, Any]:
    payload = copy.deepcopy(load_fixture("github_webhooks/issues__opened.payload.json"))
    payload["installation"] = {"id": 1}
    payload["issue"]["author_association"] = association
    return payload


def runs(settings: Settings) -> list[Run]:
    with session_scope(settings.database_url) as session:
        return list(session.exec(select(Run)).all())


def outcome_of(settings: Settings, delivery_id: str) -> str | None:
    with session_scope(settings.database_url) as session:
        row = session.get(WebhookDelivery, delivery_id)
        return row.outcome if row else None


def deliveries(settings: Settings) -> list[WebhookDelivery]:
    with session_scope(settings.database_url) as session:
        return list(session.exec(select(WebhookDelivery)).all())


def test_issue_from_collaborator_gets_one_on_it_comment_with_run_link(
    client: TestClient, github: FakeGitHub, settings: Settings
) -> None:
    response = deliver(client, "issues", opened(), delivery="d-opened")
    assert response.status_code == 202
    assert response.json()["outcome"] == "pending"
    wait_for(lambda: outcome_of(settings, "d-opened") == f"started:{REPO}#1:1")
    wait_for(lambda: github.comments_on(REPO, 1))
    [comment] = github.comments_on(REPO, 1)
    first = github.first_body(comment)
    assert "On it" in first
    assert "http://fixer.local/runs/Codertocat%2FHello-World%231%3A1" in first
    assert "<!-- fixer-run:Codertocat/Hello-World#1:1 -->" in first
    # Tokens were minted for this one repository and only what each call needs.
    assert {
        "repositories": ["Hello-World"],
        "permissions": {"issues": "write", "metadata": "read"},
    } in github.token_requests
    assert all(t["repositories"] == ["Hello-World"] for t in github.token_requests)
    assert all(t["permissions"].get("contents") != "write" for t in github.token_requests)
    [run] = runs(settings)
    assert run.id == f"{REPO}#1:1"
    wait_for(lambda: runs(settings)[0].status_comment_id == comment["id"])


def test_bad_signature_is_401_and_changes_nothing(
    client: TestClient, github: FakeGitHub, settings: Settings
) -> None:
    body = json.dumps(opened()).encode()
    for bad in ("", "sha256=" + "0" * 64, sign(body, "wrong secret")):
        response = deliver(client, "issues", body, signature=bad)
        assert response.status_code == 401
    assert deliveries(settings) == []
    assert runs(settings) == []
    assert github.token_requests == []


def test_unparsable_body_is_400(client: TestClient, settings: Settings) -> None:
    response = deliver(client, "issues", b"{not json")
    assert response.status_code == 400
    assert "not JSON" in response.json()["message"]
    assert runs(settings) == []


def test_signed_payload_of_the_wrong_shape_is_400_not_500(
    client: TestClient, settings: Settings
) -> None:
    payload = opened()
    payload["repository"]["id"] = "not a number"
    response = deliver(client, "issues", payload)
    assert response.status_code == 400
    assert runs(settings) == []
    assert deliveries(settings) == []


def test_missing_event_header_is_400(client: TestClient) -> None:
    body = json.dumps(opened()).encode()
    response = client.post(
        "/github/webhook",
        content=body,
        headers={"X-Hub-Signature-256": sign(body), "X-GitHub-Delivery": "d-1"},
    )
    assert response.status_code == 400


def test_body_over_25_mb_is_413_before_it_is_read(client: TestClient, settings: Settings) -> None:
    huge = b"{" + b" " * (25 * 1024 * 1024 + 10) + b"}"
    response = deliver(client, "issues", huge)
    assert response.status_code == 413
    assert deliveries(settings) == []


def test_redelivery_is_202_and_starts_nothing_new(
    client: TestClient, github: FakeGitHub, settings: Settings
) -> None:
    first = deliver(client, "issues", opened(), delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958")
    again = deliver(client, "issues", opened(), delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958")
    assert first.status_code == again.status_code == 202
    assert again.json()["message"] == "duplicate delivery, already handled"
    wait_for(lambda: github.comments_on(REPO, 1))
    time.sleep(0.5)
    assert len(runs(settings)) == 1
    assert len(github.comments_on(REPO, 1)) == 1


def test_issue_from_someone_with_read_permission_is_skipped_with_the_reason_and_no_reply(
    client: TestClient, github: FakeGitHub, settings: Settings
) -> None:
    github.permissions["Codertocat"] = "read"  # shown as OWNER: the association is not asked
    response = deliver(client, "issues", opened("OWNER"))
    assert response.status_code == 202
    wait_for(lambda: [r.state for r in runs(settings)] == ["skipped"])
    [run] = runs(settings)
    assert run.error == (
        "Codertocat has read permission on Codertocat/Hello-World; "
        "starting a run needs write, maintain or admin"
    )
    assert github.comments_on(REPO, 1) == [] and github.reactions == []


def test_second_trigger_while_active_says_so_and_starts_nothing(
    client: TestClient, github: FakeGitHub, settings: Settings
) -> None:
    deliver(client, "issues", opened())
    wait_for(lambda: github.comments_on(REPO, 1))
    comment = copy.deepcopy(
        load_fixture("github_webhooks/issue_comment__created.with-installation.payload.json")
    )
    comment["comment"]["body"] = "/fix please"
    deliver(client, "issue_comment", comment, delivery="d-fix")
    wait_for(lambda: outcome_of(settings, "d-fix") == f"busy:{REPO}#1:1")
    wait_for(lambda: len(github.comments_on(REPO, 1)) == 2)
    notice = github.comments_on(REPO, 1)[1]["body"]
    assert "already active" in notice and f"{REPO}#1:1" in notice
    assert len(runs(settings)) == 1


def test_label_added_by_a_writer_matching_the_trigger_starts_a_run(
    client: TestClient, github: FakeGitHub, settings: Settings
) -> None:
    github.files[(REPO, ".github/fixer.yml")] = "trigger: bug\n"
    github.permissions["Codertocat"] = "write"
    payload = copy.deepcopy(load_fixture("github_webhooks/issues__labeled.payload.json"))
    payload["installation"] = {"id": 1}
    deliver(client, "issues", payload)
    wait_for(lambda: github.comments_on(REPO, 1))
    assert "On it" in github.first_body(github.comments_on(REPO, 1)[0])


def test_label_added_by_someone_without_write_access_is_skipped_silently(
    client: TestClient, github: FakeGitHub, settings: Settings
) -> None:
    github.files[(REPO, ".github/fixer.yml")] = "trigger: bug\n"
    github.permissions["Codertocat"] = "triage"
    payload = copy.deepcopy(load_fixture("github_webhooks/issues__labeled.payload.json"))
    payload["installation"] = {"id": 1}
    deliver(client, "issues", payload)
    wait_for(lambda: bool(runs(settings)) and runs(settings)[0].state == "skipped")
    assert "Codertocat has read permission" in (runs(settings)[0].error or "")
    assert github.comments_on(REPO, 1) == []


def test_new_issue_in_a_label_triggered_repo_is_skipped(
    client: TestClient, github: FakeGitHub, settings: Settings
) -> None:
    github.files[(REPO, ".github/fixer.yml")] = "trigger: fixer\n"
    deliver(client, "issues", opened())
    wait_for(lambda: bool(runs(settings)) and runs(settings)[0].state == "skipped")
    assert github.comments_on(REPO, 1) == []


def test_invalid_repo_config_is_reported_on_the_issue_quoting_the_line(
    client: TestClient, github: FakeGitHub, settings: Settings
) -> None:
    github.files[(REPO, ".github/fixer.yml")] = "test: pytest\nbudget_usd: lots\n"
    deliver(client, "issues", opened())
    wait_for(lambda: bool(runs(settings)) and runs(settings)[0].state == "failed")
    [comment] = github.comments_on(REPO, 1)
    assert ".github/fixer.yml line 2" in comment["body"]
    assert "budget_usd: lots" in comment["body"]


def test_installation_events_record_the_installed_repositories(
    client: TestClient, settings: Settings
) -> None:
    created = load_fixture("github_webhooks/installation__created.payload.json")
    assert deliver(client, "installation", created).status_code == 202
    added = load_fixture("github_webhooks/installation_repositories__added.payload.json")
    deliver(client, "installation_repositories", added)
    # The recorded "removed" payload names another installation's repository: point it
    # at the one just added, as GitHub would when that repository is deselected.
    removed = copy.deepcopy(
        load_fixture("github_webhooks/installation_repositories__removed.payload.json")
    )
    removed["installation"] = created["installation"]
    removed["repositories_removed"] = added["repositories_added"]
    deliver(client, "installation_repositories", removed)
    with session_scope(settings.database_url) as session:
        installation = session.get(Installation, created["installation"]["id"])
        repos = {r.full_name: r for r in session.exec(select(Repository)).all()}
    assert (
        installation is not None
        and installation.account_login == created["installation"]["account"]["login"]
    )
    assert repos["Codertocat/Hello-World"].installation_id == 957387
    assert repos["Codertocat/Hello-World"].removed_at is None
    assert repos["Codertocat/Space"].removed_at is not None


def test_ping_and_unknown_events_are_accepted_and_ignored(
    client: TestClient, settings: Settings
) -> None:
    assert (
        deliver(client, "ping", load_fixture("github_webhooks/ping__payload.json")).json()[
            "outcome"
        ]
        == "pong"
    )
    review = load_fixture("github_webhooks/pull_request_review__submitted.payload.json")
    response = deliver(client, "pull_request_review", review)
    assert response.status_code == 202
    assert response.json()["outcome"].startswith("ignored:")
    assert runs(settings) == []


def test_delivery_stored_by_a_process_that_died_before_starting_its_run_is_started(
    settings: Settings, github: FakeGitHub
) -> None:
    from app.db import migrate
    from app.runs.request import RunRequest
    from app.web import create_app
    from webhooks.deliveries import PENDING, record_delivery
    from webhooks.triggers import run_request_for

    migrate(settings.database_url)
    request = run_request_for("issues", opened())
    assert isinstance(request, RunRequest)
    # What a web process leaves behind when it dies right after answering 202.
    record_delivery(
        settings.database_url,
        "d-orphan",
        "issues",
        "opened",
        PENDING,
        request.model_dump(mode="json"),
    )
    with TestClient(create_app(settings)):
        wait_for(lambda: outcome_of(settings, "d-orphan") == f"started:{REPO}#1:1")
        wait_for(lambda: len(github.comments_on(REPO, 1)) == 1)
