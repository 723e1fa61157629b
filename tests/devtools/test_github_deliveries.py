"""The emulated App delivery log: what GitHub records, lists, pages and redelivers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import httpx
import jwt
import pytest

from devtools.github_api import GitHubEmulation
from devtools.stack import free_port
from tests.conftest import wait_for

APP_ID = 4242
REPO = "octo/app"


class _Answer(BaseHTTPRequestHandler):
    status = 202
    got: list[tuple[str, str]]

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.got.append((self.headers["X-GitHub-Delivery"], self.headers["X-GitHub-Event"]))
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def github(tmp_path: Path, app_key: tuple[str, str]) -> Iterator[GitHubEmulation]:
    with GitHubEmulation(APP_ID, app_key[0], "secret", root=tmp_path / "gh") as emulation:
        emulation.create_repo(REPO, files={"README.md": "hello\n"})
        emulation.install([REPO])
        yield emulation


def _receiver(status: int) -> tuple[ThreadingHTTPServer, list[tuple[str, str]]]:
    got: list[tuple[str, str]] = []
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), type("A", (_Answer,), {"got": got, "status": status})
    )
    Thread(target=server.serve_forever, daemon=True).start()
    return server, got


def _jwt(key: str) -> dict[str, str]:
    now = int(time.time())
    token = jwt.encode({"iss": str(APP_ID), "iat": now - 60, "exp": now + 540}, key, "RS256")
    return {"Authorization": f"Bearer {token}"}


def test_an_event_while_the_app_is_down_is_logged_as_a_failed_delivery(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    github.webhook_url = f"http://127.0.0.1:{free_port()}/github/webhook"  # nobody listening
    github.open_issue(REPO, "Bug", "It breaks", author="octo")
    listed = httpx.get(f"{github.api_url}/app/hook/deliveries", headers=_jwt(app_key[0]))
    assert listed.status_code == 200
    [latest] = [d for d in listed.json() if d["event"] == "issues"]
    assert latest["status_code"] == 0
    assert latest["status"] == "failed to connect to host"
    assert latest["action"] == "opened"
    assert latest["redelivery"] is False
    assert latest["installation_id"] == github.state.installation_for(REPO).id  # type: ignore[union-attr]
    assert latest["repository_id"] == github.state.repos[REPO].id


def test_redelivery_resends_the_same_guid_marked_as_redelivery(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    github.webhooks.unreachable = True
    github.webhook_url = "http://127.0.0.1:9/github/webhook"
    github.open_issue(REPO, "Bug", "It breaks", author="octo")
    failed = github.state.deliveries[-1]
    server, got = _receiver(202)
    github.webhook_url = f"http://127.0.0.1:{server.server_address[1]}/github/webhook"
    github.webhooks.unreachable = False
    answer = httpx.post(
        f"{github.api_url}/app/hook/deliveries/{failed.attempt_id}/attempts",
        headers=_jwt(app_key[0]),
    )
    assert answer.status_code == 202
    wait_for(lambda: got)
    assert got == [(failed.id, "issues")]
    wait_for(lambda: github.state.deliveries[-1].redelivery)
    again = github.state.deliveries[-1]
    assert (again.id, again.status, again.status_text) == (failed.id, 202, "OK")
    assert again.attempt_id != failed.attempt_id
    server.shutdown()
    server.server_close()


def test_deliveries_older_than_three_days_are_not_redelivered(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    github.webhooks.unreachable = True
    github.webhook_url = "http://127.0.0.1:9/github/webhook"
    github.open_issue(REPO, "Bug", "It breaks", author="octo")
    old = github.state.deliveries[-1]
    old.delivered_at = datetime.now(UTC) - timedelta(days=3, minutes=1)
    answer = httpx.post(
        f"{github.api_url}/app/hook/deliveries/{old.attempt_id}/attempts",
        headers=_jwt(app_key[0]),
    )
    assert answer.status_code == 422
    assert "3 days" in answer.json()["message"]


def test_the_log_pages_newest_first_through_the_link_cursor_and_needs_the_app_jwt(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    github.webhooks.unreachable = True
    github.webhook_url = "http://127.0.0.1:9/github/webhook"
    for n in range(5):
        github.open_issue(REPO, f"Bug {n}", None, author="octo")
    url = f"{github.api_url}/app/hook/deliveries?per_page=2"
    seen: list[int] = []
    while url:
        page = httpx.get(url, headers=_jwt(app_key[0]))
        assert page.status_code == 200
        assert len(page.json()) <= 2
        seen.extend(d["id"] for d in page.json())
        url = page.links.get("next", {}).get("url", "")
    assert seen == sorted((d.attempt_id for d in github.state.deliveries), reverse=True)
    assert httpx.get(f"{github.api_url}/app/hook/deliveries").status_code == 401
    too_many = httpx.get(
        f"{github.api_url}/app/hook/deliveries?per_page=101", headers=_jwt(app_key[0])
    )
    assert too_many.status_code == 422


def test_an_error_answer_is_logged_with_its_status_code(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    server, _ = _receiver(503)
    github.webhook_url = f"http://127.0.0.1:{server.server_address[1]}/github/webhook"
    github.open_issue(REPO, "Bug", "It breaks", author="octo")
    logged = github.state.deliveries[-1]
    assert (logged.status, logged.status_text) == (503, "Invalid HTTP Response: 503")
    got = httpx.get(
        f"{github.api_url}/app/hook/deliveries/{logged.attempt_id}", headers=_jwt(app_key[0])
    )
    assert got.json()["request"]["payload"]["action"] == "opened"
    server.shutdown()
    server.server_close()
