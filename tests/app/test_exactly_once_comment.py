"""The status comment is posted once, whatever dies in between."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.app.conftest import WEBHOOK_SECRET, deliver, sign
from tests.conftest import load_fixture, wait_for
from tests.github_fake import FakeGitHub, HttpFakeGitHub

REPO = "Codertocat/Hello-World"


def opened() -> dict[str, Any]:
    payload = copy.deepcopy(load_fixture("github_webhooks/issues__opened.payload.json"))
    payload["installation"] = {"id": 1}
    return payload


def test_lost_response_after_github_made_the_comment_leaves_one_comment(
    client: TestClient, github: FakeGitHub
) -> None:
    github.fail_next_comment_response = True
    deliver(client, "issues", opened())
    # The step failed once (502 after the comment existed), retried, found its marker.
    wait_for(lambda: any("On it" in c["body"] for c in github.comments_on(REPO, 1)))
    time.sleep(1.0)
    assert len(github.comments_on(REPO, 1)) == 1


@pytest.fixture
def fake_github_http(
    app_key: tuple[str, str], unused_tcp_port_factory: Any
) -> Iterator[HttpFakeGitHub]:
    with HttpFakeGitHub(FakeGitHub(public_key_pem=app_key[1]), unused_tcp_port_factory()) as server:
        yield server


def start_fixer(tmp_path: Path, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    log = open(tmp_path / f"fixer-{time.monotonic_ns()}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError((tmp_path / log.name).read_text())
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("fixer serve did not come up")


def test_killed_between_comment_created_and_step_recorded_still_one_comment(
    tmp_path: Path, app_key: tuple[str, str], fake_github_http: HttpFakeGitHub, unused_tcp_port: int
) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/fixer.db",
        "GITHUB_APP_ID": "4242",
        "GITHUB_APP_PRIVATE_KEY": app_key[0].replace("\n", "\\n"),
        "GITHUB_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "GITHUB_API_URL": fake_github_http.url,
        "FIXER_PUBLIC_URL": "http://fixer.local",
        "FIXER_EXECUTOR_ID": "crash-test",
    }
    fake = fake_github_http.fake
    fake_github_http.hold_next_comment_response = True
    first = start_fixer(tmp_path, env, unused_tcp_port)
    try:
        body = json.dumps(opened()).encode()
        response = httpx.post(
            f"http://127.0.0.1:{unused_tcp_port}/github/webhook",
            content=body,
            headers={
                "X-GitHub-Event": "issues",
                "X-GitHub-Delivery": str(uuid.uuid4()),
                "X-Hub-Signature-256": sign(body),
            },
        )
        assert response.status_code == 202
        assert fake_github_http.held.wait(20), "the comment was never created"
        assert len(fake.comments_on(REPO, 1)) == 1
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # Same executor id: DBOS recovers the workflow and re-runs the unrecorded step.
    second = start_fixer(tmp_path, env, unused_tcp_port)
    try:
        wait_for(lambda: fake.token_requests and len(fake.token_requests) >= 3)
        time.sleep(2.0)
        comments = fake.comments_on(REPO, 1)
        assert len(comments) == 1
        assert "On it" in comments[0]["body"]
    finally:
        second.terminate()
        second.wait(timeout=20)
