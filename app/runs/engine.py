"""DBOS Transact, configured for Fixer: launch, queues, shutdown.

DBOS is the durable engine; this module only says how Fixer uses it: the system tables
live in ``DATABASE_URL`` beside ours, ``application_version`` is pinned so runs waiting for
approval survive a deploy, and the executor id comes from ``FIXER_EXECUTOR_ID``.
"""

from __future__ import annotations

from dbos import DBOS, DBOSConfig

from app.config import Settings
from app.runs.queues import AGENT_QUEUE, FOLLOWUP_QUEUE, LLM_QUEUE, NOTICES_QUEUE, RUNS_QUEUE


def dbos_config(settings: Settings) -> DBOSConfig:
    return {
        "name": "fixer",
        "system_database_url": settings.database_url,
        "application_version": settings.fixer_application_version,
        "executor_id": settings.executor_id,
        "log_level": "WARNING",
        "notification_listener_polling_interval_sec": 0.2,
    }


async def launch(settings: Settings, *, execute: bool = True) -> None:
    """Create and launch DBOS for this process.

    ``execute=False`` (``fixer web``) only enqueues: the process takes no work from the
    queues, so workers do all of it.
    """
    # Importing registers the workflows before launch, so recovery can find them.
    import app.runs.agent_phase
    import app.runs.followup
    import app.runs.model_calls
    import app.runs.workflow
    import app.slack.click_workflow  # noqa: F401  (decisions from Slack, resumed anywhere)

    DBOS(config=dbos_config(settings))
    if not execute:
        DBOS.listen_queues([])
    DBOS.launch()
    await DBOS.register_queue_async(RUNS_QUEUE, polling_interval_sec=0.2)
    await DBOS.register_queue_async(
        AGENT_QUEUE,
        partition_concurrency=settings.fixer_runs_per_repo,
        worker_concurrency=settings.fixer_max_sandboxes,
        # Every round waits for this poll before its sandbox starts: on the critical path.
        polling_interval_sec=0.1,
    )
    # Model calls are steps of the run, admitted by the shared ledger (app.runs.model_calls);
    # the queue still serves the calls of runs started before, which replay on it. Polled
    # slowly: it is empty but for those, and each poll is a database transaction.
    await DBOS.register_queue_async(
        LLM_QUEUE,
        limiter={"limit": settings.fixer_llm_rpm, "period": 60.0},
        polling_interval_sec=0.5,
    )
    await DBOS.register_queue_async(NOTICES_QUEUE, polling_interval_sec=0.2)
    await DBOS.register_queue_async(
        FOLLOWUP_QUEUE, partition_concurrency=1, polling_interval_sec=0.2
    )


def shutdown() -> None:
    DBOS.destroy(destroy_registry=False)
