"""``POST /slack/events``: every Slack request (events, button clicks, modals) via bolt."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

from app.config import Settings
from app.runs.decisions import audit
from app.slack.app import build_slack_app

log = logging.getLogger("fixer.slack")


def _signature_is_valid(verifier: SignatureVerifier, body: bytes, request: Request) -> bool:
    """Slack's signature, checked before bolt sees the body: bolt parses the body first
    and fails with a 500 on one that is not JSON, even when the request is unsigned."""
    try:
        return verifier.is_valid(
            body,
            request.headers.get("x-slack-request-timestamp"),
            request.headers.get("x-slack-signature"),
        )
    except (TypeError, ValueError):  # a non-numeric timestamp, non-ASCII signature, non-UTF-8
        return False


# Fields bolt reads with ``.get`` when routing or logging a request: a signed body where one
# of them is present but not an object (``"view": null``) would crash bolt with a 500.
_OBJECT_FIELDS = ("view", "event", "container", "channel", "user", "team", "message")


def _shape_problem(body: bytes, content_type: str | None) -> str | None:
    """Why bolt cannot route ``body``, or None. Parsed as bolt parses it."""
    try:
        payload = parse_body(body.decode("utf-8"), content_type)
    except (UnicodeDecodeError, ValueError):
        return None  # bolt answers these itself, without crashing
    if not isinstance(payload, dict):
        return "the payload is not a JSON object"
    for name in _OBJECT_FIELDS:
        if name in payload and not isinstance(payload[name], dict | str):
            return f"`{name}` is {type(payload[name]).__name__}, not an object"
    actions = payload.get("actions")
    if actions is not None and not (
        isinstance(actions, list) and all(isinstance(a, dict) for a in actions)
    ):
        return "`actions` is not a list of objects"
    return None


def build_slack_router(settings: Settings) -> APIRouter:
    handler = AsyncSlackRequestHandler(build_slack_app(settings))
    assert settings.slack_signing_secret is not None  # build_slack_app required it
    verifier = SignatureVerifier(settings.slack_signing_secret.get_secret_value())
    router = APIRouter()

    @router.post("/slack/events")
    async def slack_events(request: Request) -> Response:
        if not _signature_is_valid(verifier, await request.body(), request):
            # Forged, unsigned, or older than five minutes (a replay).
            audit(
                settings.database_url,
                "",
                "slack.signature_refused",
                "/slack/events",
                timestamp=request.headers.get("x-slack-request-timestamp", ""),
                client=request.client.host if request.client else "",
            )
            return Response(status_code=401, content="invalid Slack signature")
        problem = _shape_problem(await request.body(), request.headers.get("content-type"))
        if problem is not None:
            log.warning("signed Slack request with a malformed body: %s", problem)
            return Response(status_code=400, content=f"malformed Slack request body: {problem}")
        try:
            response: Response = await handler.handle(request)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            # Signed, but not a body Slack sends (bolt parses before dispatching): refuse it.
            log.warning("signed Slack request with a malformed body: %r", exc)
            return Response(status_code=400, content="malformed Slack request body")
        return response

    return router
