"""Clicks, modal submissions and messages sent to Fixer exactly as Slack sends them.

Slack waits 3 seconds for the answer to an interaction and then shows the person an error
(https://docs.slack.dev/interactivity/handling-user-interaction#acknowledgment_response), so
:func:`send` raises :class:`SlackGaveUp` for a slower answer: to the person, that click failed.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import httpx

from devtools.slack_api import new_trigger_id
from devtools.slack_signing import event_headers, interaction_body, interaction_headers

PAYLOADS = Path(__file__).parent / "payloads"
ACK_DEADLINE_S = 3.0


class SlackGaveUp(AssertionError):
    """Fixer answered an interaction after Slack's 3 seconds: the person saw it fail."""


def _template(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return copy.deepcopy(data)


def button_click(
    message: dict[str, Any],
    channel: str,
    action_id: str,
    user: str,
    run_id: str,
    round: int,
) -> dict[str, Any]:
    """A ``block_actions`` payload for a click on ``action_id`` in ``message``, clicked now
    (its ``trigger_id`` expires in 3 s, see :func:`devtools.slack_api.new_trigger_id`)."""
    body = _template("block_actions.json")
    body["trigger_id"] = new_trigger_id()
    body["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0"}
    body["container"].update(channel_id=channel, message_ts=message["ts"])
    body["channel"] = {"id": channel}
    body["message"].update(
        ts=message["ts"], blocks=message.get("blocks", []), text=message.get("text", "")
    )
    body["actions"][0].update(
        action_ts=f"{time.time():.6f}",
        action_id=action_id,
        block_id="fixer_actions",
        value=json.dumps({"run_id": run_id, "round": round}),
    )
    return body


def modal_submission(private_metadata: str, feedback: str, user: str) -> dict[str, Any]:
    """A ``view_submission`` of the request-changes modal."""
    body = _template("view_submission.json")
    body["user"].update(id=user, username=user.lower(), name=user.lower())
    body["view"].update(
        callback_id="fixer_changes_modal",
        private_metadata=private_metadata,
        state={
            "values": {
                "feedback": {"feedback_input": {"type": "plain_text_input", "value": feedback}}
            }
        },
    )
    return body


def send(fixer_url: str, signing_secret: str, payload: dict[str, Any]) -> httpx.Response:
    """Post an interaction as Slack does; raises :class:`SlackGaveUp` past 3 seconds."""
    body = interaction_body(payload)
    started = time.monotonic()
    try:
        response = httpx.post(
            f"{fixer_url.rstrip('/')}/slack/events",
            content=body,
            headers=interaction_headers(signing_secret, body),
            timeout=ACK_DEADLINE_S + 0.5,
        )
    except httpx.TimeoutException:
        raise SlackGaveUp(f"no answer to a {payload.get('type')} within 3 s") from None
    elapsed = time.monotonic() - started
    if elapsed > ACK_DEADLINE_S:
        raise SlackGaveUp(f"{payload.get('type')} answered after {elapsed:.1f} s (limit 3 s)")
    return response


def message_event(event: dict[str, Any], team_id: str = "T0FIXER") -> dict[str, Any]:
    """An Events API ``event_callback`` carrying ``event`` (a ``message`` from
    ``FakeSlack.user_message``), https://docs.slack.dev/apis/events-api/#callback-field."""
    return {
        "token": "verification-token-unused",
        "team_id": team_id,
        "api_app_id": "A0FIXER",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{event['ts'].replace('.', '')}",
        "event_time": int(float(event["ts"])),
        "authorizations": [
            {
                "team_id": team_id,
                "user_id": "UFIXERBOT",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
    }


def send_event(fixer_url: str, signing_secret: str, payload: dict[str, Any]) -> httpx.Response:
    body = json.dumps(payload)
    return httpx.post(
        f"{fixer_url.rstrip('/')}/slack/events",
        content=body,
        headers=event_headers(signing_secret, body),
        timeout=10,
    )
