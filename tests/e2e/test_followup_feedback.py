"""Feedback on Fixer's pull request through `fixer serve`: reviews with inline comments and
failing checks become follow-up rounds, each one new commit with replies where it answered."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from devtools import sample_repo
from devtools.scripted_model import reply, tool_use
from devtools.stack import Stack, wait_until
from tests.e2e.followup_helpers import PR_BRANCH, commits, followup_approvals, open_fixer_pr

REPO = sample_repo.REPO
REVIEWER = "reviewer-rita"
DOCSTRING = '"""Arithmetic mean of a non-empty sequence of numbers."""'


def followup_script(new_docstring: str, summary: str) -> list[Any]:
    """One coder round on the PR branch: change the docstring, run the tests, submit."""
    return [
        reply(tool_use("edit", {"path": "calc/stats.py", "old": DOCSTRING, "new": new_docstring})),
        reply(tool_use("shell", {"command": sample_repo.TEST_COMMAND})),
        reply(tool_use("submit_result", sample_repo.result(summary))),
    ]


def open_first_pr(stack: Stack, config: str | None = None) -> int:
    """Issue → approved PR on ``fixer/issue-1``; ``config`` replaces ``.github/fixer.yml``."""
    if config is not None:
        stack.github.push_to_branch(
            REPO, "main", {".github/fixer.yml": config}, sample_repo.AUTHOR, "Configure Fixer"
        )
    stack.github.set_permission(REVIEWER, "write")
    return open_fixer_pr(stack)


def commits_on_branch(stack: Stack) -> list[str]:
    return commits(stack, f"main..refs/heads/{PR_BRANCH}")


def replies_to(stack: Stack, comment_id: int) -> list[Any]:
    return [
        c for c in stack.github.state.pr.review_comments.values() if c.in_reply_to == comment_id
    ]


def coder_prompts(stack: Stack) -> list[str]:
    """What each coder conversation the model was asked for began with (its first turn)."""
    return [
        json.dumps(request.body["messages"][0]["content"])
        for request in stack.model.requests
        if "submit_result" in {t.get("name") for t in request.body.get("tools") or []}
        and len(request.body.get("messages") or []) == 1
    ]


def approve_followup(stack: Stack, count: int) -> None:
    """Approve the ``count``-th follow-up round's Slack message."""
    wait_until(lambda: len(followup_approvals(stack)) >= count, what=f"follow-up approval {count}")
    payload = followup_approvals(stack)[count - 1]["metadata"]["event_payload"]
    assert stack.click("fixer_approve", payload["run_id"], payload["round"]).status_code == 200


def test_review_with_two_inline_comments_gives_one_commit_and_a_reply_in_each_thread(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    new = '"""Arithmetic mean of ``values``; raises ZeroDivisionError when empty."""'
    stack = make_stack(sample_repo.fix_script() + followup_script(new, "Docstring says it raises."))
    number = open_first_pr(stack)
    first_head = stack.github.branch_head(REPO, PR_BRANCH)
    review = stack.github.submit_review(
        REPO, number, "REQUEST_CHANGES", "Two things before this goes in.", REVIEWER,
        comments=[
            {"path": "calc/stats.py", "line": 2, "body": "Say what happens on empty input."},
            {"path": "calc/stats.py", "start_line": 1, "line": 3, "body": "Keep it one line."},
        ],
    )  # fmt: skip
    threads = sorted(
        c.id for c in stack.github.state.pr.review_comments.values() if c.review_id == review["id"]
    )
    approve_followup(stack, 1)
    wait_until(lambda: all(replies_to(stack, t) for t in threads), what="the thread replies")

    head = stack.github.branch_head(REPO, PR_BRANCH) or ""
    assert head != first_head and len(commits_on_branch(stack)) == 2
    assert new in (stack.github.file_at(REPO, PR_BRANCH, "calc/stats.py") or "")
    for thread in threads:
        [answer] = replies_to(stack, thread)
        assert answer.body.startswith("Addressed in ") and head[:7] in answer.body
    [_, followup] = coder_prompts(stack)
    assert "Say what happens on empty input." in followup and "Keep it one line." in followup
    assert "calc/stats.py` line 1-3" in followup


def test_two_reviews_in_quick_succession_are_answered_by_one_round(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    new = '"""Mean of ``values`` (non-empty); see ``statistics.mean`` for more."""'
    stack = make_stack(sample_repo.fix_script() + followup_script(new, "Docstring reworded."))
    number = open_first_pr(stack)
    with stack.github.webhooks.held() as sent:
        stack.github.submit_review(
            REPO, number, "REQUEST_CHANGES", "Mention statistics.mean in the docstring.", REVIEWER
        )
        stack.github.submit_review(
            REPO, number, "REQUEST_CHANGES", "And say the input must not be empty.",
            sample_repo.AUTHOR,
        )  # fmt: skip
    for event, payload in list(sent):
        stack.github.deliver(event, payload)
    approve_followup(stack, 1)
    wait_until(lambda: len(commits_on_branch(stack)) == 2, what="the follow-up commit")

    [_, followup] = coder_prompts(stack)
    assert "Mention statistics.mean" in followup and "must not be empty" in followup, followup
    wait_until(lambda: "Pushed" in _pr_text(stack, number), what="the PR reply")
    assert len(followup_approvals(stack)) == 1
    assert len(commits_on_branch(stack)) == 2


def _pr_text(stack: Stack, number: int) -> str:
    return "\n".join(c.body for c in stack.github.state.comments.values() if c.issue == number)


FAILING_LOG = (
    "2026-01-01T00:00:00.0000000Z Run python3 -m unittest\n"
    "2026-01-01T00:00:01.0000000Z FAIL: test_mean_of_none (tests.test_stats.MeanTest)\n"
    "2026-01-01T00:00:01.0000000Z AssertionError: mean([]) should raise ValueError\n"
)


def fail_ci(stack: Stack) -> None:
    head = stack.github.branch_head(REPO, PR_BRANCH)
    assert head is not None
    stack.github.complete_check_suite(
        REPO,
        head,
        [
            {"name": "unit tests", "conclusion": "failure", "title": "1 test failed",
             "summary": "unittest: 1 failed, 2 passed", "log": FAILING_LOG},
            {"name": "lint", "conclusion": "success", "log": "All checks passed!\n"},
        ],
    )  # fmt: skip


def test_failing_checks_give_a_round_with_the_log_tail_then_fixer_stops_after_the_last_attempt(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    new = '"""Arithmetic mean; raises ValueError on empty input."""'
    stack = make_stack(sample_repo.fix_script() + followup_script(new, "Empty input documented."))
    config = (
        f"test: {sample_repo.TEST_COMMAND}\nbudget_usd: 2\n"
        "followup_approval: none\ncheck_fix_attempts: 1\n"
    )
    number = open_first_pr(stack, config)
    fail_ci(stack)  # check_suite.completed and workflow_run.completed: one round
    wait_until(lambda: len(commits_on_branch(stack)) == 2, what="the check-fixing commit")
    [_, followup] = coder_prompts(stack)
    assert "AssertionError: mean([]) should raise ValueError" in followup
    assert "2026-01-01T00:00:01" not in followup  # the log's timestamps are dropped

    fail_ci(stack)  # fails again on the new head: the one attempt is used up
    wait_until(lambda: "check_fix_attempts" in _pr_text(stack, number), what="the notice")
    fail_ci(stack)
    time.sleep(5)  # a third failure: no second notice, no round
    assert _pr_text(stack, number).count("check_fix_attempts") == 1
    assert len(commits_on_branch(stack)) == 2
    assert len(coder_prompts(stack)) == 2
