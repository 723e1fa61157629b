from __future__ import annotations

import copy
from typing import Any

import pytest

from app.runs.request import RunRequest
from tests.conftest import load_fixture
from webhooks.triggers import Ignored, run_request_for


def installed(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = copy.deepcopy(load_fixture(f"github_webhooks/{name}"))
    payload.setdefault("installation", {"id": 1})
    return payload


def test_issue_opened_by_owner_starts_a_run() -> None:
    decision = run_request_for("issues", installed("issues__opened.payload.json"))
    assert isinstance(decision, RunRequest)
    assert decision.repo_full_name == "Codertocat/Hello-World"
    assert decision.issue_number == 1
    assert decision.trigger == "opened"
    assert decision.run_id(1) == "Codertocat/Hello-World#1:1"


@pytest.mark.parametrize("association", ["NONE", "CONTRIBUTOR", "MEMBER", "COLLABORATOR"])
def test_issue_opened_asks_the_run_to_check_permission_whatever_the_association(
    association: str,
) -> None:
    # A private organisation member shows as NONE or CONTRIBUTOR, and MEMBER includes
    # read-only people: ingress cannot judge, the run asks GitHub for the permission.
    payload = installed("issues__opened.payload.json")
    payload["issue"]["author_association"] = association
    decision = run_request_for("issues", payload)
    assert isinstance(decision, RunRequest)
    assert decision.actor == "Codertocat"
    assert decision.at_creation


def test_issue_opened_by_a_bot_starts_nothing() -> None:
    payload = installed("issues__opened.payload.json")
    payload["sender"]["type"] = "Bot"
    decision = run_request_for("issues", payload)
    assert isinstance(decision, Ignored)
    assert "bot" in decision.reason


def test_payload_without_installation_starts_nothing() -> None:
    payload = copy.deepcopy(load_fixture("github_webhooks/issues__opened.payload.json"))
    assert isinstance(run_request_for("issues", payload), Ignored)


def test_label_event_carries_label_and_labeller_for_the_run_to_check() -> None:
    decision = run_request_for("issues", installed("issues__labeled.payload.json"))
    assert isinstance(decision, RunRequest)
    assert decision.trigger == "labeled"
    assert decision.label == "bug"
    assert decision.actor == "Codertocat"


def test_label_set_at_creation_is_part_of_the_creation_and_a_later_one_is_not() -> None:
    # octokit's example is a label set at creation: the issue is unchanged since.
    at_creation = run_request_for("issues", installed("issues__labeled.payload.json"))
    assert isinstance(at_creation, RunRequest)
    assert at_creation.at_creation and at_creation.issue_labels == ["bug"]
    later = installed("issues__labeled.payload.json")
    later["issue"]["updated_at"] = "2019-05-15T15:24:02Z"
    decision = run_request_for("issues", later)
    assert isinstance(decision, RunRequest)
    assert not decision.at_creation


def test_opened_carries_the_labels_the_issue_was_created_with() -> None:
    payload = installed("issues__opened.payload.json")
    decision = run_request_for("issues", payload)
    assert isinstance(decision, RunRequest)
    assert decision.issue_labels == [label["name"] for label in payload["issue"]["labels"]]


def test_fix_comment_carries_instructions_and_the_comment_to_acknowledge() -> None:
    payload = installed("issue_comment__created.with-installation.payload.json")
    payload["comment"]["body"] = "/fix keep the public API unchanged"
    decision = run_request_for("issue_comment", payload)
    assert isinstance(decision, RunRequest)
    assert decision.trigger == "comment"
    assert decision.instructions == "keep the public API unchanged"
    assert decision.comment_id == payload["comment"]["id"]


def test_fix_from_anyone_but_a_bot_goes_to_the_run_and_a_plain_comment_starts_nothing() -> None:
    payload = installed("issue_comment__created.with-installation.payload.json")
    assert isinstance(run_request_for("issue_comment", payload), Ignored)  # not /fix
    payload["comment"]["body"] = "/fix"
    payload["comment"]["author_association"] = "NONE"
    assert isinstance(run_request_for("issue_comment", payload), RunRequest)
    payload["comment"]["user"]["type"] = "Bot"
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


def assigned(login: str, kind: str) -> dict[str, Any]:
    """``issues.assigned``: octokit's issue, with the assignee GitHub adds beside it."""
    payload = installed("issues__opened.payload.json")
    payload["action"] = "assigned"
    assignee = {**payload["sender"], "login": login, "type": kind, "id": 41898282}
    payload["assignee"] = assignee
    payload["issue"]["assignees"] = [assignee]
    return payload


def test_issue_assigned_to_a_bot_asks_the_run_to_check_the_bot_and_the_assigner() -> None:
    decision = run_request_for("issues", assigned("fixer[bot]", "Bot"))
    assert isinstance(decision, RunRequest)
    assert (decision.trigger, decision.assignee, decision.actor) == (
        "assigned",
        "fixer[bot]",
        "Codertocat",
    )
    assert decision.on_issue and not decision.at_creation


def test_the_run_accepts_only_this_apps_bot_as_assignee() -> None:
    from app.runs.assignment import assignee_refusal

    mine = run_request_for("issues", assigned("Fixer[bot]", "Bot"))
    other = run_request_for("issues", assigned("copilot-swe-agent[bot]", "Bot"))
    assert isinstance(mine, RunRequest) and isinstance(other, RunRequest)
    assert assignee_refusal(mine, "fixer[bot]") is None
    assert assignee_refusal(other, "fixer[bot]") == (
        "the issue was assigned to copilot-swe-agent[bot], not to fixer[bot]"
    )


@pytest.mark.parametrize(("login", "kind"), [("octocat", "User"), ("robot", "Bot")])
def test_issue_assigned_to_a_person_starts_nothing(login: str, kind: str) -> None:
    decision = run_request_for("issues", assigned(login, kind))
    assert isinstance(decision, Ignored)
    assert decision.reason == f"issue assigned to {login}, not to a bot"


def test_issue_assigned_by_a_bot_or_while_closed_starts_nothing() -> None:
    by_bot = assigned("fixer[bot]", "Bot")
    by_bot["sender"]["type"] = "Bot"
    closed = assigned("fixer[bot]", "Bot")
    closed["issue"]["state"] = "closed"
    pull = assigned("fixer[bot]", "Bot")
    pull["issue"]["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/1"}
    reasons = [run_request_for("issues", p) for p in (by_bot, closed, pull)]
    assert [r.reason for r in reasons if isinstance(r, Ignored)] == [
        "sender is a bot",
        "issue is closed",
        "pull requests are not fixed",
    ]
