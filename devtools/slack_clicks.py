"""Clicks and modal submissions sent to Fixer exactly as Slack sends them (signed forms)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx

from devtools.slack_signing import interaction_body, interaction_headers

PAYLOADS = Path(__file__).parent / "payloads"


def _template(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return copy.deepcopy(data)


def button_click(
    message: dict[str, Any], channel: str, action_id: str, user: str, run_id: str, round: int
) -> dict[str, Any]:
    """A ``block_actions`` payload for a click on ``action_id`` in ``message``."""
    body = _template("block_actions.json")
    body["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0"}
    body["container"].update(channel_id=channel, message_ts=message["ts"])
    body["channel"] = {"id": channel}
    body["message"].update(
        ts=message["ts"], blocks=message.get("blocks", []), text=message.get("text", "")
    )
    body["actions"][0].update(
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
    body = interaction_body(payload)
    return httpx.post(
        f"{fixer_url.rstrip('/')}/slack/events",
        content=body,
        headers=interaction_headers(signing_secret, body),
        timeout=10,
    )
