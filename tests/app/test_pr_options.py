"""The first PR's options against the GitHub emulation: draft, reviewers and labels, each
asked once however often the step is replayed, and GitHub's refusals kept out of the run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.config import load_settings
from app.db import migrate
from app.github import GitHubApp
from app.repo_config import RepoConfig
from app.runs import context
from app.runs.pr_options import add_labels, draft_for, request_reviews, reviewers_for
from app.runs.pull_request import open_pull_request_step
from app.runs.request import RunRequest
from devtools.github_repos import git
from tests.devtools.conftest import PR_APP_ID, PR_REPO, PullSite, pull_site

__all__ = ["pull_site"]  # the fixture: a PR the App's bot opened on octo/lib
BOT = "fixer[bot]"


@pytest.fixture
def app(pull_site: PullSite, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubApp]:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path}/fixer.db",
        github_app_id=PR_APP_ID,
        github_app_private_key=pull_site.key,
        github_webhook_secret="secret",
        github_api_url=pull_site.github.api_url,
    )
    migrate(settings.database_url)  # the timeline notes the PR in the runs table
    github = GitHubApp(settings)
    context.install(context.ServiceContext(settings=settings, github=github))
    yield github


def posts(site: PullSite, suffix: str) -> int:
    return sum(
        1
        for method, path, _ in site.github.state.requests
        if method == "POST" and path.endswith(suffix)
    )


def request(trigger: str, actor: str) -> RunRequest:
    return RunRequest(
        repo_full_name=PR_REPO, repo_id=1, installation_id=1, issue_number=1,
        trigger=trigger, actor=actor,  # type: ignore[arg-type]
    )  # fmt: skip


def test_draft_follows_the_setting_and_by_default_the_coders_tests() -> None:
    assert draft_for(RepoConfig(), tests_passed=False) is True
    assert draft_for(RepoConfig(), tests_passed=True) is False
    assert draft_for(RepoConfig(draft=True), tests_passed=True) is True
    assert draft_for(RepoConfig(draft=False), tests_passed=False) is False


def test_whoever_started_the_run_on_github_is_asked_first_and_once() -> None:
    config = RepoConfig(reviewers=["Alice", "octo/core", "alice"])
    assert reviewers_for(request("labeled", "alice"), config) == ["alice", "octo/core"]
    assert reviewers_for(request("comment", "dana"), config) == ["dana", "Alice", "octo/core"]
    # A Slack user id, or whoever ran the CLI, is no GitHub login.
    assert reviewers_for(request("slack", "U0APPROVER"), config) == ["Alice", "octo/core"]
    assert reviewers_for(request("cli", "root"), config) == ["Alice", "octo/core"]


async def test_reviewers_are_requested_once_however_often_the_step_runs(
    app: GitHubApp, pull_site: PullSite
) -> None:
    github = pull_site.github
    github.set_permission("alice", "write")
    github.add_team("octo/core", ["carol"], [PR_REPO])
    wanted = ["alice", "octo/core"]
    first = await request_reviews(app, pull_site.installation, PR_REPO, pull_site.number, wanted)
    again = await request_reviews(app, pull_site.installation, PR_REPO, pull_site.number, wanted)
    assert first == {"requested": wanted, "refused": {}}
    assert again == {"requested": [], "refused": {}}
    pull = github.state.pulls[(PR_REPO, pull_site.number)]
    assert (pull.requested_reviewers, pull.requested_teams) == (["alice"], ["core"])
    assert posts(pull_site, "/requested_reviewers") == 1


async def test_the_author_is_skipped_and_refused_reviewers_do_not_stop_the_others(
    app: GitHubApp, pull_site: PullSite
) -> None:
    github = pull_site.github
    github.set_permission("alice", "write")
    github.state.user_id("stranger")  # a GitHub account with no access to octo/lib
    wanted = [BOT, "stranger", "alice", "elsewhere/team"]
    asked = await request_reviews(app, pull_site.installation, PR_REPO, pull_site.number, wanted)
    assert asked["requested"] == ["alice"]
    assert set(asked["refused"]) == {"stranger", "elsewhere/team"}
    assert "not a collaborator" in asked["refused"]["stranger"]
    assert github.state.pulls[(PR_REPO, pull_site.number)].requested_reviewers == ["alice"]


async def test_someone_who_already_reviewed_is_not_asked_again(
    app: GitHubApp, pull_site: PullSite
) -> None:
    github = pull_site.github
    github.set_permission("alice", "write")
    github.submit_review(PR_REPO, pull_site.number, "COMMENT", "Seen it", "alice")
    asked = await request_reviews(app, pull_site.installation, PR_REPO, pull_site.number, ["alice"])
    assert asked == {"requested": [], "refused": {}}
    assert posts(pull_site, "/requested_reviewers") == 0


async def test_labels_are_added_once(app: GitHubApp, pull_site: PullSite) -> None:
    labels = ["fixer", "needs-review"]
    assert (
        await add_labels(app, pull_site.installation, PR_REPO, pull_site.number, labels) == labels
    )
    assert await add_labels(app, pull_site.installation, PR_REPO, pull_site.number, labels) == []
    assert pull_site.github.state.pulls[(PR_REPO, pull_site.number)].labels == labels
    assert posts(pull_site, f"/issues/{pull_site.number}/labels") == 1


async def test_a_draft_the_plan_cannot_have_opens_ready_and_says_so(
    app: GitHubApp, pull_site: PullSite
) -> None:
    github = pull_site.github
    github.close_pull(PR_REPO, pull_site.number, "octo")
    github.state.repos[PR_REPO].drafts_supported = False
    step = open_pull_request_step.__wrapped__.__wrapped__  # type: ignore[attr-defined]
    # Attempt 2's branch: push it where the first attempt's closed PR cannot be found.
    head = github.branch_head(PR_REPO, "fixer/issue-1")
    git(github.site, PR_REPO, "update-ref", "refs/heads/fixer/issue-7-2", str(head))
    opened = await step(
        pull_site.installation, PR_REPO, issue_number=7, title="Fix", body="Fixes #7",
        base="main", attempt=2, draft=True,
    )  # fmt: skip
    assert opened["draft_refused"] is True and opened["draft"] is False
    assert github.state.pulls[(PR_REPO, opened["number"])].draft is False
    github.state.repos[PR_REPO].drafts_supported = True
    again = await step(
        pull_site.installation, PR_REPO, issue_number=7, title="Fix", body="Fixes #7",
        base="main", attempt=2, draft=True,
    )  # fmt: skip
    assert again["number"] == opened["number"]  # found by its head: no second PR
