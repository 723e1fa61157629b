"""``POST /github/webhook``: verify, decide, store — and answer at once.

Order matters: size and signature are checked before anything is parsed or stored, so an
unsigned request changes nothing. The answer comes once the delivery is stored (one
insert, which is also the dedupe); the run it asks for is started by the run intake.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.config import Settings
from app.runs.feedback import FeedbackEvent, PullClosed
from app.runs.intake import RunIntake
from webhooks.deliveries import (
    PENDING,
    record_delivery,
    record_installation,
    reopen_failed_start,
)
from webhooks.pr_triggers import feedback_event_for
from webhooks.signature import signature_is_valid
from webhooks.triggers import Ignored, run_request_for

MAX_BODY_BYTES = 25 * 1024 * 1024
log = logging.getLogger("fixer.webhooks")


def _answer(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"message": message, **extra}, status_code=status)


async def _read_capped(request: Request) -> bytes | None:
    """The body, or None as soon as it passes the cap (never buffering all of it)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def build_webhook_router(settings: Settings, intake: RunIntake) -> APIRouter:
    router = APIRouter()
    secret = settings.github_webhook_secret
    database_url = settings.database_url

    @router.post("/github/webhook", status_code=202)
    async def github_webhook(request: Request) -> JSONResponse:
        body = await _read_capped(request)
        if body is None:
            return _answer(413, "payload larger than 25 MB")
        if secret is None or not signature_is_valid(
            secret.get_secret_value(), body, request.headers.get("x-hub-signature-256")
        ):
            return _answer(401, "invalid or missing X-Hub-Signature-256")
        event = request.headers.get("x-github-event")
        delivery_id = request.headers.get("x-github-delivery")
        if not event or not delivery_id:
            return _answer(400, "missing X-GitHub-Event or X-GitHub-Delivery header")
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _answer(400, f"body is not JSON: {exc}")
        if not isinstance(payload, dict):
            return _answer(400, "body is not a JSON object")
        action = payload.get("action") if isinstance(payload.get("action"), str) else None
        try:
            outcome, run_request = _decide(database_url, event, action, payload)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            # AttributeError: a field that must be an object is not one (``.get`` on a list).
            # Signed by GitHub but not the shape the event promises: refuse, store nothing.
            return _answer(400, f"malformed {event} payload: {exc}")
        if not record_delivery(database_url, delivery_id, event, action, outcome, run_request):
            # A redelivery keeps its GUID: start again only what could not be started.
            if not reopen_failed_start(database_url, delivery_id, outcome, run_request):
                return _answer(202, "duplicate delivery, already handled", delivery=delivery_id)
            log.info("delivery %s redelivered after a failed start: starting it again", delivery_id)
            intake.kick()
            return _answer(202, "redelivery accepted", delivery=delivery_id, outcome=outcome)
        if outcome == PENDING:
            intake.kick()
        return _answer(202, "accepted", delivery=delivery_id, outcome=outcome)

    return router


PR_EVENTS = frozenset({"pull_request", "pull_request_review", "check_suite", "workflow_run"})


def _about_a_pull_request(event: str, payload: dict[str, Any]) -> bool:
    """Feedback on a pull request (or its end), not an issue: a follow-up's, not a run's."""
    if event == "issue_comment":
        return bool((payload.get("issue") or {}).get("pull_request"))
    return event in PR_EVENTS


def _decide(
    database_url: str, event: str, action: str | None, payload: dict[str, Any]
) -> tuple[str, dict[str, Any] | None]:
    """What this delivery owes: a run start (``pending`` + its request) or nothing."""
    if event in ("installation", "installation_repositories"):
        return record_installation(database_url, action or "", payload), None
    if event == "ping":
        return "pong", None
    if _about_a_pull_request(event, payload):
        feedback = feedback_event_for(event, payload)
        if isinstance(feedback, FeedbackEvent):
            return PENDING, {"followup": feedback.model_dump(mode="json")}
        if isinstance(feedback, PullClosed):
            return PENDING, {"pr_closed": feedback.model_dump(mode="json")}
        log.debug("ignored %s.%s: %s", event, action, feedback.reason)
        return f"ignored:{feedback.reason}", None
    decision = run_request_for(event, payload)
    if isinstance(decision, Ignored):
        log.debug("ignored %s.%s: %s", event, action, decision.reason)
        return f"ignored:{decision.reason}", None
    return PENDING, decision.model_dump(mode="json")
