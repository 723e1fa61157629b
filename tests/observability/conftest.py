"""Observability fixtures: a migrated SQLite database and the pages router on a bare app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings, load_settings
from app.db import dispose_engines, migrate
from app.pages.routes import build_pages_router

LOOPBACK = ("127.0.0.1", 50000)


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    url = f"sqlite:///{tmp_path}/fixer.db"
    migrate(url)
    yield url
    dispose_engines()


@pytest.fixture
def make_client(database_url: str) -> Iterator[Callable[..., TestClient]]:
    """A client of the pages as served by ``settings`` from ``client`` (host, port)."""
    clients: list[TestClient] = []

    def make(client: tuple[str, int] = LOOPBACK, **overrides: object) -> TestClient:
        settings: Settings = load_settings(database_url=database_url, **overrides)
        app = FastAPI()
        app.include_router(build_pages_router(settings))
        test_client = TestClient(app, client=client, follow_redirects=False)
        clients.append(test_client)
        return test_client

    yield make
    for test_client in clients:
        test_client.close()


from tests.e2e.conftest import make_stack  # noqa: E402, F401  (the real stack, as e2e uses it)
