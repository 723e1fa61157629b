"""Follow-up rounds on Fixer's own pull request, through `fixer serve` (issue → PR → feedback)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from devtools import sample_repo
from devtools.stack import Stack, wait_until
from tests.e2e.followup_helpers import (
    PR_BRANCH,
    commits,
    followup_approvals,
    open_fixer_pr,
    parent_of,
    replies,
    run_state,
    status_comments,
)

ASK = "Say in the docstring that empty input raises."


def test_fix_comment_on_the_pr_pushes_one_commit_after_slack_approval_and_replies_once(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script() + sample_repo.feedback_script())
    pr = open_fixer_pr(stack)
    before = stack.github.branch_head(sample_repo.REPO, PR_BRANCH)
    assert before is not None
    comment = stack.github.comment_on_pull(sample_repo.REPO, pr, f"/fix {ASK}", sample_repo.AUTHOR)

    wait_until(lambda: followup_approvals(stack), what="the follow-up approval")
    [message] = followup_approvals(stack)
    round_id = message["metadata"]["event_payload"]["run_id"]
    shown = str(message["blocks"])
    assert ASK in shown and "Raises ZeroDivisionError" in shown  # feedback and the new diff
    assert "/ len(values)" not in shown.split("Feedback it answers")[0]  # diff is incremental
    # 👀 on the /fix comment, as on an issue's.
    assert any(
        (r.subject, r.content) == (f"comment:{comment['id']}", "eyes")
        for r in stack.github.state.reactions
    )
    assert stack.github.branch_head(sample_repo.REPO, PR_BRANCH) == before  # nothing yet

    assert stack.click("fixer_approve", round_id, 1).status_code == 200
    wait_until(lambda: replies(stack, pr), what="the reply on the PR")
    head = stack.github.branch_head(sample_repo.REPO, PR_BRANCH)
    assert head is not None and parent_of(stack, head) == before  # one commit, on top
    fixed = stack.github.file_at(sample_repo.REPO, PR_BRANCH, "calc/stats.py")
    assert "Raises ZeroDivisionError" in (fixed or "") and "/ len(values)" in (fixed or "")
    [reply] = replies(stack, pr)
    assert head[:7] in reply.body and f"/commits/{head}" in reply.body
    assert len(status_comments(stack, pr)) == 1
    wait_until(lambda: run_state(stack, round_id) == "pr_opened", what="the round to finish")
    assert stack.model.remaining == 0


def test_mention_with_followup_approval_none_pushes_without_slack(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script() + sample_repo.feedback_script())
    config = sample_repo.FILES[".github/fixer.yml"] + "followup_approval: none\n"
    stack.github.push_to_branch(
        sample_repo.REPO, "main", {".github/fixer.yml": config}, sample_repo.AUTHOR, "Config"
    )
    pr = open_fixer_pr(stack)
    before = stack.github.branch_head(sample_repo.REPO, PR_BRANCH)
    slug = stack.github.site.app.slug
    started = time.monotonic()
    stack.github.comment_on_pull(sample_repo.REPO, pr, f"@{slug} {ASK}", sample_repo.AUTHOR)
    wait_until(
        lambda: stack.github.branch_head(sample_repo.REPO, PR_BRANCH) != before,
        what="the follow-up commit",
    )
    took = time.monotonic() - started
    print(f"feedback submitted → new commit on the PR: {took:.1f} s")
    wait_until(lambda: replies(stack, pr), what="the reply")
    assert followup_approvals(stack) == []  # no Slack step for follow-ups here
    assert len(commits(stack, PR_BRANCH)) == len(commits(stack, f"{before}")) + 1
    # A comment that mentions someone else starts nothing.
    stack.github.comment_on_pull(sample_repo.REPO, pr, "@someone-else looks fine", "sample-dev")
    time.sleep(3)
    assert len(replies(stack, pr)) == 1


def test_round_starts_from_a_human_commit_and_puts_its_commit_on_top(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script() + sample_repo.feedback_script())
    pr = open_fixer_pr(stack)
    human = stack.github.push_to_branch(
        sample_repo.REPO,
        PR_BRANCH,
        {"README.md": "# calc\n\nSmall statistics helpers, with a mean.\n"},
        sample_repo.AUTHOR,
        "README: say what is here",
    )
    stack.github.comment_on_pull(sample_repo.REPO, pr, f"/fix {ASK}", sample_repo.AUTHOR)
    wait_until(lambda: followup_approvals(stack), what="the follow-up approval")
    [message] = followup_approvals(stack)
    assert "README" not in str(message["blocks"])  # the human's commit is not this round's
    assert stack.click("fixer_approve", message["metadata"]["event_payload"]["run_id"], 1)
    wait_until(lambda: replies(stack, pr), what="the reply")
    head = stack.github.branch_head(sample_repo.REPO, PR_BRANCH)
    assert head is not None and parent_of(stack, head) == human
    readme = stack.github.file_at(sample_repo.REPO, PR_BRANCH, "README.md")
    assert "with a mean" in (readme or "")
