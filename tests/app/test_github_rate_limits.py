"""Fixer's GitHub client against GitHub's rate limits: it waits as told, never gives up on
a long wait, never runs two writes of one installation at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from githubkit import Response
from githubkit.exception import PrimaryRateLimitExceeded, RequestFailed, SecondaryRateLimitExceeded

from app.config import load_settings
from app.github import GitHubApp, retry_unless_unsafe
from app.github_throttle import SECONDARY_MIN_WAIT
from app.status_comment import upsert_status_comment
from devtools.github_api import GitHubEmulation
from devtools.github_rate_limits import SECONDARY_MESSAGE, RateLimits

APP_ID = 4242
REPO = "octo/app"


@pytest.fixture
def github(tmp_path: Path, app_key: tuple[str, str]) -> Iterator[GitHubEmulation]:
    with GitHubEmulation(APP_ID, app_key[0], "secret", root=tmp_path / "gh") as emulation:
        emulation.create_repo(REPO, files={"README.md": "hello\n"})
        yield emulation


def fixer_app(github: GitHubEmulation, key: str) -> GitHubApp:
    return GitHubApp(
        load_settings(
            github_app_id=APP_ID,
            github_app_private_key=key,
            github_webhook_secret="secret",
            github_api_url=github.api_url,
        )
    )


def refusal(status: int, headers: dict[str, str], message: str, method: str = "POST") -> Any:
    request = httpx.Request(method, "https://api.github.com/repos/o/r/issues/1/comments")
    raw = httpx.Response(status, headers=headers, json={"message": message}, request=request)
    return Response(raw, Any)


async def test_a_call_past_the_installation_quota_waits_for_the_reset_and_succeeds(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    installation = github.install([REPO])
    github.faults.limits = RateLimits(installation_limit=2, window_s=3)
    fixer = fixer_app(github, app_key[0])
    started = time.monotonic()
    repos = [await fixer.repository(installation, REPO) for _ in range(3)]
    waited = time.monotonic() - started
    assert [r["full_name"] for r in repos] == [REPO] * 3
    assert github.faults.limits.refusals == [("primary", "GET", f"/repos/{REPO}")]
    assert 1.0 <= waited < 10, f"waited {waited:.1f}s for a reset at most 4s away"


async def test_a_token_mint_past_the_app_quota_waits_for_the_reset(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    installation = github.install([REPO])
    github.faults.limits = RateLimits(app_limit=1, window_s=2)
    fixer = fixer_app(github, app_key[0])
    await fixer.repository(installation, REPO)  # mints a metadata token: the App's one call
    issue = github.open_issue(REPO, "Bug", None, author="octo")["number"]
    found = await fixer.issue(installation, REPO, issue)  # another token: over the quota
    assert found["number"] == issue
    assert ("primary", "POST", f"/app/installations/{installation}/access_tokens") in (
        github.faults.limits.refusals
    )


async def test_a_secondary_limit_with_retry_after_is_waited_out_and_the_comment_made_once(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    installation = github.install([REPO])
    issue = github.open_issue(REPO, "Bug", None, author="octo")["number"]
    github.faults.limits = RateLimits(
        content_per_window=1, content_window_s=2, secondary_retry_after=2
    )
    fixer = fixer_app(github, app_key[0])
    started = time.monotonic()
    for run in ("r1", "r2"):
        await upsert_status_comment(fixer, installation, REPO, issue, run, f"status of {run}")
    assert time.monotonic() - started >= 2
    assert sorted(c.body.splitlines()[0] for c in github.state.comments.values()) == [
        "status of r1",
        "status of r2",
    ]
    assert ("secondary", "POST", f"/repos/{REPO}/issues/{issue}/comments") in (
        github.faults.limits.refusals
    )


async def test_writes_of_one_installation_never_overlap(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    installation = github.install([REPO])
    issue = github.open_issue(REPO, "Bug", None, author="octo")["number"]
    github.faults.limits = RateLimits(write_latency_s=0.3)  # GitHub's time to make a comment
    fixer = fixer_app(github, app_key[0])
    await asyncio.gather(
        *(
            upsert_status_comment(fixer, installation, REPO, issue, f"r{n}", f"run {n}")
            for n in range(4)
        )
    )
    assert len(github.state.comments) == 4
    assert github.faults.limits.max_concurrent_writes[f"installation:{installation}"] == 1
    assert github.faults.limits.refusals == []


def test_a_primary_limit_is_waited_out_however_long_and_however_often() -> None:
    hour_away = str(int(time.time()) + 7200)
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": hour_away}
    exc = PrimaryRateLimitExceeded(
        refusal(403, headers, "API rate limit exceeded"), timedelta(hours=2)
    )
    for attempt in range(4):  # githubkit alone gives up after one wait
        do_retry, wait = retry_unless_unsafe(exc, attempt)
        assert do_retry
        assert wait is not None and wait >= timedelta(hours=2)


def test_a_secondary_limit_without_retry_after_waits_at_least_a_minute() -> None:
    failed = RequestFailed(
        refusal(403, {"x-ratelimit-remaining": "4000"}, SECONDARY_MESSAGE.format(id="X"))
    )
    do_retry, wait = retry_unless_unsafe(failed, 0)
    assert do_retry and wait is not None and wait >= SECONDARY_MIN_WAIT
    _, later = retry_unless_unsafe(failed, 2)
    assert later is not None and later > wait  # again and again: longer each time
    with_header = SecondaryRateLimitExceeded(
        refusal(429, {"retry-after": "5"}, SECONDARY_MESSAGE.format(id="X")), timedelta(seconds=5)
    )
    assert retry_unless_unsafe(with_header, 0) == (True, timedelta(seconds=5))


def test_a_post_that_failed_on_the_server_is_still_not_resent() -> None:
    failed = RequestFailed(refusal(502, {}, "Server Error"))
    assert retry_unless_unsafe(failed, 0)[0] is False
