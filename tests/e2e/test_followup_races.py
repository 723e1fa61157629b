"""Follow-up rounds when the world moves: a conflicting human push, the PR closed, a kill -9."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import docker

from agents.sandbox.run_resources import find_run_containers
from app.runs import pr_lineage
from app.runs.workspace import sandbox_key
from devtools import sample_repo
from devtools.scripted_model import reply, tool_use
from devtools.stack import Stack, wait_until
from tests.e2e.followup_helpers import (
    PR_BRANCH,
    RUN,
    commits,
    followup_approvals,
    open_fixer_pr,
    replies,
    run_state,
)

ASK = "/fix Say in the docstring that empty input raises."


def _round_id(stack: Stack) -> str:
    [message] = followup_approvals(stack)
    return str(message["metadata"]["event_payload"]["run_id"])


def test_human_commit_on_the_same_lines_before_approval_pushes_nothing_and_says_so(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script() + sample_repo.feedback_script())
    pr = open_fixer_pr(stack)
    stack.github.comment_on_pull(sample_repo.REPO, pr, ASK, sample_repo.AUTHOR)
    wait_until(lambda: followup_approvals(stack), what="the follow-up approval")
    fixed = stack.github.file_at(sample_repo.REPO, PR_BRANCH, "calc/stats.py") or ""
    theirs = fixed.replace("non-empty sequence of numbers.", "list of numbers (never empty).")
    human = stack.github.push_to_branch(
        sample_repo.REPO, PR_BRANCH, {"calc/stats.py": theirs}, sample_repo.AUTHOR, "Docstring"
    )
    round_id = _round_id(stack)
    assert stack.click("fixer_approve", round_id, 1).status_code == 200
    wait_until(lambda: replies(stack, pr), what="the conflict reply")
    [said] = replies(stack, pr)
    assert "nothing was pushed" in said.body and "conflicts" in said.body
    assert stack.github.branch_head(sample_repo.REPO, PR_BRANCH) == human
    wait_until(lambda: run_state(stack, round_id) == "failed", what="the round to stop")
    wait_until(
        lambda: "nothing pushed" in str(followup_approvals(stack)[0]["blocks"]),
        what="Slack to say so",
    )


def test_pr_closed_mid_round_cancels_it_removes_its_sandbox_and_pushes_nothing(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    slow = [reply(tool_use("shell", {"command": "sleep 12"})), *sample_repo.feedback_script()]
    stack = make_stack(sample_repo.fix_script() + slow)
    pr = open_fixer_pr(stack)
    before = stack.github.branch_head(sample_repo.REPO, PR_BRANCH)
    stack.github.comment_on_pull(sample_repo.REPO, pr, ASK, sample_repo.AUTHOR)
    first = len(sample_repo.fix_script())
    wait_until(lambda: len(stack.model.requests) > first, what="the follow-up coder")
    round_id = f"{sample_repo.REPO}#1:1/pr-{pr}/comment-"
    client = docker.from_env()
    try:
        from app.runs import store

        [row] = [r for r in store.list_runs(stack.database_url) if r.id.startswith(round_id)]
        key = sandbox_key(stack.database_url, row.id)
        wait_until(lambda: find_run_containers(client, key), what="the round's sandbox")
        stack.github.close_pull(sample_repo.REPO, pr, sample_repo.AUTHOR)
        wait_until(lambda: run_state(stack, row.id) == "cancelled", what="the round cancelled")
        wait_until(lambda: not find_run_containers(client, key), 60, what="the sandbox removed")
    finally:
        client.close()
    assert stack.github.branch_head(sample_repo.REPO, PR_BRANCH) == before
    assert replies(stack, pr) == [] and followup_approvals(stack) == []
    # Feedback after the close is ignored: nothing is stored, no round starts.
    stack.github.comment_on_pull(sample_repo.REPO, pr, ASK, sample_repo.AUTHOR)
    time.sleep(2)
    assert stack.model.remaining == len(sample_repo.feedback_script())


def test_killed_mid_followup_and_restarted_pushes_one_commit_and_one_reply(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script() + sample_repo.feedback_script())
    pr = open_fixer_pr(stack)
    before = stack.github.branch_head(sample_repo.REPO, PR_BRANCH)
    assert before is not None
    stack.github.comment_on_pull(sample_repo.REPO, pr, ASK, sample_repo.AUTHOR)
    first = len(sample_repo.fix_script())
    # The coder's edit asked for, the tests not yet run: kill.
    wait_until(lambda: len(stack.model.requests) >= first + 2, what="the follow-up coder")
    stack.kill_fixer()
    stack.start_fixer()
    wait_until(lambda: followup_approvals(stack), what="the follow-up approval")
    assert stack.click("fixer_approve", _round_id(stack), 1).status_code == 200
    wait_until(lambda: replies(stack, pr), what="the reply")
    assert len(commits(stack, PR_BRANCH)) == len(commits(stack, before)) + 1
    assert len(replies(stack, pr)) == 1 and len(followup_approvals(stack)) == 1
    assert stack.model.remaining == 0 and stack.model.repeated <= 1


def test_feedback_while_the_pr_is_being_opened_is_kept_and_answered_once_it_is_recorded(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    # GitHub has created the PR but Fixer has not heard yet (its answer held back): a /fix
    # on the new PR now is on a PR Fixer cannot know as its own. It is kept, and answered by
    # one round once the run records the PR; the first run still ends with its PR opened.
    stack = make_stack(sample_repo.fix_script() + sample_repo.feedback_script())
    held = stack.github.faults.hold(rf"^POST /repos/{sample_repo.REPO}/pulls$")
    stack.start_fixer()
    stack.open_issue()
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    assert stack.click("fixer_approve", RUN, 1).status_code == 200
    wait_until(held.reached.is_set, what="the pull request created")
    [pull] = stack.github.state.pulls.values()
    comment = stack.github.comment_on_pull(sample_repo.REPO, pull.number, ASK, sample_repo.AUTHOR)
    key = f"comment:{comment['id']}"
    wait_until(
        lambda: (
            pr_lineage.waiting_feedback(stack.database_url, sample_repo.REPO, pull.number) == [key]
        ),
        what="the feedback kept",
    )
    held.release.set()
    wait_until(lambda: followup_approvals(stack), what="the follow-up approval")
    assert stack.click("fixer_approve", _round_id(stack), 1).status_code == 200
    wait_until(lambda: replies(stack, pull.number), what="the reply")
    assert run_state(stack, RUN) == "pr_opened"
    assert len(commits(stack, f"main..refs/heads/{PR_BRANCH}")) == 2  # the fix, the round
    assert len(replies(stack, pull.number)) == 1 and len(followup_approvals(stack)) == 1
