"""SIGKILL `fixer serve` at each phase boundary, restart it, and the run still ends with one
status comment, one approval message, one pull request, and no model call paid twice
beyond the one in flight at the kill."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from devtools import sample_repo
from devtools.stack import Stack, wait_until

RUN = f"{sample_repo.REPO}#1:1"
SCRIPT_LENGTH = len(sample_repo.fix_script())


def kill_when(stack: Stack, phase: str) -> None:
    """Wait for ``phase`` to be reached, then SIGKILL the service."""
    conditions: dict[str, Callable[[], Any]] = {
        "status comment posted": lambda: stack.github.state.comments,
        "planner mid-way": lambda: len(stack.model.requests) >= 2,
        "plan submitted": lambda: len(stack.model.requests) >= 3,
        "coder ran the tests": lambda: len(stack.model.requests) >= 6,
        "approval posted": lambda: stack.approval_messages(),
    }
    wait_until(conditions[phase], what=phase)
    stack.kill_fixer()


@pytest.mark.parametrize(
    "phase",
    [
        "status comment posted",
        "planner mid-way",
        "plan submitted",
        "coder ran the tests",
        "approval posted",
    ],
)
def test_kill_at_phase_then_restart_finishes_exactly_once(
    make_stack: Callable[[list[Any]], Stack], phase: str
) -> None:
    stack = make_stack(sample_repo.fix_script())
    stack.start_fixer()
    stack.open_issue()
    kill_when(stack, phase)
    stack.start_fixer()
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    assert stack.click("fixer_approve", RUN, 1).status_code == 200
    wait_until(lambda: stack.github.state.pulls, what="the pull request")
    assert len(stack.github.state.comments) == 1
    assert len(stack.approval_messages()) == 1
    assert len(stack.github.state.pulls) == 1
    assert stack.model.remaining == 0
    assert stack.model.repeated <= 1
    assert len(stack.model.requests) == SCRIPT_LENGTH + stack.model.repeated


def test_kill_right_after_approval_still_opens_one_pr(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script())
    stack.start_fixer()
    stack.open_issue()
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    assert stack.click("fixer_approve", RUN, 1).status_code == 200
    stack.kill_fixer()
    stack.start_fixer()
    wait_until(lambda: stack.github.state.pulls, what="the pull request")
    assert len(stack.github.state.pulls) == 1
    head = stack.github.branch_head(sample_repo.REPO, "fixer/issue-1")
    assert head is not None


def test_two_issues_in_one_repository_run_one_after_the_other(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script() + sample_repo.fix_script())
    stack.start_fixer()
    stack.open_issue()
    stack.open_issue()
    wait_until(lambda: len(stack.approval_messages()) == 2, what="both approval messages")
    import sqlite3

    with sqlite3.connect(stack.workdir / "fixer.db") as db:
        rows = dict(
            db.execute(
                "SELECT workflow_uuid, created_at FROM workflow_status WHERE name = 'agent_phase'"
            ).fetchall()
        )
        spans = {
            wid: db.execute(
                "SELECT MIN(started_at_epoch_ms), MAX(completed_at_epoch_ms) "
                "FROM operation_outputs WHERE workflow_uuid = ?",
                (wid,),
            ).fetchone()
            for wid in rows
        }
    first, second = sorted(spans.values())
    assert first[1] <= second[0], "the second issue's agents started before the first's ended"


def test_cli_approve_opens_the_pr(make_stack: Callable[[list[Any]], Stack]) -> None:
    stack = make_stack(sample_repo.fix_script())
    stack.start_fixer()
    stack.open_issue()
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    env = {**os.environ, **stack.env}
    listed = subprocess.run(
        [sys.executable, "-m", "app", "runs", "list"],
        cwd=stack.workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    assert RUN in listed.stdout and "awaiting_approval" in listed.stdout
    approved = subprocess.run(
        [sys.executable, "-m", "app", "runs", "approve", RUN],
        cwd=stack.workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    assert approved.returncode == 0, approved.stderr
    wait_until(lambda: stack.github.state.pulls, what="the pull request")
    again = subprocess.run(
        [sys.executable, "-m", "app", "runs", "approve", RUN],
        cwd=stack.workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 1 and "already" in (again.stdout + again.stderr).lower()
    assert len(stack.github.state.pulls) == 1
