"""Signing requests the way Slack does, for tests and ``fixer demo``.

Slack signs ``v0:{timestamp}:{body}`` with the app's signing secret (HMAC-SHA256). The
signature is computed by slack_sdk's own :class:`SignatureVerifier`, so a request built here
is exactly what the bolt middleware on ``POST /slack/events`` expects.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier


def signed_slack_request(
    signing_secret: str, body: str | bytes, timestamp: int | str | None = None
) -> dict[str, str]:
    """The ``X-Slack-*`` headers for ``body``, signed at ``timestamp`` (default: now)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=stamp, body=body)
    if signature is None:  # only when the timestamp is missing, which cannot happen here
        raise ValueError("slack_sdk could not sign the request")
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def interaction_body(payload: dict[str, Any]) -> str:
    """An interactivity payload (button click, modal submission) as Slack posts it.

    Slack sends these form-encoded, with the JSON in one ``payload`` field; Events API
    callbacks, by contrast, are plain JSON bodies.
    """
    return urlencode({"payload": json.dumps(payload)})


def interaction_headers(
    signing_secret: str, body: str, timestamp: int | None = None
) -> dict[str, str]:
    """Signed headers plus the form content type that interactivity payloads carry."""
    return {
        **signed_slack_request(signing_secret, body, timestamp),
        "Content-Type": "application/x-www-form-urlencoded",
    }


def event_headers(signing_secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Signed headers plus the JSON content type that Events API callbacks carry."""
    return {
        **signed_slack_request(signing_secret, body, timestamp),
        "Content-Type": "application/json",
    }
