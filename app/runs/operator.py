"""What an operator does to runs from the command line: decide, cancel, resume.

Each call launches DBOS without taking work from the queues (the workers keep executing),
does one thing, and shuts down.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from dbos import DBOS

from app.config import Settings
from app.db import migrate
from app.models import ACTIVE_STATES, Run, RunState
from app.runs import engine, store
from app.runs.decisions import DecisionAction, DecisionOutcome, audit, submit_decision


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
    await asyncio.to_thread(_remove_sandbox, run_id)
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
