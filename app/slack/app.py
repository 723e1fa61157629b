"""The Slack side of the service: a bolt ``AsyncApp`` and the Web API client it uses.

Single-workspace: one bot token and one signing secret from settings. The client's base URL
is ``SLACK_API_URL``, so ``fixer demo`` and the tests reach a local Slack unchanged.
"""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from app.config import Settings
from app.slack.decision_listeners import register_decision_listeners
from app.slack.mention import register_mention_listener

RATE_LIMIT_RETRIES = 3
"""Waits of ``Retry-After`` seconds (https://docs.slack.dev/apis/web-api/rate-limits) a call
makes before it fails; a failed step is then retried by DBOS, with its own backoff."""


def retry_handlers() -> list[AsyncRetryHandler]:
    """slack_sdk's own retries: a dropped connection once, a 429 after its ``Retry-After``."""
    return [
        AsyncConnectionErrorRetryHandler(),
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
    ]


def build_web_client(settings: Settings) -> AsyncWebClient:
    """A Web API client for the bot; workflow steps use it to post and update messages."""
    settings.require("SLACK_BOT_TOKEN")
    assert settings.slack_bot_token is not None
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        retry_handlers=retry_handlers(),
    )


def build_slack_app(settings: Settings) -> AsyncApp:
    """Bolt with Fixer's listeners; requests are verified with ``SLACK_SIGNING_SECRET``."""
    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    assert settings.slack_signing_secret is not None
    app = AsyncApp(
        name="fixer",
        logger=logging.getLogger("app.slack.bolt"),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        client=build_web_client(settings),
        # Ack first, then run the listener: Slack wants an answer within 3 seconds.
        process_before_response=False,
    )
    register_decision_listeners(app, settings)
    register_mention_listener(app, settings)
    return app
