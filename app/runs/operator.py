"""What an operator does to runs from the command line: decide, cancel, resume.

Each call launches DBOS without taking work from the queues (the workers keep executing),
does one thing, and shuts down.
"""

from __future__ import annotations

import asyncio
import getpass
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from dbos import DBOS, SetWorkflowID

from app.config import Settings
from app.db import migrate
from app.models import ACTIVE_STATES, Run, RunState
from app.runs import engine, store
from app.runs.decisions import DecisionAction, DecisionOutcome, audit, submit_decision
from app.runs.queues import AGENT_QUEUE, RUNS_QUEUE
from app.runs.workspace import sandbox_key


class OperatorError(Exception):
    """The command cannot be carried out; the message says why and what to do."""


@asynccontextmanager
async def dbos_session(settings: Settings) -> AsyncIterator[None]:
    migrate(settings.database_url)
    await engine.launch(settings, execute=False)
    try:
        yield
    finally:
        engine.shutdown()


def _run(settings: Settings, run_id: str) -> Run:
    run = store.get_run(settings.database_url, run_id)
    if run is None:
        raise OperatorError(f"no run {run_id!r}: `fixer runs list` shows the runs there are")
    return run


async def decide(
    settings: Settings, run_id: str, action: DecisionAction, feedback: str = ""
) -> DecisionOutcome:
    run = _run(settings, run_id)
    who = getpass.getuser()
    async with dbos_session(settings):
        return await submit_decision(
            settings.database_url,
            run_id,
            run.round,
            action,
            actor_id=f"cli:{who}",
            actor_name=who,
            feedback=feedback,
            source="cli",
            source_ref="",
        )


async def cancel(settings: Settings, run_id: str) -> str:
    run = _run(settings, run_id)
    if RunState(run.state) not in ACTIVE_STATES:
        raise OperatorError(f"run {run_id} is already {run.state}; nothing to cancel")
    async with dbos_session(settings):
        for round_ in range(1, run.round + 1):
            await DBOS.cancel_workflow_async(f"{run_id}/round-{round_}")
        await DBOS.cancel_workflow_async(run_id)
    await asyncio.to_thread(_remove_sandbox, sandbox_key(settings.database_url, run_id))
    store.update_run(settings.database_url, run_id, state=RunState.cancelled)
    audit(settings.database_url, f"cli:{getpass.getuser()}", "run.cancel", run_id)
    return f"cancelled {run_id}; its sandbox is removed"


async def resume(settings: Settings, run_id: str) -> str:
    run = _run(settings, run_id)
    async with dbos_session(settings):
        await DBOS.resume_workflow_async(run_id)
    if run.state == RunState.cancelled:
        store.update_run(settings.database_url, run_id, state=RunState.queued, finished_at=None)
    audit(settings.database_url, f"cli:{getpass.getuser()}", "run.resume", run_id)
    return f"resumed {run_id}"


def _remove_sandbox(run_id: str) -> None:
    import docker

    from agents.sandbox.run_resources import remove_run

    client = docker.from_env()
    try:
        remove_run(client, run_id)
    finally:
        client.close()


def _restart_step(steps: list[Any]) -> int:
    """Where a failed round resumes: at its first failed step, or just past its last step.

    A failed model call is a child workflow: resume at the step that started it, so the
    fork starts a fresh call instead of waiting on the failed one again.
    """
    failed = [s for s in steps if s["error"] is not None]
    if not failed:
        return int(max((s["function_id"] for s in steps), default=0)) + 1
    first = min(failed, key=lambda s: s["function_id"])
    if first["function_name"] == "DBOS.getResult":
        # The step before the wait is the one that enqueued the failed child.
        return int(first["function_id"]) - 1
    return int(first["function_id"])


async def retry(settings: Settings, run_id: str) -> str:
    """Fork a failed run from its failed agent step (DBOS fork): finished work is reused.

    The round that failed is forked from its first failed step (or just past its last
    one), so recorded model and tool calls replay instead of being paid for again; the run
    workflow is forked to wait on that new round instead of the failed one.
    """
    run = _run(settings, run_id)
    if run.state != RunState.failed:
        raise OperatorError(f"run {run_id} is {run.state}; only failed runs can be retried")
    parent = run.workflow_id or run_id
    suffix = f"~retry-{int(time.time())}"
    async with dbos_session(settings):
        steps = await DBOS.list_workflow_steps_async(parent)
        waits = [
            s for s in steps if s["function_name"] == "DBOS.getResult" and s["child_workflow_id"]
        ]
        if not waits:
            raise OperatorError(
                f"run {run_id} failed before its agents started: start a new run with `/fix`"
            )
        wait = waits[-1]
        old_round = str(wait["child_workflow_id"])
        round_steps = await DBOS.list_workflow_steps_async(old_round)
        restart = _restart_step(round_steps)
        with SetWorkflowID(old_round + suffix):
            new_round = await DBOS.fork_workflow_async(
                old_round, restart, queue_name=AGENT_QUEUE, queue_partition_key=run.repo_full_name
            )
        with SetWorkflowID(run_id + suffix):
            forked = await DBOS.fork_workflow_async(
                parent,
                wait["function_id"],
                queue_name=RUNS_QUEUE,
                replacement_children={old_round: new_round.workflow_id},
            )
    store.update_run(
        settings.database_url,
        run_id,
        state=RunState.coding,
        error=None,
        finished_at=None,
        workflow_id=forked.workflow_id,
    )
    audit(
        settings.database_url,
        f"cli:{getpass.getuser()}",
        "run.retry",
        run_id,
        fork=forked.workflow_id,
    )
    return f"retrying {run_id} from step {restart} of {old_round} (as {forked.workflow_id})"
