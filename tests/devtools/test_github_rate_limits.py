"""The emulated GitHub enforces rate limits as GitHub does: headers, 403/429, retry-after."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import jwt
import pytest

from devtools.github_api import GitHubEmulation
from devtools.github_rate_limits import RateLimits

APP_ID = 4242
REPO = "octo/app"


@pytest.fixture
def github(tmp_path: Path, app_key: tuple[str, str]) -> Iterator[GitHubEmulation]:
    with GitHubEmulation(APP_ID, app_key[0], "secret", root=tmp_path / "gh") as emulation:
        emulation.create_repo(REPO, files={"README.md": "hello\n"})
        yield emulation


def token_for(github: GitHubEmulation, key: str) -> dict[str, str]:
    installation = github.install([REPO])
    now = int(time.time())
    app_jwt = jwt.encode({"iss": str(APP_ID), "iat": now - 60, "exp": now + 540}, key, "RS256")
    minted = httpx.post(
        f"{github.api_url}/app/installations/{installation}/access_tokens",
        headers={"Authorization": f"Bearer {app_jwt}"},
        json={},
    )
    return {"Authorization": f"token {minted.json()['token']}"}


def test_every_answer_carries_the_rate_limit_headers(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    auth = token_for(github, app_key[0])
    first = httpx.get(f"{github.api_url}/repos/{REPO}", headers=auth)
    second = httpx.get(f"{github.api_url}/repos/{REPO}/issues/99", headers=auth)
    assert second.status_code == 404  # errors are counted and carry the headers too
    for answer, used in ((first, 1), (second, 2)):
        assert answer.headers["x-ratelimit-limit"] == "5000"
        assert answer.headers["x-ratelimit-used"] == str(used)
        assert answer.headers["x-ratelimit-remaining"] == str(5000 - used)
        assert answer.headers["x-ratelimit-resource"] == "core"
        assert int(answer.headers["x-ratelimit-reset"]) > time.time() + 3500


def test_past_the_installation_quota_calls_are_refused_until_the_reset(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    github.faults.limits = RateLimits(installation_limit=2, window_s=2)
    auth = token_for(github, app_key[0])
    url = f"{github.api_url}/repos/{REPO}"
    assert [httpx.get(url, headers=auth).status_code for _ in range(2)] == [200, 200]
    refused = httpx.get(url, headers=auth)
    assert refused.status_code == 403
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert "API rate limit exceeded for installation ID" in refused.json()["message"]
    assert "retry-after" not in refused.headers
    time.sleep(max(int(refused.headers["x-ratelimit-reset"]) - time.time(), 0) + 0.05)
    assert httpx.get(url, headers=auth).status_code == 200
    assert github.faults.limits.refusals == [("primary", "GET", f"/repos/{REPO}")]


def test_too_many_content_creating_calls_hit_the_secondary_limit(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    github.faults.limits = RateLimits(content_per_window=1, secondary_retry_after=3, status=429)
    auth = token_for(github, app_key[0])
    issue = github.open_issue(REPO, "Bug", None, author="octo")["number"]
    url = f"{github.api_url}/repos/{REPO}/issues/{issue}/comments"
    assert httpx.post(url, headers=auth, json={"body": "one"}).status_code == 201
    refused = httpx.post(url, headers=auth, json={"body": "two"})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "3"
    assert refused.json()["message"].startswith("You have exceeded a secondary rate limit")
    assert [c.body for c in github.state.comments.values()] == ["one"]  # refused: not done


def test_a_secondary_limit_may_come_without_retry_after(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    github.faults.limits = RateLimits(content_per_window=1, secondary_retry_after=None)
    auth = token_for(github, app_key[0])
    issue = github.open_issue(REPO, "Bug", None, author="octo")["number"]
    url = f"{github.api_url}/repos/{REPO}/issues/{issue}/comments"
    httpx.post(url, headers=auth, json={"body": "one"})
    refused = httpx.post(url, headers=auth, json={"body": "two"})
    assert refused.status_code == 403
    assert "retry-after" not in refused.headers
    assert refused.headers["x-ratelimit-remaining"] != "0"
    assert "secondary rate limit" in refused.json()["message"]


def test_concurrent_calls_past_the_limit_are_refused(
    github: GitHubEmulation, app_key: tuple[str, str]
) -> None:
    github.faults.limits = RateLimits(max_concurrent=1, write_latency_s=0.5)
    auth = token_for(github, app_key[0])
    issue = github.open_issue(REPO, "Bug", None, author="octo")["number"]
    url = f"{github.api_url}/repos/{REPO}/issues/{issue}/comments"
    with ThreadPoolExecutor(2) as pool:
        codes = sorted(
            pool.map(lambda n: httpx.post(url, headers=auth, json={"body": n}).status_code, "ab")
        )
    assert codes == [201, 403]
    [installation] = github.state.installations
    assert github.faults.limits.max_concurrent_writes[f"installation:{installation}"] == 2
    assert len(github.state.comments) == 1
