"""What a repository asks of the first pull request besides its diff: draft, reviewers, labels.

``draft`` is chosen when the PR is created (:func:`draft_for`). Reviewers and labels are
asked for once it exists, each by a step that looks at the PR first, so a replay after a
crash asks nobody twice and adds no label twice. A refusal (the author asked to review
their own PR, a login without access, a team of another organisation) is a note for the
status comment, never a failed run: the PR is open and the fix is on it.
"""

from __future__ import annotations

from typing import Any

from dbos import DBOS
from githubkit.exception import RequestFailed

from app.github import GitHubApp, Permission
from app.repo_config import RepoConfig
from app.runs.context import current
from app.runs.github_steps import GITHUB_STEP
from app.runs.refusals import NOT_SHOWN
from app.runs.request import RunRequest
from app.runs.step_errors import recordable_errors

PR_WRITE: dict[str, Permission] = {"pull_requests": "write", "metadata": "read"}
"""Review requests and a pull request's labels both need "Pull requests" write
(https://docs.github.com/en/rest/pulls/review-requests#request-reviewers-for-a-pull-request,
https://docs.github.com/en/rest/issues/labels#add-labels-to-an-issue)."""

GITHUB_LOGIN_TRIGGERS = ("opened", "labeled", "comment", "assigned")
"""Triggers whose ``actor`` is a GitHub login (a Slack user id or the CLI's user is not)."""


def draft_for(config: RepoConfig, tests_passed: bool) -> bool:
    """Whether the PR opens as a draft: ``true``, ``false``, or when the coder's tests fail."""
    if config.draft == "when_tests_fail":
        return not tests_passed
    return bool(config.draft)


def reviewers_for(req: RunRequest, config: RepoConfig) -> list[str]:
    """Whoever started the run (when GitHub knows them by login), then the configured ones."""
    wanted = [req.actor] if req.trigger in GITHUB_LOGIN_TRIGGERS and req.actor else []
    seen: set[str] = set()
    found = []
    for name in [*wanted, *config.reviewers]:
        if name.lower() not in seen:
            seen.add(name.lower())
            found.append(name)
    return found


def _refusal(exc: RequestFailed) -> str:
    try:
        return str(exc.response.json().get("message") or exc.response.status_code)
    except ValueError:
        return str(exc.response.status_code)


async def request_reviews(
    github: GitHubApp, installation_id: int, repo: str, number: int, reviewers: list[str]
) -> dict[str, Any]:
    """Ask ``reviewers`` (logins and ``org/team``) to review PR ``number``, once each.

    ``{"requested": [...], "refused": {name: why}}``. Whoever is already asked, or already
    reviewed, is left alone; the PR's author is never asked (GitHub refuses it with a 422).
    """
    owner, name = repo.split("/", 1)
    gh = github.for_repo(installation_id, repo, PR_WRITE)
    base = f"/repos/{owner}/{name}/pulls/{number}"
    pull = (await gh.arequest("GET", base)).json()
    reviews = (await gh.arequest("GET", f"{base}/reviews", params={"per_page": 100})).json()
    author = str(pull["user"]["login"]).lower()
    done = {str(u["login"]).lower() for u in pull.get("requested_reviewers") or []}
    done |= {str(r["user"]["login"]).lower() for r in reviews if r.get("user")}
    teams_done = {str(t["slug"]).lower() for t in pull.get("requested_teams") or []}
    refused: dict[str, str] = {}
    todo: list[tuple[str, str, str]] = []  # (as configured, body key, name GitHub takes)
    for wanted in reviewers:
        if "/" in wanted:
            org, slug = wanted.split("/", 1)
            if org.lower() != owner.lower():
                refused[wanted] = f"only teams of {owner} can review in {repo}"
            elif slug.lower() not in teams_done:
                todo.append((wanted, "team_reviewers", slug))
        elif wanted.lower() != author and wanted.lower() not in done:
            todo.append((wanted, "reviewers", wanted))
    if not todo:
        return {"requested": [], "refused": refused}
    batches = [todo]
    requested: list[str] = []
    while batches:
        batch = batches.pop(0)
        body: dict[str, list[str]] = {}
        for _, key, value in batch:
            body.setdefault(key, []).append(value)
        try:
            await gh.arequest("POST", f"{base}/requested_reviewers", json=body)
        except RequestFailed as exc:
            if exc.response.status_code != 422:
                raise
            # GitHub refuses the whole request for one wrong name: ask each on its own.
            if len(batch) > 1:
                batches.extend([entry] for entry in batch)
            else:
                refused[batch[0][0]] = _refusal(exc)
            continue
        requested.extend(wanted for wanted, _, _ in batch)
    return {"requested": requested, "refused": refused}


async def add_labels(
    github: GitHubApp, installation_id: int, repo: str, number: int, labels: list[str]
) -> list[str]:
    """Add the labels the PR lacks (GitHub creates a label the repository does not have)."""
    owner, name = repo.split("/", 1)
    gh = github.for_repo(installation_id, repo, PR_WRITE)
    pull = (await gh.arequest("GET", f"/repos/{owner}/{name}/pulls/{number}")).json()
    present = {str(label["name"]).lower() for label in pull.get("labels") or []}
    missing = [label for label in dict.fromkeys(labels) if label.lower() not in present]
    if missing:
        path = f"/repos/{owner}/{name}/issues/{number}/labels"
        await gh.arequest("POST", path, json={"labels": missing})
    return missing


@DBOS.step(name="request_reviewers", **GITHUB_STEP)
@recordable_errors
async def request_reviewers_step(
    installation_id: int, repo: str, number: int, reviewers: list[str]
) -> dict[str, Any]:
    return await request_reviews(current().github, installation_id, repo, number, reviewers)


@DBOS.step(name="add_pr_labels", **GITHUB_STEP)
@recordable_errors
async def add_labels_step(
    installation_id: int, repo: str, number: int, labels: list[str]
) -> list[str]:
    return await add_labels(current().github, installation_id, repo, number, labels)


async def apply_pr_options(req: RunRequest, config: RepoConfig, number: int) -> list[str]:
    """Reviewers and labels for the new PR; what could not be done, as notes to show.

    Best effort: the PR is open with the fix on it, so neither a refusal nor GitHub failing
    past the steps' retries may fail the run.
    """
    notes: list[str] = []
    reviewers = reviewers_for(req, config)
    if reviewers:
        try:
            asked = await request_reviewers_step(
                req.installation_id, req.repo_full_name, number, reviewers
            )
        except NOT_SHOWN as exc:
            notes.append(f"Reviews were not requested: {exc}")
        else:
            if asked["refused"]:
                said = "; ".join(f"`{name}`: {why}" for name, why in asked["refused"].items())
                notes.append(f"Review could not be requested from some reviewers ({said}).")
    if config.labels:
        try:
            await add_labels_step(req.installation_id, req.repo_full_name, number, config.labels)
        except NOT_SHOWN as exc:
            notes.append(f"Labels were not added: {exc}")
    return notes
