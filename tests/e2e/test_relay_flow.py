"""GitHub → webhook relay (smee protocol) → `fixer relay` → `fixer serve`: a whole run, and the
pushed commit is the App's bot user's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from devtools import sample_repo
from devtools.github_repos import git
from devtools.stack import Stack, wait_until
from devtools.webhook_relay import WebhookRelay

RUN = f"{sample_repo.REPO}#1:1"


@pytest.fixture
def relay_server() -> Iterator[WebhookRelay]:
    server = WebhookRelay().start()
    yield server
    server.stop()


def test_issue_through_the_relay_runs_and_the_fix_is_committed_as_the_apps_bot(
    make_stack: Callable[[list[Any]], Stack], relay_server: WebhookRelay
) -> None:
    stack = make_stack(sample_repo.fix_script())
    channel = relay_server.channel_url()
    stack.github.webhook_url = channel  # the App's webhook URL is the relay channel
    stack.spawn("relay", channel, "--to", f"{stack.url}/github/webhook")
    wait_until(lambda: relay_server.listeners(channel) == 1, timeout=60, what="fixer relay")
    stack.start_fixer()

    stack.open_issue()
    # The relay re-serialised every payload; the run starting proves the signature verified.
    wait_until(lambda: stack.approval_messages(), what="the approval message")
    published = [m for _, m in relay_server.state.published]
    assert [m["x-github-event"] for m in published] == ["installation", "issues"]

    assert stack.click("fixer_approve", RUN, 1).status_code == 200
    wait_until(lambda: stack.github.branch_head(sample_repo.REPO, "fixer/issue-1"), what="push")
    out = git(
        stack.github.site, sample_repo.REPO, "log", "-1", "--format=%an|%ae|%cn|%ce",
        "refs/heads/fixer/issue-1",
    )  # fmt: skip
    assert out is not None
    bot_id = stack.github.state.user_id("fixer[bot]")
    assert bot_id != stack.github.site.app.id  # the bot user's id, not the App's
    email = f"{bot_id}+fixer[bot]@users.noreply.github.com"
    assert out.decode().strip() == f"fixer[bot]|{email}|fixer[bot]|{email}"
