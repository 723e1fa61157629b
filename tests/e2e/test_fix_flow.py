"""Issue → status comment → plan → code → Slack approval → PR, across real processes."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agents.sandbox.run_resources import remove_run
from app.runs.workspace import sandbox_key
from devtools import sample_repo
from devtools.stack import Stack, wait_until

RUN = f"{sample_repo.REPO}#1:1"


def comments(stack: Stack, number: int = 1) -> list[Any]:
    return [c for c in stack.github.state.comments.values() if c.issue == number]


def pulls(stack: Stack) -> list[Any]:
    return list(stack.github.state.pulls.values())


def test_issue_to_approved_pull_request(
    make_stack: Callable[[list[Any]], Stack], tmp_path: Path
) -> None:
    stack = make_stack(sample_repo.fix_script())
    # Review from a team as well as from whoever opened the issue, and two labels.
    stack.github.add_team("acme/core", ["carol"], [sample_repo.REPO])
    config = (
        sample_repo.FILES[".github/fixer.yml"] + "reviewers: [acme/core]\nlabels: [fixer, bug]\n"
    )
    stack.github.push_to_branch(sample_repo.REPO, "main", {".github/fixer.yml": config}, "octo")
    stack.start_fixer()
    number = stack.open_issue()
    assert number == 1
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    [message] = stack.approval_messages()
    assert "calc/stats.py" in str(message["blocks"])
    wait_until(lambda: "Awaiting approval" in comments(stack)[0].body, what="the status comment")
    [status] = comments(stack)
    assert "tests pass" in status.body

    assert stack.click("fixer_approve", RUN, 1).status_code == 200
    wait_until(lambda: pulls(stack), what="the pull request")
    [pull] = pulls(stack)
    assert pull.head == "fixer/issue-1"
    assert f"Fixes #{number}" in (pull.body or "")
    wait_until(lambda: "Pull request opened" in comments(stack)[0].body, what="the PR comment")
    wait_until(lambda: pull.labels and pull.requested_teams, what="the PR's reviewers and labels")
    assert pull.draft is False  # the coder's tests pass
    assert (pull.requested_reviewers, pull.requested_teams) == ([sample_repo.AUTHOR], ["core"])
    assert pull.labels == ["fixer", "bug"]

    # The branch really holds the fix, and the repository's tests pass on it.
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    fixed = stack.github.file_at(sample_repo.REPO, "fixer/issue-1", "calc/stats.py") or ""
    assert "/ len(values)" in fixed and "- 1" not in fixed
    for path, text in sample_repo.FILES.items():
        target = checkout / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(fixed if path == "calc/stats.py" else text)
    tests = subprocess.run(
        sample_repo.TEST_COMMAND.split(), cwd=checkout, capture_output=True, text=True
    )
    assert tests.returncode == 0, tests.stderr

    assert len(comments(stack)) == 1
    assert len(stack.approval_messages()) == 1
    assert len(stack.model.requests) == len(sample_repo.fix_script())


def test_request_changes_then_approve_gives_one_pr_with_both_rounds(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script() + sample_repo.feedback_script())
    stack.start_fixer()
    stack.open_issue()
    wait_until(lambda: stack.approval_messages(), what="round 1 approval")
    response = stack.request_changes(RUN, 1, "Say in the docstring that empty input raises.")
    assert response.status_code == 200
    wait_until(lambda: len(stack.approval_messages()) == 2, what="round 2 approval")
    wait_until(lambda: "round 2" in comments(stack)[0].body, what="the round 2 comment")
    assert stack.click("fixer_approve", RUN, 2).status_code == 200
    wait_until(lambda: pulls(stack), what="the pull request")
    fixed = stack.github.file_at(sample_repo.REPO, "fixer/issue-1", "calc/stats.py") or ""
    assert "/ len(values)" in fixed and "Raises ZeroDivisionError" in fixed
    assert len(pulls(stack)) == 1 and len(comments(stack)) == 1
    assert len(stack.model.requests) == len(sample_repo.fix_script()) + len(
        sample_repo.feedback_script()
    )


def test_reject_ends_the_run_without_pushing(make_stack: Callable[[list[Any]], Stack]) -> None:
    stack = make_stack(sample_repo.fix_script())
    stack.start_fixer()
    stack.open_issue()
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    assert stack.click("fixer_reject", RUN, 1).status_code == 200
    wait_until(lambda: "Rejected" in comments(stack)[0].body, what="the rejection comment")
    assert pulls(stack) == []
    assert stack.github.branch_head(sample_repo.REPO, "fixer/issue-1") is None


def test_outsider_issue_and_forged_webhook_start_nothing(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    import httpx

    stack = make_stack(sample_repo.fix_script())
    stack.start_fixer()
    # Shown as MEMBER (read-only members are members too): GitHub's "read" decides.
    stack.github.set_permission("drive-by", "read")
    stack.open_issue(author="drive-by", association="MEMBER")
    forged = httpx.post(
        f"{stack.url}/github/webhook",
        content=b'{"action": "opened"}',
        headers={
            "X-GitHub-Event": "issues",
            "X-GitHub-Delivery": "forged-1",
            "X-Hub-Signature-256": "sha256=" + "0" * 64,
        },
    )
    assert forged.status_code == 401
    import time

    time.sleep(2)
    assert comments(stack) == [] and stack.model.requests == []
    assert stack.github.state.reactions == []


def test_killed_while_waiting_for_approval_and_restarted_opens_one_pr(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script())
    stack.start_fixer()
    stack.open_issue()
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    stack.kill_fixer()
    stack.start_fixer()
    assert stack.click("fixer_approve", RUN, 1).status_code == 200
    wait_until(lambda: pulls(stack), what="the pull request")
    assert len(pulls(stack)) == 1
    assert len(comments(stack)) == 1
    assert len(stack.approval_messages()) == 1
    assert len(stack.model.requests) == len(sample_repo.fix_script())


def test_killed_mid_coding_resumes_with_the_sandbox_and_no_repeated_model_calls(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script())
    stack.start_fixer()
    stack.open_issue()
    # Planner done (3 replies) and the coder's edit asked for: kill before the tests run.
    wait_until(lambda: len(stack.model.requests) >= 5, what="the coder's second call")
    stack.kill_fixer()
    stack.start_fixer()
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    assert stack.click("fixer_approve", RUN, 1).status_code == 200
    wait_until(lambda: pulls(stack), what="the pull request")
    fixed = stack.github.file_at(sample_repo.REPO, "fixer/issue-1", "calc/stats.py") or ""
    assert "/ len(values)" in fixed
    # Every scripted reply was used once; at most the call in flight at the kill was repeated.
    assert stack.model.remaining == 0
    assert stack.model.repeated <= 1
    assert len(stack.model.requests) == len(sample_repo.fix_script()) + stack.model.repeated
    assert len(comments(stack)) == 1 and len(pulls(stack)) == 1


def test_container_lost_after_a_command_that_changed_nothing_is_rebuilt_with_the_fix(
    make_stack: Callable[[list[Any]], Stack], docker_client: Any
) -> None:
    # The tests' run leaves the tree as the edit's snapshot has it, so it takes no snapshot
    # of its own; losing the container right after it must still give back the edited file.
    stack = make_stack(sample_repo.fix_script())
    stack.start_fixer()
    stack.open_issue()
    # The tests ran and the coder was asked for its next move: kill, and lose the container.
    wait_until(lambda: len(stack.model.requests) >= 6, what="the coder's last call")
    stack.kill_fixer()
    assert remove_run(docker_client, sandbox_key(stack.database_url, RUN)) == 1
    stack.start_fixer()
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    assert stack.click("fixer_approve", RUN, 1).status_code == 200
    wait_until(lambda: pulls(stack), what="the pull request")
    fixed = stack.github.file_at(sample_repo.REPO, "fixer/issue-1", "calc/stats.py") or ""
    assert "/ len(values)" in fixed and "- 1" not in fixed
    with sqlite3.connect(stack.workdir / "fixer.db") as db:
        snapshots = [
            name
            for (name,) in db.execute(
                "SELECT function_name FROM operation_outputs WHERE function_name LIKE 'snapshot.%'"
            )
        ]
    assert snapshots == ["snapshot.coder.1.tool.1.1.edit"]  # none for the tests' run
