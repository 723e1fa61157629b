"""The App's delivery log over REST: list, get, and ask for a redelivery.

As GitHub's (https://docs.github.com/en/rest/apps/webhooks): App JWT only, newest first,
``per_page`` 1–100 (default 30), cursor pagination through the ``Link`` header, and
``POST .../attempts`` answering 202 before the redelivery is sent. Deliveries can be
redelivered for 3 days only
(https://docs.github.com/en/webhooks/testing-and-troubleshooting-webhooks/redelivering-webhooks);
older ones are refused here rather than sent, the strict reading.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from devtools.github_auth import ApiError, Call, require_app_jwt
from devtools.github_state import Delivery

REDELIVERY_WINDOW = timedelta(days=3)
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def item(delivery: Delivery) -> dict[str, Any]:
    """The ``hook-delivery-item`` shape."""
    installation = delivery.payload.get("installation") or {}
    repository = delivery.payload.get("repository") or {}
    return {
        "id": delivery.attempt_id,
        "guid": delivery.id,
        "delivered_at": _iso(delivery.delivered_at),
        "redelivery": delivery.redelivery,
        "duration": delivery.duration,
        "status": delivery.status_text,
        "status_code": delivery.status,
        "event": delivery.event,
        "action": delivery.payload.get("action"),
        "installation_id": installation.get("id"),
        "repository_id": repository.get("id"),
        "throttled_at": None,
    }


def _per_page(call: Call) -> int:
    raw = call.query.get("per_page", str(DEFAULT_PER_PAGE))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PER_PAGE:
        raise ApiError(422, f"per_page must be between 1 and {MAX_PER_PAGE}, got {raw!r}.")
    return int(raw)


def _cursor(call: Call) -> int | None:
    raw = call.query.get("cursor")
    if raw is None:
        return None
    if not raw.startswith("v1_") or not raw[3:].isdigit():
        raise ApiError(400, f"Invalid cursor {raw!r}.")
    return int(raw[3:])


def list_deliveries(call: Call) -> tuple[int, Any, dict[str, str]]:
    """``GET /app/hook/deliveries``: one page, and a ``Link`` to the next when there is one."""
    require_app_jwt(call)
    per_page, cursor = _per_page(call), _cursor(call)
    newest_first = sorted(call.site.state.deliveries, key=lambda d: d.attempt_id, reverse=True)
    if cursor is not None:
        newest_first = [d for d in newest_first if d.attempt_id < cursor]
    page = newest_first[:per_page]
    headers: dict[str, str] = {}
    if len(newest_first) > per_page:
        query = urlencode({"per_page": per_page, "cursor": f"v1_{page[-1].attempt_id}"})
        headers["Link"] = f'<{call.site.api_url}/app/hook/deliveries?{query}>; rel="next"'
    return 200, [item(d) for d in page], headers


def _find(call: Call) -> Delivery:
    wanted = int(call.args[0])
    found = next((d for d in call.site.state.deliveries if d.attempt_id == wanted), None)
    if found is None:
        raise ApiError(404, "Not Found")
    return found


def get_delivery(call: Call) -> tuple[int, Any]:
    """``GET /app/hook/deliveries/{delivery_id}``: the item plus what was sent."""
    require_app_jwt(call)
    found = _find(call)
    return 200, {
        **item(found),
        "url": "",
        "request": {
            "headers": {"X-GitHub-Event": found.event, "X-GitHub-Delivery": found.id},
            "payload": found.payload,
        },
        "response": {"headers": {}, "payload": None},
    }


def redeliver(call: Call) -> tuple[int, Any]:
    """``POST /app/hook/deliveries/{delivery_id}/attempts``: 202, then the delivery again."""
    require_app_jwt(call)
    found = _find(call)
    if datetime.now(UTC) - found.delivered_at > REDELIVERY_WINDOW:
        raise ApiError(
            422, "Validation Failed: only deliveries of the past 3 days can be redelivered."
        )
    if call.site.redeliver is None:
        raise ApiError(503, "No webhook sender is attached to this emulation.")
    call.site.redeliver(found)
    return 202, {}
