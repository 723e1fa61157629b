"""The Slack Web API client the service uses, with slack_sdk's own retries.

Its base URL is ``SLACK_API_URL``, so ``fixer demo`` and the tests reach a local Slack
unchanged.
"""

from __future__ import annotations

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from app.config import Settings

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
