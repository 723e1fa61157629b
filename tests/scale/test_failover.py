"""Several workers on one PostgreSQL: kill -9 the worker running a run's agents, and the
other worker takes the run over after the heartbeat timeout and finishes it, once."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import psycopg

from devtools import sample_repo
from devtools.stack import Stack, generate_app_key, wait_until

RUN = f"{sample_repo.REPO}#1:1"
TIMEOUT_S = 4


def executor_of(database_url: str, workflow_id: str) -> str | None:
    with psycopg.connect(database_url) as db:
        row = db.execute(
            "SELECT executor_id FROM dbos.workflow_status WHERE workflow_uuid = %s", (workflow_id,)
        ).fetchone()
    return str(row[0]) if row else None


def test_a_killed_worker_s_run_is_finished_by_the_other(
    tmp_path: Path, postgres_url: str, docker_client: Any
) -> None:
    stack = Stack(tmp_path, generate_app_key(), sample_repo.fix_script())
    stack.env["DATABASE_URL"] = postgres_url
    stack.env["FIXER_EXECUTOR_TIMEOUT_S"] = str(TIMEOUT_S)
    try:
        stack.start_fixer("web")
        workers = {
            name: stack.spawn("worker", env={"FIXER_EXECUTOR_ID": name})
            for name in ("worker-a", "worker-b")
        }
        stack.open_issue()
        # The planner is under way on one of the workers: kill that one.
        wait_until(lambda: len(stack.model.requests) >= 2, what="the planner's second call")
        owner = executor_of(postgres_url, f"{RUN}/round-1")
        assert owner in workers, owner
        workers[owner].send_signal(signal.SIGKILL)
        workers[owner].wait()
        killed_at = time.monotonic()

        wait_until(lambda: stack.approval_messages(), what="the approval message")
        taken_over_in = time.monotonic() - killed_at
        survivor = next(name for name in workers if name != owner)
        assert executor_of(postgres_url, f"{RUN}/round-1") == survivor
        assert stack.click("fixer_approve", RUN, 1).status_code == 200
        wait_until(lambda: stack.github.state.pulls, what="the pull request")

        assert len(stack.github.state.comments) == 1
        assert len(stack.approval_messages()) == 1
        assert len(stack.github.state.pulls) == 1
        assert stack.model.repeated <= 1
        assert len(stack.model.requests) == len(sample_repo.fix_script()) + stack.model.repeated
        # Within the timeout, a heartbeat, and the rest of the scripted work.
        assert taken_over_in < TIMEOUT_S + 30
    finally:
        stack.stop()
