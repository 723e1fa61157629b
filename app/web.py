"""The FastAPI app factory: routers, health, and the DBOS lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError

from app import __version__
from app.config import GITHUB_SERVICE_NEEDS, Settings
from app.db import get_engine, migrate
from app.delivery_recovery import DeliveryRecovery
from app.github import GitHubApp
from app.logging_setup import configure_logging
from app.pages.routes import build_pages_router
from app.runs import context, engine
from app.runs.heartbeat import Heartbeat
from app.runs.intake import RunIntake
from app.telemetry import configure_tracing, shutdown_tracing
from webhooks.router import build_webhook_router


def create_app(settings: Settings, *, execute_runs: bool = True) -> FastAPI:
    """The web service; with ``execute_runs`` it is also a worker (``fixer serve``)."""
    settings.require(*GITHUB_SERVICE_NEEDS)
    configure_logging(settings.fixer_log_format)
    configure_tracing()
    service = context.ServiceContext(settings=settings, github=GitHubApp(settings))
    context.install(service)

    intake = RunIntake(settings.database_url, settings.executor_id)
    recovery = DeliveryRecovery(service.github, settings.database_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        migrate(settings.database_url)
        await engine.launch(settings, execute=execute_runs)
        intake.start()
        recovery.start()  # webhooks missed while no Fixer was listening
        heartbeat = Heartbeat(
            settings.database_url, settings.executor_id, settings.fixer_executor_timeout_s
        )
        if execute_runs:  # only processes that execute runs can take over another's
            heartbeat.start()
        try:
            yield
        finally:
            await heartbeat.stop()
            await recovery.stop()
            await intake.stop()
            engine.shutdown()
            await service.models.aclose()  # after the engine: no step is mid-call any more
            shutdown_tracing()  # flushes the spans still in the export batch

    app = FastAPI(title="Fixer", version=__version__, lifespan=lifespan)
    app.include_router(build_webhook_router(settings, intake))
    app.include_router(build_pages_router(settings))
    if settings.slack_enabled:
        from app.slack.router import build_slack_router

        app.include_router(build_slack_router(settings))

    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The database is restarting or unreachable. GitHub never resends a webhook it got
        # an error for, so the delivery recovery is asked to sweep soon, not in 5 minutes.
        if request.url.path == "/github/webhook":
            recovery.soon()
        message = f"database unavailable ({type(exc).__name__}); try again shortly"
        return JSONResponse({"message": message}, status_code=503)

    app.add_exception_handler(OperationalError, database_unavailable)
    app.add_exception_handler(InterfaceError, database_unavailable)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        checks = {
            "database": await asyncio.to_thread(_database_ok, settings.database_url),
            "docker": await asyncio.to_thread(_docker_ok),
        }
        ready = all(checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    return app


def _database_ok(database_url: str) -> bool:
    try:
        with get_engine(database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def _docker_ok() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False
