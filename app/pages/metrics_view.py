"""``/metrics``: the counters the timeline moves, plus gauges read at scrape time (runs by
state from the ``runs`` table, DBOS queue depth, live sandbox containers)."""

from __future__ import annotations

import asyncio
from collections import Counter

from prometheus_client import REGISTRY, CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func
from sqlmodel import select

from agents.sandbox.run_resources import MANAGED_LABEL
from app.db import session_scope
from app.models import Run

CONTENT_TYPE = CONTENT_TYPE_LATEST


def runs_by_state(database_url: str) -> dict[str, int]:
    with session_scope(database_url) as session:
        rows = session.exec(select(Run.state, func.count()).group_by(Run.state)).all()
        return {str(state): int(count) for state, count in rows}


async def queue_depth() -> dict[str, int]:
    """Workflows waiting on (or running from) each DBOS queue; empty when DBOS is not up."""
    try:
        from dbos import DBOS

        queued = await DBOS.list_queued_workflows_async(load_input=False, load_output=False)
    except Exception:
        return {}
    return dict(Counter(str(w.queue_name) for w in queued))


def live_sandboxes() -> int | None:
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return len(
                client.containers.list(filters={"label": f"{MANAGED_LABEL}=true"}, sparse=True)
            )
        finally:
            client.close()
    except Exception:
        return None  # no Docker engine here (``fixer web``): the gauge is left out


async def scrape(database_url: str) -> bytes:
    scraped = CollectorRegistry()
    states = Gauge("fixer_runs", "Runs by state.", ["state"], registry=scraped)
    for state, count in (await asyncio.to_thread(runs_by_state, database_url)).items():
        states.labels(state=state).set(count)
    queues = Gauge(
        "fixer_queue_depth",
        "DBOS workflows enqueued or running, by queue.",
        ["queue"],
        registry=scraped,
    )
    for queue, count in (await queue_depth()).items():
        queues.labels(queue=queue).set(count)
    sandboxes = await asyncio.to_thread(live_sandboxes)
    if sandboxes is not None:
        Gauge("fixer_live_sandboxes", "Sandbox containers running.", registry=scraped).set(
            sandboxes
        )
    return bytes(generate_latest(REGISTRY)) + bytes(generate_latest(scraped))
