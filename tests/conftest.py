"""Fixtures shared by every test package."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture(relative: str) -> Any:
    """A JSON fixture from ``tests/fixtures`` (real payloads; see SOURCES.md there)."""
    return json.loads((FIXTURES / relative).read_text())


@pytest.fixture(scope="session")
def docker_client() -> Iterator[Any]:
    """A client for the real Docker engine.

    Locally, a missing engine skips the test; in CI (``CI=true``) it fails, because CI
    installs and starts Docker and a missing engine there is a broken build.
    """
    import docker

    try:
        client = docker.from_env()
        client.ping()
    except Exception as exc:
        message = f"Docker engine not reachable ({exc}); run `bash scripts/docker-up.sh`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    yield client
    client.close()
