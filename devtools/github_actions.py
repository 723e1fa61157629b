"""GitHub Actions: workflow runs, their jobs, and the jobs' logs behind a redirect.

Every route needs the token's ``actions: read``
(https://docs.github.com/en/rest/actions/workflow-runs,
https://docs.github.com/en/rest/actions/workflow-jobs). A job's log is not served by the API:
``GET /actions/jobs/{id}/logs`` answers ``302`` with a ``Location`` that "expires after 1
minute" (#download-job-logs-for-a-workflow-run); that URL needs no token (it is signed) and
serves the log as plain text. Here it is a loopback URL on the same server.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from devtools import github_objects as objects
from devtools.github_auth import ApiError, Call, repo_access
from devtools.github_checks import pulls_for
from devtools.github_pr_data import Job, LogLink, WorkflowRun
from devtools.github_repos import page_of
from devtools.github_state import Site

Reply = tuple[int, Any] | tuple[int, Any, dict[str, str]]
Json = dict[str, Any]

LOG_LINK_TTL = timedelta(minutes=1)
LOG_PATH = "/_actions-logs/"
"""Where the signed log URLs live on the emulation's web host (not under ``/api/v3``)."""


def workflow_run_json(site: Site, run: WorkflowRun) -> Json:
    api = f"{site.api_url}/repos/{run.repo}"
    repo = objects.repository(site, site.state.repos[run.repo])
    workflow_id = site.state.user_id(f"workflow:{run.repo}:{run.path}")
    return {
        "id": run.id,
        "name": run.name,
        "node_id": objects.node_id("WorkflowRun", run.id),
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": run.path,
        "display_title": run.name,
        "run_number": run.id % 1000,
        "event": run.event,
        "status": "completed",
        "conclusion": run.conclusion,
        "workflow_id": workflow_id,
        "check_suite_id": run.suite_id,
        "check_suite_node_id": objects.node_id("CheckSuite", run.suite_id),
        "url": f"{api}/actions/runs/{run.id}",
        "html_url": f"{site.web_url}/{run.repo}/actions/runs/{run.id}",
        "pull_requests": pulls_for(site, run.repo, run.head_sha, run.head_branch),
        "created_at": run.created_at,
        "updated_at": run.updated_at,
        "run_attempt": run.run_attempt,
        "run_started_at": run.created_at,
        "jobs_url": f"{api}/actions/runs/{run.id}/jobs",
        "logs_url": f"{api}/actions/runs/{run.id}/logs",
        "check_suite_url": f"{api}/check-suites/{run.suite_id}",
        "workflow_url": f"{api}/actions/workflows/{workflow_id}",
        "head_commit": {"id": run.head_sha},
        "repository": repo,
        "head_repository": repo,
    }


def workflow_json(site: Site, run: WorkflowRun) -> Json:
    """The ``workflow`` object a ``workflow_run`` webhook carries beside the run."""
    workflow_id = site.state.user_id(f"workflow:{run.repo}:{run.path}")
    return {
        "id": workflow_id,
        "node_id": objects.node_id("Workflow", workflow_id),
        "name": run.name,
        "path": run.path,
        "state": "active",
        "url": f"{site.api_url}/repos/{run.repo}/actions/workflows/{workflow_id}",
        "html_url": f"{site.web_url}/{run.repo}/blob/HEAD/{run.path}",
    }


def job_json(site: Site, job: Job) -> Json:
    api = f"{site.api_url}/repos/{job.repo}"
    return {
        "id": job.id,
        "run_id": job.run_id,
        "run_url": f"{api}/actions/runs/{job.run_id}",
        "run_attempt": 1,
        "node_id": objects.node_id("CheckRun", job.id),
        "head_sha": job.head_sha,
        "url": f"{api}/actions/jobs/{job.id}",
        "html_url": f"{site.web_url}/{job.repo}/actions/runs/{job.run_id}/job/{job.id}",
        "status": "completed",
        "conclusion": job.conclusion,
        "started_at": job.started_at,
        "completed_at": job.completed_at,
        "name": job.name,
        "steps": [
            {"name": name, "status": "completed", "conclusion": outcome, "number": number}
            for number, (name, outcome) in enumerate(job.steps, start=1)
        ],
        "check_run_url": f"{api}/check-runs/{job.id}",
        "labels": ["ubuntu-latest"],
        "runner_name": "GitHub Actions 2",
        "workflow_name": site.state.pr.workflow_runs[job.run_id].name,
    }


def _workflow_run_of(call: Call) -> WorkflowRun:
    repo = repo_access(call, "actions", "read")
    run = call.site.state.pr.workflow_runs.get(int(call.args[2]))
    if run is None or run.repo != repo.full_name:
        raise ApiError(404, "Not Found")
    return run


# https://docs.github.com/en/rest/actions/workflow-runs#list-workflow-runs-for-a-repository
def list_runs(call: Call) -> Reply:
    repo = repo_access(call, "actions", "read")
    wanted = {k: call.query.get(k) for k in ("head_sha", "branch", "event", "check_suite_id")}
    found = [
        run
        for run in sorted(call.site.state.pr.workflow_runs.values(), key=lambda r: -r.id)
        if run.repo == repo.full_name
        and wanted["head_sha"] in (None, run.head_sha)
        and wanted["branch"] in (None, run.head_branch)
        and wanted["event"] in (None, run.event)
        and wanted["check_suite_id"] in (None, str(run.suite_id))
    ]
    return 200, {
        "total_count": len(found),
        "workflow_runs": [workflow_run_json(call.site, r) for r in page_of(call, found)],
    }


# https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run
def get_run(call: Call) -> Reply:
    return 200, workflow_run_json(call.site, _workflow_run_of(call))


# https://docs.github.com/en/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run
def list_jobs(call: Call) -> Reply:
    run = _workflow_run_of(call)
    if call.query.get("filter", "latest") not in ("latest", "all"):
        raise ApiError(422, "Invalid filter: use latest or all")
    found = sorted(
        (j for j in call.site.state.pr.jobs.values() if j.run_id == run.id), key=lambda j: j.id
    )
    return 200, {
        "total_count": len(found),
        "jobs": [job_json(call.site, j) for j in page_of(call, found)],
    }


def _job_of(call: Call) -> Job:
    repo = repo_access(call, "actions", "read")
    job = call.site.state.pr.jobs.get(int(call.args[2]))
    if job is None or job.repo != repo.full_name:
        raise ApiError(404, "Not Found")
    return job


# https://docs.github.com/en/rest/actions/workflow-jobs#get-a-job-for-a-workflow-run
def get_job(call: Call) -> Reply:
    return 200, job_json(call.site, _job_of(call))


# https://docs.github.com/en/rest/actions/workflow-jobs#download-job-logs-for-a-workflow-run
def job_logs(call: Call) -> Reply:
    job = _job_of(call)
    signature = secrets.token_urlsafe(24)
    call.site.state.pr.log_links[signature] = LogLink(job.id, datetime.now(UTC) + LOG_LINK_TTL)
    return 302, b"", {"Location": f"{call.site.web_url}{LOG_PATH}{signature}"}


def download_log(site: Site, signature: str) -> tuple[int, bytes]:
    """What the signed URL serves: the log as text, or 403 once it has expired."""
    link = site.state.pr.log_links.get(signature)
    if link is None or link.expires_at < datetime.now(UTC):
        # Blob storage refuses an expired or forged signature with 403.
        return 403, b"AuthenticationFailed: Server failed to authenticate the request."
    return 200, site.state.pr.jobs[link.job_id].log.encode()
