"""The "Request changes" modal: a required feedback field, and where the answer goes."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

CHANGES_CALLBACK = "fixer_changes_modal"
FEEDBACK_BLOCK = "feedback"
FEEDBACK_ACTION = "feedback_input"
FEEDBACK_MAX = 3000
"""Slack's own limit for a ``plain_text_input``."""


@dataclass(frozen=True)
class ChangesContext:
    """Carried in the modal's ``private_metadata`` (≤ 3000 chars) from click to submission."""

    run_id: str
    round: int
    channel: str
    message_ts: str
    thread_ts: str | None = None

    def to_metadata(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_metadata(cls, text: str) -> ChangesContext:
        return cls(**json.loads(text))


def changes_modal(context: ChangesContext) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CHANGES_CALLBACK,
        "private_metadata": context.to_metadata(),
        "title": {"type": "plain_text", "text": "Request changes"},
        "submit": {"type": "plain_text", "text": "Send to Fixer"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"Fixer will continue `{context.run_id}` with your feedback "
                    f"and ask again when the new round is ready.",
                },
            },
            {
                "type": "input",
                "block_id": FEEDBACK_BLOCK,
                "optional": False,
                "label": {"type": "plain_text", "text": "What should change?"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": FEEDBACK_ACTION,
                    "multiline": True,
                    "max_length": FEEDBACK_MAX,
                    "placeholder": {
                        "type": "plain_text",
                        "text": "e.g. keep the public API unchanged; add a regression test",
                    },
                },
            },
        ],
    }


def feedback_from(view: dict[str, Any]) -> str:
    """The submitted feedback ('' when missing): Slack sends ``value: null`` for no input."""
    values = (view.get("state") or {}).get("values") or {}
    field = (values.get(FEEDBACK_BLOCK) or {}).get(FEEDBACK_ACTION) or {}
    return str(field.get("value") or "")
