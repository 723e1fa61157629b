"""Fixtures shared by every test package."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

FIXTURES = Path(__file__).parent / "fixtures"


def wait_for(condition: Any, timeout: float = 20.0) -> None:
    """Poll ``condition`` until it is true (work that happens in a workflow or a process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


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


# One key for the whole session: githubkit caches the App JWT per App id in-process, so
# two keys for the same id would make later tests present a JWT signed by the other one.
@pytest.fixture(scope="session")
def app_key() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public
