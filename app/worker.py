"""``fixer worker``: a process that only executes runs (no HTTP)."""

from __future__ import annotations

import asyncio
import signal

from app.config import GITHUB_SERVICE_NEEDS, Settings
from app.db import migrate
from app.github import GitHubApp
from app.logging_setup import configure_logging
from app.runs import context, engine
from app.runs.heartbeat import Heartbeat
from app.telemetry import configure_tracing, shutdown_tracing


async def run_worker(settings: Settings) -> None:
    settings.require(*GITHUB_SERVICE_NEEDS)
    configure_logging(settings.fixer_log_format)
    configure_tracing()
    service = context.ServiceContext(settings=settings, github=GitHubApp(settings))
    context.install(service)
    migrate(settings.database_url)
    await engine.launch(settings, execute=True)
    heartbeat = Heartbeat(
        settings.database_url, settings.executor_id, settings.fixer_executor_timeout_s
    )
    heartbeat.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await heartbeat.stop()
        engine.shutdown()
        await service.models.aclose()  # after the engine: no step is mid-call any more
        shutdown_tracing()
