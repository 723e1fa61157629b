"""`fixer serve` started as the README says: in a directory holding only `.env`, with a shell's
environment and every default left alone, an issue goes to approval and a pull request."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
from dotenv import dotenv_values

from devtools import sample_repo
from devtools.stack import CHANNEL, SHELL_VARIABLES, Stack, wait_until

RUN = f"{sample_repo.REPO}#1:1"
CREDENTIALS_AND_ADDRESSES = {
    "GITHUB_APP_ID",
    "GITHUB_APP_PRIVATE_KEY",
    "GITHUB_WEBHOOK_SECRET",
    "GITHUB_API_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APPROVAL_CHANNEL",
    "SLACK_API_URL",
    "FIXER_APPROVERS",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
}


def test_relative_defaults_from_env_file_alone_take_an_issue_to_a_pull_request(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack(sample_repo.fix_script())
    assert list(stack.workdir.iterdir()) == []
    stack.start_fixer()

    # What the service was given: a .env of credentials and addresses, a shell's environment.
    assert set(dotenv_values(stack.workdir / ".env")) == CREDENTIALS_AND_ADDRESSES
    assert set(stack.shell_env) <= {*SHELL_VARIABLES, "HOME"}

    number = stack.open_issue()
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    assert stack.click("fixer_approve", RUN, 1).status_code == 200
    wait_until(lambda: stack.github.state.pulls, what="the pull request")
    [pull] = stack.github.state.pulls.values()
    assert pull.head == "fixer/issue-1" and f"Fixes #{number}" in (pull.body or "")

    # The relative defaults landed under the start directory, and nowhere else.
    start_dir = stack.workdir
    assert (start_dir / "fixer.db").is_file()
    assert (start_dir / ".fixer-cache" / "mirrors" / f"{sample_repo.REPO}.git" / "HEAD").is_file()
    assert not (stack.tmp / "fixer.db").exists() and not (stack.tmp / ".fixer-cache").exists()

    # Links point at the port actually served (`--port`), and that page answers.
    link = f"http://localhost:{stack.port}/runs/{quote(RUN, safe='')}"
    [status] = [c for c in stack.github.state.comments.values() if c.issue == number]
    assert link in status.body
    assert link in str(stack.slack.state.messages[CHANNEL])
    assert httpx.get(link, timeout=10).status_code == 200

    # The executor id is the host name and the port: the same again after a restart.
    with sqlite3.connect(start_dir / "fixer.db") as db:
        [(executor,)] = db.execute(
            "SELECT DISTINCT executor_id FROM workflow_status WHERE workflow_uuid = ?", (RUN,)
        ).fetchall()
    assert executor == f"{socket.gethostname()}:{stack.port}"
