"""GitHub saying no for good ends the run: failed, the reason on the issue and in Slack, the
issue free for a new `/fix`. Second attempts get a branch and a PR of their own; long texts
are cut to GitHub's 65,536 characters; a deleted status comment comes back once."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from devtools import sample_repo
from devtools.scripted_model import reply, tool_use
from devtools.stack import CHANNEL, Stack, wait_until

REPO = sample_repo.REPO
FIRST, SECOND = f"{REPO}#1:1", f"{REPO}#1:2"
WORKFLOW = ".github/workflows/ci.yml"
NO_PERMISSION = "cannot be pushed by the App: it lacks the workflows permission"


def status_of(stack: Stack, run_id: str) -> str:
    marker = f"<!-- fixer-run:{run_id} -->"
    found = [c.body for c in stack.github.state.comments.values() if marker in c.body]
    assert len(found) <= 1, f"more than one status comment for {run_id}"
    return found[0] if found else ""


def slack_texts(stack: Stack) -> str:
    return json.dumps(stack.slack.state.messages.get(CHANNEL, []))


def runs_list(stack: Stack) -> str:
    process = stack.spawn("runs", "list")
    assert process.wait(timeout=60) == 0
    return stack.logs[-1].read_text()


def script_touching_workflows() -> list[Any]:
    script = sample_repo.fix_script()
    ci = {"path": WORKFLOW, "content": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"}
    script.insert(4, reply(tool_use("write", ci)))
    return script


def ask_again(stack: Stack) -> None:
    # Extra words make a new conversation: the scripted model answers a conversation it has
    # seen before as it did then, and a second attempt must not replay the first.
    stack.github.comment(REPO, 1, "/fix keep to calc/stats.py", author=sample_repo.AUTHOR)


def test_workflow_change_is_flagged_refused_at_push_and_the_issue_is_free_again(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(script_touching_workflows() + sample_repo.fix_script())
    stack.github.set_permission(sample_repo.AUTHOR, "write")
    stack.start_fixer()
    stack.open_issue()
    # Flagged before anyone approves, in Slack and on the issue.
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    assert NO_PERMISSION in json.dumps(stack.approval_messages()[0]["blocks"])
    wait_until(lambda: "Awaiting approval" in status_of(stack, FIRST), what="the status comment")
    assert NO_PERMISSION in status_of(stack, FIRST)

    assert stack.click("fixer_approve", FIRST, 1).status_code == 200
    wait_until(lambda: "Fixer stopped" in status_of(stack, FIRST), what="the failure comment")
    refusal = "without `workflows` permission"
    assert refusal in status_of(stack, FIRST)
    wait_until(lambda: refusal in slack_texts(stack), what="the reason in Slack")
    wait_until(
        lambda: "Failed" in json.dumps(stack.approval_messages()[0]["blocks"]),
        what="the approval message marked failed",
    )
    assert stack.github.branch_head(REPO, "fixer/issue-1") is None
    assert stack.github.state.pulls == {}
    listing = runs_list(stack)
    assert FIRST in listing and "failed" in listing and "opening_pr" not in listing

    # The issue is free: a new /fix starts attempt 2, which opens its PR on a branch of its own.
    ask_again(stack)
    wait_until(lambda: len(stack.approval_messages()) == 2, what="the second approval")
    assert stack.click("fixer_approve", SECOND, 1).status_code == 200
    wait_until(lambda: stack.github.state.pulls, what="the second attempt's PR")
    [pull] = stack.github.state.pulls.values()
    assert pull.head == "fixer/issue-1-2"
    wait_until(lambda: "Pull request opened" in status_of(stack, SECOND), what="the PR comment")


def test_second_attempt_opens_its_own_pr_with_long_text_cut_and_a_deleted_comment_back(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    long_plan = dict(sample_repo.PLAN, steps=[f"step {i}: " + "x" * 990 for i in range(80)])
    second = sample_repo.fix_script()
    second[2] = reply(tool_use("submit_plan", long_plan))
    stack = make_stack(sample_repo.fix_script() + second)
    stack.github.set_permission(sample_repo.AUTHOR, "write")
    stack.start_fixer()
    stack.open_issue()
    wait_until(lambda: stack.approval_messages(), what="the first approval")
    assert stack.click("fixer_approve", FIRST, 1).status_code == 200
    wait_until(lambda: stack.github.state.pulls, what="the first PR")
    [first_pull] = stack.github.state.pulls.values()
    wait_until(lambda: "Pull request opened" in status_of(stack, FIRST), what="first PR comment")
    with stack.github.state.lock:
        first_pull.state = "closed"  # a maintainer closes it; later the issue is asked again

    ask_again(stack)
    wait_until(lambda: "Awaiting approval" in status_of(stack, SECOND), what="second approval")
    body = status_of(stack, SECOND)
    assert len(body) <= 65536 and "cut to fit GitHub's size limit" in body
    # A maintainer deletes the status comment while the run waits.
    with stack.github.state.lock:
        [deleted] = [c for c in stack.github.state.comments.values() if SECOND in c.body]
        del stack.github.state.comments[deleted.id]
    wait_until(lambda: len(stack.approval_messages()) == 2, what="the second Slack approval")
    assert stack.click("fixer_approve", SECOND, 1).status_code == 200
    wait_until(lambda: len(stack.github.state.pulls) == 2, what="the second PR")
    pull = max(stack.github.state.pulls.values(), key=lambda p: p.number)
    assert pull.head == "fixer/issue-1-2" and pull.number != first_pull.number
    assert pull.body is not None and len(pull.body) <= 65536 and "cut to fit" in pull.body
    wait_until(lambda: "Pull request opened" in status_of(stack, SECOND), what="re-created comment")
    recreated = status_of(stack, SECOND)
    assert f"/pull/{pull.number}" in recreated and f"/pull/{first_pull.number}" not in recreated
    page = httpx.get(
        f"{stack.url}/runs/{quote(SECOND, safe='')}", headers={"Accept": "application/json"}
    )
    assert "the status comment was deleted on GitHub; posted it again" in page.text


def test_repository_archived_before_approval_fails_the_run_with_the_reason_in_slack(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script())
    stack.github.set_permission(sample_repo.AUTHOR, "write")
    stack.start_fixer()
    stack.open_issue()
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    wait_until(lambda: "Awaiting approval" in status_of(stack, FIRST), what="the status comment")
    with stack.github.state.lock:
        stack.github.state.repos[REPO].archived = True
    started = time.monotonic()
    assert stack.click("fixer_approve", FIRST, 1).status_code == 200
    wait_until(lambda: "archived" in slack_texts(stack), what="the reason in Slack")
    # Refused for good: not retried for two minutes first.
    assert time.monotonic() - started < 30
    wait_until(lambda: "failed" in runs_list(stack), timeout=30, what="the run marked failed")
    assert "opening_pr" not in runs_list(stack)
    assert stack.github.branch_head(REPO, "fixer/issue-1") is None
    assert "Awaiting approval" in status_of(stack, FIRST)  # the archive refuses the edit
