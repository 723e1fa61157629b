"""Fuzz tests run the whole service with GitHub and Slack configured: reuse their fixtures."""

from tests.app.conftest import client, github
from tests.slack.conftest import settings, slack

__all__ = ["client", "github", "settings", "slack"]
