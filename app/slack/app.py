"""The Slack side of the service: a bolt ``AsyncApp`` and the Web API client it uses.

Single-workspace: one bot token and one signing secret from settings. The client's base URL
is ``SLACK_API_URL``, so ``fixer demo`` and the tests reach a local Slack unchanged.
"""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

from app.config import Settings
from app.slack.client import build_web_client, retry_handlers
from app.slack.decision_listeners import register_decision_listeners
from app.slack.mention import register_mention_listener
from app.slack.thread_feedback import register_thread_feedback_listener

__all__ = ["build_slack_app", "build_web_client", "retry_handlers"]


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
    register_thread_feedback_listener(app, settings)
    return app
