from __future__ import annotations

import copy
from typing import Any

import pytest

from app.runs.request import RunRequest
from tests.conftest import load_fixture
from webhooks.triggers import Ignored, run_request_for


def installed(name: str) -> dict[str, Any]:
    payload = copy.deepcopy(load_fixture(f"github_webhooks/{name}"))
    payload.setdefault("installation", {"id": 1})
    return payload


def test_issue_opened_by_owner_starts_a_run() -> None:
    decision = run_request_for("issues", installed("issues__opened.payload.json"))
    assert isinstance(decision, RunRequest)
    assert decision.repo_full_name == "Codertocat/Hello-World"
    assert decision.issue_number == 1
    assert decision.trigger == "opened"
    assert decision.run_id(1) == "Codertocat/Hello-World#1:1"


@pytest.mark.parametrize("association", ["NONE", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR"])
def test_issue_opened_by_outsider_starts_nothing(association: str) -> None:
    payload = installed("issues__opened.payload.json")
    payload["issue"]["author_association"] = association
    decision = run_request_for("issues", payload)
    assert isinstance(decision, Ignored)
    assert association in decision.reason


def test_payload_without_installation_starts_nothing() -> None:
    payload = copy.deepcopy(load_fixture("github_webhooks/issues__opened.payload.json"))
    assert isinstance(run_request_for("issues", payload), Ignored)


def test_label_event_carries_label_and_labeller_for_the_run_to_check() -> None:
    decision = run_request_for("issues", installed("issues__labeled.payload.json"))
    assert isinstance(decision, RunRequest)
    assert decision.trigger == "labeled"
    assert decision.label == "bug"
    assert decision.actor == "Codertocat"


def test_fix_comment_from_collaborator_carries_instructions() -> None:
    payload = installed("issue_comment__created.with-installation.payload.json")
    payload["comment"]["body"] = "/fix keep the public API unchanged"
    decision = run_request_for("issue_comment", payload)
    assert isinstance(decision, RunRequest)
    assert decision.trigger == "comment"
    assert decision.instructions == "keep the public API unchanged"


def test_plain_comment_or_outsider_fix_starts_nothing() -> None:
    payload = installed("issue_comment__created.with-installation.payload.json")
    assert isinstance(run_request_for("issue_comment", payload), Ignored)  # not /fix
    payload["comment"]["body"] = "/fix"
    payload["comment"]["author_association"] = "NONE"
    assert isinstance(run_request_for("issue_comment", payload), Ignored)


def test_fix_comment_on_a_pull_request_starts_nothing() -> None:
    payload = installed("issue_comment__created.with-installation.payload.json")
    payload["comment"]["body"] = "/fix"
    payload["issue"]["pull_request"] = {"url": "https://api.github.com/repos/x/y/pulls/1"}
    decision = run_request_for("issue_comment", payload)
    assert isinstance(decision, Ignored)
    assert "pull request" in decision.reason


def test_words_after_fix_without_space_are_not_a_command() -> None:
    payload = installed("issue_comment__created.with-installation.payload.json")
    payload["comment"]["body"] = "/fixture is broken"
    assert isinstance(run_request_for("issue_comment", payload), Ignored)


def test_edited_comments_and_other_events_start_nothing() -> None:
    edited = installed("issue_comment__edited.payload.json")
    edited["comment"]["body"] = "/fix"
    assert isinstance(run_request_for("issue_comment", edited), Ignored)
    assert isinstance(
        run_request_for("pull_request", installed("pull_request__opened.payload.json")), Ignored
    )
