"""Webhooks GitHub could not deliver (Fixer down, unreachable) are found in GitHub's delivery
log and redelivered when Fixer starts, or by hand with `fixer deliveries`; a run still
happens exactly once."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

from devtools import sample_repo
from devtools.stack import Stack, wait_until

RUN = f"{sample_repo.REPO}#1:1"


def attempts_of(stack: Stack, guid: str) -> list[tuple[int, bool]]:
    with stack.github.state.lock:
        return [(d.status, d.redelivery) for d in stack.github.state.deliveries if d.id == guid]


def fix_runs(stack: Stack) -> list[str]:
    path = stack.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT workflow_uuid FROM workflow_status WHERE name = 'fix_issue'")
        return sorted(row[0] for row in rows)


def cli(stack: Stack, *args: str) -> str:
    process = stack.spawn(*args)
    assert process.wait(timeout=60) == 0, stack.logs[-1].read_text()
    return stack.logs[-1].read_text()


def test_issue_opened_while_fixer_was_down_runs_once_when_it_starts(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script())
    stack.start_fixer()
    assert stack.process is not None
    stack.process.terminate()
    stack.process.wait(timeout=30)
    stack.open_issue()  # GitHub cannot reach Fixer: a failed delivery in its log
    guid = stack.github.state.deliveries[-1].id
    assert attempts_of(stack, guid) == [(0, False)]
    stack.start_fixer()
    wait_until(lambda: (202, True) in attempts_of(stack, guid), 60, "the redelivery")
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    assert fix_runs(stack) == [RUN]
    assert len(stack.github.state.comments) == 1
    assert len(stack.approval_messages()) == 1
    # Handled now: a restart finds nothing to ask for again.
    stack.process.terminate()
    stack.process.wait(timeout=30)
    stack.start_fixer()
    time.sleep(4)
    assert attempts_of(stack, guid) == [(0, False), (202, True)]
    assert fix_runs(stack) == [RUN]
    listed = cli(stack, "deliveries", "list")
    line = next(line for line in listed.splitlines() if guid in line)
    assert "issues.opened" in line
    assert f"started:{RUN}" in line


def test_deliveries_cli_lists_and_redelivers_a_missed_delivery(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack([])
    stack.start_fixer()
    time.sleep(3)  # past the start-up sweep: only the command redelivers what follows
    stack.github.webhooks.unreachable = True
    missed = stack.github.deliver("ping", {"zen": "Keep it logically awesome.", "hook_id": 1})
    stack.github.webhooks.unreachable = False
    listed = cli(stack, "deliveries", "list", "--failed")
    line = next(line for line in listed.splitlines() if missed.id in line)
    assert "ping" in line
    assert "never reached Fixer" in line
    out = cli(stack, "deliveries", "redeliver", "--failed")
    assert f"asked GitHub to redeliver {missed.id} (ping)" in out
    wait_until(lambda: (202, True) in attempts_of(stack, missed.id), 30, "the redelivery")
    again = cli(stack, "deliveries", "list")
    line = next(line for line in again.splitlines() if missed.id in line)
    assert "pong" in line
    assert "nothing to redeliver" in cli(stack, "deliveries", "redeliver", "--failed")
