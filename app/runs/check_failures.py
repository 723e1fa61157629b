"""Failing checks on a Fixer PR, as the coder should read them: output, annotations, log tails.

From the check suite the webhook named: its check runs with a failing conclusion
(https://docs.github.com/en/rest/checks/runs#list-check-runs-in-a-check-suite), each with its
output and every annotation (#list-check-run-annotations, paginated). A GitHub Actions suite
(app slug ``github-actions``) also has a workflow run whose jobs are those check runs (a job's
``check_run_url`` names its check run); each failing job's log is read and its tail kept.

The log endpoint answers ``302`` to a signed URL that "expires after 1 minute"
(https://docs.github.com/en/rest/actions/workflow-jobs#download-job-logs-for-a-workflow-run).
The App's client is asked not to follow it, and the signed URL is read by a githubkit client
without credentials: the installation token never goes to the log storage host.

Checks of a commit that is no longer the PR's head are ``stale``: a newer push made them moot.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from githubkit import GitHub
from githubkit.exception import RequestFailed

from app.errors import GitHubRefused
from app.runs.feedback import CheckFailure, FeedbackEvent, FeedbackItem, is_failing
from app.runs.github_pages import all_pages

ACTIONS_SLUG = "github-actions"
LOG_TAIL_LINES = 200
LOG_TAIL_BYTES = 20_000
MAX_ANNOTATIONS = 200
"""Per check run: enough for a lint run gone wrong, bounded for the coder's context."""
OUTPUT_LIMIT = 20_000
# Actions prefixes each log line with its time, and keeps the runner's colours.
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?", re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


async def gather_checks(gh: GitHub[Any], event: FeedbackEvent) -> FeedbackItem:
    repo = f"/repos/{event.repo_full_name}"
    try:
        pull = (await gh.arequest("GET", f"{repo}/pulls/{event.pr_number}")).json()
        if pull.get("state") != "open":
            return FeedbackItem(event=event, stale=True, note="the pull request is closed")
        head = str((pull.get("head") or {}).get("sha") or "")
        if event.head_sha and head != event.head_sha:
            return FeedbackItem(
                event=event,
                stale=True,
                note=f"checks ran on {event.head_sha[:7]}, no longer the head ({head[:7]})",
            )
        suite = (await gh.arequest("GET", f"{repo}/check-suites/{event.source_id}")).json()
        runs = await all_pages(
            gh, f"{repo}/check-suites/{event.source_id}/check-runs", key="check_runs"
        )
        failing = [r for r in runs if is_failing(r.get("conclusion"))]
        jobs: dict[int, dict[str, Any]] = {}
        if (suite.get("app") or {}).get("slug") == ACTIONS_SLUG and failing:
            jobs = await _jobs_by_check_run(gh, repo, event)
        checks = [await _failure(gh, repo, run, jobs.get(int(run["id"]))) for run in failing]
    except RequestFailed as exc:
        if exc.response.status_code == 403:
            raise GitHubRefused(
                f"GitHub refused to show the checks of {event.repo_full_name}#"
                f"{event.pr_number} (403): the installation must accept the `checks: read` "
                "and `actions: read` permissions (the App's settings on GitHub)"
            ) from None
        raise
    return FeedbackItem(event=event, checks=checks)


async def _jobs_by_check_run(
    gh: GitHub[Any], repo: str, event: FeedbackEvent
) -> dict[int, dict[str, Any]]:
    """The suite's Actions jobs, by the id of the check run each one is."""
    run_ids = [event.workflow_run_id] if event.workflow_run_id else []
    if not run_ids:
        flows = await all_pages(
            gh,
            f"{repo}/actions/runs",
            key="workflow_runs",
            params={"check_suite_id": str(event.source_id)},
        )
        run_ids = [int(flow["id"]) for flow in flows]
    jobs: dict[int, dict[str, Any]] = {}
    for run_id in run_ids:
        for job in await all_pages(gh, f"{repo}/actions/runs/{run_id}/jobs", key="jobs"):
            check_run = str(job.get("check_run_url") or "").rsplit("/", 1)[-1]
            jobs[int(check_run) if check_run.isdigit() else int(job["id"])] = job
    return jobs


async def _failure(
    gh: GitHub[Any], repo: str, run: dict[str, Any], job: dict[str, Any] | None
) -> CheckFailure:
    output = run.get("output") or {}
    annotations: list[str] = []
    if output.get("annotations_count"):
        found = await all_pages(
            gh, f"{repo}/check-runs/{run['id']}/annotations", limit=MAX_ANNOTATIONS
        )
        annotations = [_annotation(a) for a in found]
    return CheckFailure(
        name=str(run.get("name") or ""),
        conclusion=str(run.get("conclusion") or ""),
        title=str(output.get("title") or ""),
        summary=_cut(str(output.get("summary") or "")),
        text=_cut(str(output.get("text") or "")),
        annotations=annotations,
        log_tail=await _log_tail(gh, repo, int(job["id"])) if job else "",
        details_url=str(run.get("details_url") or run.get("html_url") or ""),
    )


def _annotation(item: dict[str, Any]) -> str:
    message = str(item.get("message") or "").strip()
    title = str(item.get("title") or "").strip()
    if title and title not in message:
        message = f"{title}: {message}"
    return f"{item.get('path')}:{item.get('start_line')}: {item.get('annotation_level')}: {message}"


def _cut(text: str) -> str:
    return text if len(text) <= OUTPUT_LIMIT else text[:OUTPUT_LIMIT] + "\n…(cut)"


async def _log_tail(gh: GitHub[Any], repo: str, job_id: int) -> str:
    """The last lines of a job's log (timestamps and colours removed), or a note why not."""
    pinned = GitHub(gh.auth, config=dataclasses.replace(gh.config, follow_redirects=False))
    answer = await pinned.arequest("GET", f"{repo}/actions/jobs/{job_id}/logs")
    location = answer.headers.get("location")
    if answer.status_code != 302 or not location:
        return f"(the log of job {job_id} was not offered: HTTP {answer.status_code})"
    # No credentials: the signed URL is its own authorisation.
    anonymous: GitHub[Any] = GitHub(config=dataclasses.replace(gh.config, follow_redirects=True))
    try:
        text = (await anonymous.arequest("GET", location)).text
    except RequestFailed as exc:
        if exc.response.status_code >= 500:
            raise
        return f"(the log of job {job_id} could not be read: HTTP {exc.response.status_code})"
    return tail(text)


def tail(log: str) -> str:
    """The end of ``log``: at most :data:`LOG_TAIL_LINES` lines and :data:`LOG_TAIL_BYTES`."""
    clean = ANSI.sub("", TIMESTAMP.sub("", log.replace("\r\n", "\n")))
    lines = clean.rstrip("\n").split("\n")[-LOG_TAIL_LINES:]
    text = "\n".join(lines)
    raw = text.encode()
    if len(raw) > LOG_TAIL_BYTES:
        text = raw[-LOG_TAIL_BYTES:].decode(errors="ignore").split("\n", 1)[-1]
    return text
