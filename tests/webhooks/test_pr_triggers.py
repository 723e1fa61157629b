"""Which deliveries about Fixer's pull requests become follow-up feedback (payloads from
octokit/webhooks' recorded examples, each copy changed only where the case needs it)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.runs.feedback import FeedbackEvent, PullClosed, addressed_to, is_failing
from tests.conftest import load_fixture
from webhooks.pr_triggers import feedback_event_for, mentions_in
from webhooks.triggers import Ignored

BOT = "fixer-app[bot]"


def fixture(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = copy.deepcopy(load_fixture(f"github_webhooks/{name}"))
    payload.setdefault("installation", {"id": 1})
    return payload


def pr_comment(body: str, user_type: str = "User") -> dict[str, Any]:
    payload = fixture("issue_comment__created.with-installation.payload.json")
    payload["issue"]["pull_request"] = {
        "url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/1"
    }
    payload["comment"]["body"] = body
    payload["comment"]["user"]["type"] = user_type
    return payload


def review(state: str, body: str | None, ref: str = "fixer/issue-1") -> dict[str, Any]:
    payload = fixture("pull_request_review__submitted.payload.json")
    payload["review"]["state"], payload["review"]["body"] = state, body
    payload["pull_request"]["head"]["ref"] = ref
    return payload


def suite(conclusion: str, ref: str = "fixer/issue-7") -> dict[str, Any]:
    payload = fixture("check_suite__completed.payload.json")
    payload["check_suite"]["conclusion"] = conclusion
    payload["check_suite"]["pull_requests"][0]["head"]["ref"] = ref
    return payload


def workflow_run(conclusion: str) -> dict[str, Any]:
    payload = fixture("workflow_run__completed.with-pull-requests.payload.json")
    payload["workflow_run"]["conclusion"] = conclusion
    payload["workflow_run"]["pull_requests"][0]["head"]["ref"] = "fixer/issue-7"
    return payload


def test_fix_command_on_a_pull_request_is_feedback_with_its_instructions() -> None:
    decision = feedback_event_for("issue_comment", pr_comment("/fix  also cover the empty case"))
    assert isinstance(decision, FeedbackEvent)
    assert (decision.kind, decision.command, decision.text) == (
        "comment", True, "also cover the empty case",
    )  # fmt: skip
    assert decision.key == f"comment:{decision.source_id}"
    assert (decision.repo_full_name, decision.pr_number, decision.installation_id) == (
        "Codertocat/Hello-World", 1, 1,
    )  # fmt: skip
    assert addressed_to(decision, BOT)


def test_mention_passes_ingress_and_the_round_checks_it_names_this_apps_bot() -> None:
    to_fixer = feedback_event_for("issue_comment", pr_comment("@Fixer-App please rename `x`"))
    to_alice = feedback_event_for("issue_comment", pr_comment("@alice what do you think?"))
    assert isinstance(to_fixer, FeedbackEvent) and isinstance(to_alice, FeedbackEvent)
    assert to_fixer.text == "@Fixer-App please rename `x`" and not to_fixer.command
    assert addressed_to(to_fixer, BOT)
    assert not addressed_to(to_alice, BOT)
    as_bot = feedback_event_for("issue_comment", pr_comment("thanks @fixer-app[bot]!"))
    assert isinstance(as_bot, FeedbackEvent) and addressed_to(as_bot, BOT)


def test_mentions_skip_email_addresses_and_keep_each_login_once() -> None:
    assert mentions_in("mail a@b.com, @Bob and @bob; @ci[bot]") == ["bob", "ci[bot]"]


@pytest.mark.parametrize(
    ("body", "user_type", "reason"),
    [
        ("looks good to me", "User", "neither /fix nor a mention"),
        ("/fix again", "Bot", "author is a bot"),
        ("Addressed in abc123 @alice", "Bot", "author is a bot"),
    ],
)
def test_plain_pr_comments_and_bots_comments_start_nothing(
    body: str, user_type: str, reason: str
) -> None:
    decision = feedback_event_for("issue_comment", pr_comment(body, user_type))
    assert isinstance(decision, Ignored) and reason in decision.reason


def test_comment_on_an_issue_is_left_to_the_issue_triggers() -> None:
    payload = fixture("issue_comment__created.with-installation.payload.json")
    payload["comment"]["body"] = "/fix"
    decision = feedback_event_for("issue_comment", payload)
    assert isinstance(decision, Ignored) and "not a pull request" in decision.reason


def test_review_requesting_changes_on_a_fixer_branch_is_feedback() -> None:
    decision = feedback_event_for("pull_request_review", review("changes_requested", None))
    assert isinstance(decision, FeedbackEvent)
    assert (decision.kind, decision.head_ref, decision.actor, decision.text) == (
        "review", "fixer/issue-1", "Codertocat", "",
    )  # fmt: skip
    assert decision.key == "review:237895671" and decision.pr_number == 2
    assert addressed_to(decision, BOT)


def test_comment_review_counts_only_when_it_mentions_someone() -> None:
    silent = feedback_event_for("pull_request_review", review("commented", None))
    assert isinstance(silent, Ignored)
    asked = feedback_event_for("pull_request_review", review("commented", "@fixer-app see inline"))
    assert isinstance(asked, FeedbackEvent) and addressed_to(asked, BOT)
    other = feedback_event_for("pull_request_review", review("commented", "cc @alice"))
    assert isinstance(other, FeedbackEvent) and not addressed_to(other, BOT)


@pytest.mark.parametrize(
    "payload",
    [
        review("approved", "LGTM"),
        review("changes_requested", "nope", ref="feature/login"),
    ],
    ids=["approved", "someone-elses-branch"],
)
def test_approvals_and_other_branches_reviews_start_nothing(payload: dict[str, Any]) -> None:
    assert isinstance(feedback_event_for("pull_request_review", payload), Ignored)


def test_a_bots_review_is_ignored() -> None:
    payload = review("changes_requested", "bot says no")
    payload["review"]["user"]["type"] = "Bot"
    decision = feedback_event_for("pull_request_review", payload)
    assert isinstance(decision, Ignored) and "bot" in decision.reason


@pytest.mark.parametrize(
    "conclusion", ["failure", "timed_out", "action_required", "startup_failure"]
)
def test_failing_check_suite_on_a_fixer_pr_is_feedback(conclusion: str) -> None:
    decision = feedback_event_for("check_suite", suite(conclusion))
    assert isinstance(decision, FeedbackEvent)
    assert (decision.kind, decision.key, decision.pr_number, decision.head_ref) == (
        "checks", "check_suite:118578147", 2, "fixer/issue-7",
    )  # fmt: skip
    assert decision.head_sha == "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
    assert is_failing(conclusion)


@pytest.mark.parametrize("conclusion", ["success", "neutral", "cancelled", "skipped", "stale"])
def test_passing_or_cancelled_checks_start_nothing(conclusion: str) -> None:
    assert not is_failing(conclusion)
    assert isinstance(feedback_event_for("check_suite", suite(conclusion)), Ignored)


def test_checks_on_other_branches_start_nothing() -> None:
    decision = feedback_event_for("check_suite", suite("failure", ref="changes"))
    assert isinstance(decision, Ignored) and "fixer/" in decision.reason


def test_failing_workflow_run_is_keyed_by_its_suite_so_actions_asks_once() -> None:
    run = feedback_event_for("workflow_run", workflow_run("failure"))
    assert isinstance(run, FeedbackEvent)
    assert (run.key, run.source_id, run.workflow_run_id) == (
        "check_suite:1291536064", 1291536064, 289782451,
    )  # fmt: skip
    assert run.pr_number == 2 and run.head_sha == "3484a3fb816e0859fd6e1cea078d76385ff50625"
    assert isinstance(feedback_event_for("workflow_run", workflow_run("success")), Ignored)


def test_closing_a_fixer_pr_ends_its_lineage_and_others_are_ignored() -> None:
    payload = fixture("pull_request__closed.payload.json")
    payload["pull_request"]["head"]["ref"] = "fixer/issue-1"
    payload["pull_request"]["merged"] = True
    closed = feedback_event_for("pull_request", payload)
    assert isinstance(closed, PullClosed)
    assert (closed.pr_number, closed.merged, closed.head_ref) == (2, True, "fixer/issue-1")
    untouched = fixture("pull_request__closed.payload.json")
    assert isinstance(feedback_event_for("pull_request", untouched), Ignored)


def test_other_events_are_no_feedback() -> None:
    payload = fixture("pull_request__opened.payload.json")
    assert isinstance(feedback_event_for("pull_request", payload), Ignored)
    edited = fixture("issue_comment__edited.payload.json")
    assert isinstance(feedback_event_for("issue_comment", edited), Ignored)
