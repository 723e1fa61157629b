"""``fixer setup`` refuses a webhook URL GitHub cannot reach, before it opens GitHub."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.webhook_reach import unreachable_reason

GITHUB = "https://api.github.com"


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000/github/webhook",
        "http://127.0.0.1:8000/github/webhook",
        "http://[::1]:8000/github/webhook",
        "http://0.0.0.0:8000/github/webhook",
        "http://192.168.1.20:8000/github/webhook",
        "http://10.0.0.5/github/webhook",
        "http://169.254.10.1/github/webhook",
        "http://fixer.local/github/webhook",
        "http://devbox:8000/github/webhook",
    ],
)
def test_github_com_cannot_reach_local_or_private_webhook_urls(url: str) -> None:
    assert unreachable_reason(url, GITHUB) is not None
    assert unreachable_reason(url, "https://api.octocorp.ghe.com") is not None


def test_public_urls_and_relay_channels_pass() -> None:
    assert unreachable_reason("https://fixer.example.org/github/webhook", GITHUB) is None
    assert unreachable_reason("https://smee.io/AbC123", GITHUB) is None


def test_enterprise_server_may_reach_its_private_network_but_never_our_loopback() -> None:
    ghes = "https://ghe.corp.example/api/v3"
    assert unreachable_reason("http://10.0.0.5:8000/github/webhook", ghes) is None
    assert unreachable_reason("http://fixer.corp.internal/github/webhook", ghes) is None
    assert unreachable_reason("http://localhost:8000/github/webhook", ghes) is not None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_setup_with_a_localhost_public_url_stops_before_github_and_names_the_relay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FIXER_PUBLIC_URL", "http://localhost:8000")
    port = free_port()
    result = CliRunner().invoke(cli, ["setup", "--port", str(port)])
    assert result.exit_code == 2
    message = result.output
    assert "http://localhost:8000/github/webhook" in message
    assert "fixer setup --relay https://smee.io/" in message
    assert "fixer serve --relay" in message
    assert "Open http://localhost" not in message  # the local page was never offered
    assert not (tmp_path / ".env").exists()
    with socket.socket() as sock:  # nothing listens for GitHub's redirect
        assert sock.connect_ex(("127.0.0.1", port)) != 0
