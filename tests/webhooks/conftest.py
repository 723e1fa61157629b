"""Ingress tests run the whole service: reuse the service fixtures."""

from tests.app.conftest import app_key, client, github, settings

__all__ = ["app_key", "client", "github", "settings"]
