"""``POST /slack/events``: every Slack request (events, button clicks, modals) via bolt."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

from app.config import Settings
from app.runs.decisions import audit
from app.slack.app import build_slack_app


def build_slack_router(settings: Settings) -> APIRouter:
    handler = AsyncSlackRequestHandler(build_slack_app(settings))
    router = APIRouter()

    @router.post("/slack/events")
    async def slack_events(request: Request) -> Response:
        response: Response = await handler.handle(request)
        if response.status_code == 401:
            # bolt refused the signature (forged, or older than five minutes).
            audit(
                settings.database_url,
                "",
                "slack.signature_refused",
                "/slack/events",
                timestamp=request.headers.get("x-slack-request-timestamp", ""),
                client=request.client.host if request.client else "",
            )
        return response

    return router
