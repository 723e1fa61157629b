"""The run's GitHub side effects, each a step that looks before it acts."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from dbos import DBOS

from app.db import DATABASE_STEP
from app.errors import RepoConfigError
from app.github import COMMENT
from app.repo_config import CONFIG_PATH, parse_repo_config
from app.runs import store
from app.runs.context import current
from app.runs.request import RunRequest
from app.runs.step_errors import recordable_errors, should_retry
from app.status_comment import upsert_status_comment
from app.timeline import recorder

ACKNOWLEDGEMENT = "eyes"
GUIDANCE_FILES = ("AGENTS.md", "CLAUDE.md")

# Steps that talk to GitHub retry on their own: each one looks before it acts, so a
# retry after a lost response finds what the first attempt did instead of redoing it.
# Twelve attempts over about two minutes: a run must ride out a GitHub hiccup, not end in
# an error with its work done. A refusal that retrying cannot fix (a 4xx other than 408,
# 429 and rate limits; a declined push) is not retried: the workflow fails the run with it.
GITHUB_STEP: dict[str, Any] = {
    "retries_allowed": True,
    "max_attempts": 12,
    "interval_seconds": 0.5,
    "backoff_rate": 1.5,
    "should_retry": should_retry,
}


def run_url(run_id: str) -> str:
    return f"{current().settings.fixer_public_url}/runs/{quote(run_id, safe='')}"


@DBOS.step(name="record_run", **DATABASE_STEP)
async def record_run_step(run_id: str, request: dict[str, Any], attempt: int) -> None:
    store.record_run(
        current().settings.database_url, run_id, RunRequest.model_validate(request), attempt
    )


@DBOS.step(name="set_state", **DATABASE_STEP)
async def set_state_step(run_id: str, fields: dict[str, Any]) -> None:
    store.update_run(current().settings.database_url, run_id, **fields)
    recorder.note_state(run_id, fields)


def label_names(labels: list[Any]) -> list[str]:
    """Label names from an issue's ``labels`` (GitHub lists label objects, or names)."""
    names = (label if isinstance(label, str) else label.get("name") for label in labels)
    return [str(name) for name in names if name]


@DBOS.step(name="load_repo", **GITHUB_STEP)
@recordable_errors
async def load_repo_step(request: dict[str, Any]) -> dict[str, Any]:
    """Repository facts, the issue, ``.github/fixer.yml`` and the agents' guidance files.

    ``{"config": {...}, ...}`` or ``{"error": "<message quoting the bad line>"}``.
    """
    req = RunRequest.model_validate(request)
    github = current().github
    where = (req.installation_id, req.repo_full_name)
    # Independent reads, made at once: a handful of concurrent GETs is well inside GitHub's
    # limit of 100 concurrent requests (secondary rate limits), and each was a round trip
    # on the way to the first model call.
    text, repo, issue, *found = await asyncio.gather(
        github.read_file(*where, CONFIG_PATH),
        github.repository(*where),
        github.issue(*where, req.issue_number),
        *(github.read_file(*where, name) for name in GUIDANCE_FILES),
    )
    try:
        config = parse_repo_config(text).model_dump()
    except RepoConfigError as exc:
        return {"error": str(exc)}
    guidance = [
        f"## {name}\n\n{content}"
        for name, content in zip(GUIDANCE_FILES, found, strict=True)
        if content
    ]
    return {
        "config": config,
        "clone_url": repo["clone_url"],
        "default_branch": repo["default_branch"],
        "issue_title": issue.get("title") or "",
        "issue_body": issue.get("body") or "",
        "issue_url": issue.get("html_url") or "",
        "issue_labels": label_names(issue.get("labels") or []),
        "agents_md": "\n\n".join(guidance),
    }


@DBOS.step(name="actor_permission", **GITHUB_STEP)
@recordable_errors
async def actor_permission_step(request: dict[str, Any]) -> str:
    """The base permission GitHub gives the person who asked (``admin`` … ``none``)."""
    req = RunRequest.model_validate(request)
    return await current().github.permission_of(req.installation_id, req.repo_full_name, req.actor)


@DBOS.step(name="acknowledge", **GITHUB_STEP)
@recordable_errors
async def acknowledge_step(request: dict[str, Any]) -> str | None:
    """👀 on what asked for the run: the ``/fix`` comment, or the issue itself.

    GitHub answers 200 with the existing reaction when the App already reacted with the
    same content, so a retried step adds nothing. Returns the reaction's URL target.
    """
    req = RunRequest.model_validate(request)
    owner, repo = req.repo_full_name.split("/", 1)
    if req.trigger == "comment" and req.comment_id is not None:
        path = f"/repos/{owner}/{repo}/issues/comments/{req.comment_id}/reactions"
    elif req.on_issue:
        path = f"/repos/{owner}/{repo}/issues/{req.issue_number}/reactions"
    else:
        return None  # Slack and the CLI answer where they were asked
    gh = current().github.for_repo(req.installation_id, req.repo_full_name, COMMENT)
    await gh.arequest("POST", path, json={"content": ACKNOWLEDGEMENT})
    return path


@DBOS.step(name="status_comment", **GITHUB_STEP)
@recordable_errors
async def status_comment_step(
    run_id: str, request: dict[str, Any], body: str, recreate: bool = True
) -> dict[str, Any]:
    """Create or edit the run's status comment; ``recreate``: post it again if deleted."""
    req = RunRequest.model_validate(request)
    run = store.get_run(current().settings.database_url, run_id)
    comment = await upsert_status_comment(
        current().github,
        req.installation_id,
        req.repo_full_name,
        req.issue_number,
        run_id,
        body,
        comment_id=run.status_comment_id if run else None,
        recreate=recreate,
        more_url=run_url(run_id),
    )
    if comment["recreated"]:
        recorder.note(
            run_id,
            recorder.step_key("status_comment_recreated"),
            "side_effect",
            title="the status comment was deleted on GitHub; posted it again",
            data={"effect": "status_comment_recreated", "url": comment["html_url"]},
        )
    store.update_run(
        current().settings.database_url,
        run_id,
        status_comment_id=comment["id"],
        status_comment_url=comment["html_url"],
    )
    recorder.note_side_effect(run_id, "status_comment", body, url=comment["html_url"])
    return comment


@DBOS.step(name="post_already_active", **GITHUB_STEP)
@recordable_errors
async def post_already_active_step(
    notice_id: str, active_run_id: str, request: dict[str, Any]
) -> None:
    req = RunRequest.model_validate(request)
    # Marked with the notice's own id, so a retried step edits instead of posting twice.
    await upsert_status_comment(
        current().github,
        req.installation_id,
        req.repo_full_name,
        req.issue_number,
        notice_id,
        f"@{req.actor} a Fixer run is already active on this issue: "
        f"[{active_run_id}]({run_url(active_run_id)}). Nothing new was started.",
    )
