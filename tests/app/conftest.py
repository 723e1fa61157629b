"""Service fixtures: settings on a temporary SQLite file, an App key, a fake GitHub."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import respx
from fastapi.testclient import TestClient

from app.config import Settings, load_settings
from app.db import dispose_engines
from tests.github_fake import API, FakeGitHub

WEBHOOK_SECRET = "test-webhook-secret"


def service_settings(tmp_path: Path, app_key: tuple[str, str], **overrides: object) -> Settings:
    """Settings of a test service: SQLite in ``tmp_path``, the session's App key, fake GitHub."""
    return load_settings(
        database_url=f"sqlite:///{tmp_path}/fixer.db",
        github_app_id=4242,
        github_app_private_key=app_key[0].replace("\n", "\\n"),
        github_webhook_secret=WEBHOOK_SECRET,
        github_api_url=API,
        fixer_public_url="http://fixer.local",
        fixer_executor_id="test-executor",
        **overrides,
    )


@pytest.fixture
def settings(tmp_path: Path, app_key: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    return service_settings(tmp_path, app_key)


@pytest.fixture
def github(app_key: tuple[str, str]) -> Iterator[FakeGitHub]:
    fake = FakeGitHub(public_key_pem=app_key[1])
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        yield fake


@pytest.fixture
def client(settings: Settings, github: FakeGitHub) -> Iterator[TestClient]:
    from app.web import create_app

    with TestClient(create_app(settings)) as test_client:
        yield test_client
    dispose_engines()


def sign(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(
    client: TestClient,
    event: str,
    payload: dict[str, Any] | bytes,
    *,
    delivery: str | None = None,
    signature: str | None = None,
) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(
        "/github/webhook",
        content=body,
        headers={
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
            "X-Hub-Signature-256": signature if signature is not None else sign(body),
            "Content-Type": "application/json",
        },
    )
