"""Ingress tests run the whole service: reuse the service fixtures."""

from tests.app.conftest import client, github, settings

__all__ = ["client", "github", "settings"]
