"""``GET /runs``, ``GET /runs/{id}`` (HTML, or JSON for ``Accept: application/json``) and
``GET /metrics``, all behind :mod:`app.pages.access`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.config import Settings
from app.pages import access, diff_view, metrics_view, run_view, timeline_view

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
TEMPLATES.filters["urlquote"] = lambda value: quote(str(value), safe="")
TEMPLATES.globals["diff_css"] = diff_view.stylesheet()


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _html(name: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(name).render(**context))


def build_pages_router(settings: Settings) -> APIRouter:
    router = APIRouter()
    database_url = settings.database_url

    @router.get("/runs", response_model=None)
    async def runs_page(request: Request, repo: str = "", state: str = "") -> Response:
        if (refused := access.refusal(request, settings)) is not None:
            return refused
        data = await asyncio.to_thread(run_view.list_view, database_url, repo, state)
        if wants_json(request):
            return JSONResponse(data)
        return _html("runs.html", **data)

    @router.get("/runs/{run_id:path}", response_model=None)
    async def run_page(request: Request, run_id: str) -> Response:
        if (refused := access.refusal(request, settings)) is not None:
            return refused
        data = await asyncio.to_thread(run_view.run_view, database_url, run_id)
        if data is None:
            return JSONResponse({"detail": f"There is no Fixer run {run_id}."}, status_code=404)
        if wants_json(request):
            return JSONResponse(data)
        diffs = [{**diff, "files": diff_view.split_patch(diff["patch"])} for diff in data["diffs"]]
        return _html(
            "run.html",
            **data,
            entries=timeline_view.entries(data["timeline"]),
            rendered_diffs=diffs,
            render_file=diff_view.render_file,
        )

    @router.get("/metrics", response_model=None)
    async def metrics(request: Request) -> Response:
        if (refused := access.refusal(request, settings)) is not None:
            return refused
        body = await metrics_view.scrape(database_url)
        return Response(body, media_type=metrics_view.CONTENT_TYPE)

    return router
