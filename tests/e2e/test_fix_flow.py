"""Issue → status comment → plan → code → Slack approval → PR, across real processes."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devtools import sample_repo
from tests.e2e.harness import Stack, wait_until

RUN = f"{sample_repo.REPO}#1:1"


def comments(stack: Stack, number: int = 1) -> list[Any]:
    return [c for c in stack.github.state.comments.values() if c.issue == number]


def pulls(stack: Stack) -> list[Any]:
    return list(stack.github.state.pulls.values())


def test_issue_to_approved_pull_request(
    make_stack: Callable[[list[Any]], Stack], tmp_path: Path
) -> None:
    stack = make_stack(sample_repo.fix_script())
    stack.start_fixer()
    number = stack.open_issue()
    assert number == 1
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    [message] = stack.approval_messages()
    assert "calc/stats.py" in str(message["blocks"])
    [status] = comments(stack)
    assert "Awaiting approval" in status.body and "tests pass" in status.body

    assert stack.click("fixer_approve", RUN, 1).status_code == 200
    wait_until(lambda: pulls(stack), what="the pull request")
    [pull] = pulls(stack)
    assert pull.head == "fixer/issue-1"
    assert f"Fixes #{number}" in (pull.body or "")
    wait_until(lambda: "Pull request opened" in comments(stack)[0].body, what="the PR comment")

    # The branch really holds the fix, and the repository's tests pass on it.
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    fixed = stack.github.file_at(sample_repo.REPO, "fixer/issue-1", "calc/stats.py")
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
