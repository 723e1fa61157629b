"""Check suites, check runs and their annotations: the REST routes and their JSON shapes.

Every route needs the token's ``checks: read``
(https://docs.github.com/en/rest/checks/runs, https://docs.github.com/en/rest/checks/suites).
A suite is one App's checks on one commit; GitHub Actions' suites belong to the
``github-actions`` App (id 15368), whose check run ids are the workflow jobs' ids.
"""

from __future__ import annotations

from typing import Any

from devtools import github_objects as objects
from devtools.github_auth import ApiError, Call, repo_access
from devtools.github_pr_data import Annotation, CheckRun, CheckSuite
from devtools.github_repos import commit_of, page_of
from devtools.github_state import Site

Reply = tuple[int, Any]
Json = dict[str, Any]

ACTIONS_APP: dict[str, str | int] = {
    "id": 15368,
    "slug": "github-actions",
    "name": "GitHub Actions",
}
"""GitHub's own App behind every Actions check suite (as webhook payloads show it)."""


def app_json(site: Site, slug: str) -> Json:
    if slug == ACTIONS_APP["slug"]:
        app_id, name, owner = int(ACTIONS_APP["id"]), str(ACTIONS_APP["name"]), "github"
    else:
        app_id, name, owner = site.state.user_id(f"app:{slug}"), slug.capitalize(), slug
    return {
        "id": app_id,
        "slug": slug,
        "node_id": objects.node_id("App", app_id),
        "owner": objects.user(site, owner),
        "name": name,
        "description": "",
        "external_url": f"{site.web_url}/apps/{slug}",
        "html_url": f"{site.web_url}/apps/{slug}",
        "created_at": "2018-07-30T09:30:17Z",
        "updated_at": "2019-12-10T19:04:12Z",
        "permissions": {"checks": "write", "metadata": "read"},
        "events": [],
    }


def pulls_for(site: Site, repo: str, sha: str, branch: str | None) -> list[Json]:
    """Open PRs whose head is this commit on this branch: a suite's ``pull_requests``
    (https://docs.github.com/en/webhooks/webhook-events-and-payloads#check_suite)."""
    api, found = f"{site.api_url}/repos/{repo}", []
    for (name, _), pull in sorted(site.state.pulls.items()):
        if name == repo and pull.state == "open" and (pull.head, pull.head_sha) == (branch, sha):
            ref = {"id": site.state.repos[repo].id, "url": api, "name": repo.split("/", 1)[1]}
            found.append(
                {
                    "url": f"{api}/pulls/{pull.number}",
                    "id": pull.id,
                    "number": pull.number,
                    "head": {"ref": pull.head, "sha": pull.head_sha, "repo": ref},
                    "base": {
                        "ref": pull.base,
                        "sha": commit_of(site, repo, f"refs/heads/{pull.base}"),
                        "repo": ref,
                    },
                }
            )
    return found


def suite_json(site: Site, suite: CheckSuite) -> Json:
    api = f"{site.api_url}/repos/{suite.repo}"
    runs = [r for r in site.state.pr.check_runs.values() if r.suite_id == suite.id]
    return {
        "id": suite.id,
        "node_id": objects.node_id("CheckSuite", suite.id),
        "head_branch": suite.head_branch,
        "head_sha": suite.head_sha,
        "status": suite.status,
        "conclusion": suite.conclusion,
        "url": f"{api}/check-suites/{suite.id}",
        "before": None,
        "after": suite.head_sha,
        "pull_requests": pulls_for(site, suite.repo, suite.head_sha, suite.head_branch),
        "app": app_json(site, suite.app_slug),
        "created_at": suite.created_at,
        "updated_at": suite.updated_at,
        "rerequestable": True,
        "runs_rerequestable": True,
        "latest_check_runs_count": len(runs),
        "check_runs_url": f"{api}/check-suites/{suite.id}/check-runs",
        "head_commit": {"id": suite.head_sha},
    }


def run_json(site: Site, run: CheckRun) -> Json:
    api = f"{site.api_url}/repos/{run.repo}"
    suite = site.state.pr.check_suites[run.suite_id]
    flow = _workflow_run_of(site, suite.id)
    html = (
        f"{site.web_url}/{run.repo}/actions/runs/{flow}/job/{run.job_id}"
        if run.job_id is not None
        else f"{site.web_url}/{run.repo}/runs/{run.id}"
    )
    return {
        "id": run.id,
        "node_id": objects.node_id("CheckRun", run.id),
        "head_sha": run.head_sha,
        "external_id": str(run.job_id or ""),
        "url": f"{api}/check-runs/{run.id}",
        "html_url": html,
        "details_url": html,
        "status": "completed",
        "conclusion": run.conclusion,
        "started_at": run.started_at,
        "completed_at": run.completed_at,
        "output": {
            "title": run.title,
            "summary": run.summary,
            "text": run.text,
            "annotations_count": len(run.annotations),
            "annotations_url": f"{api}/check-runs/{run.id}/annotations",
        },
        "name": run.name,
        "check_suite": {"id": suite.id},
        "app": app_json(site, suite.app_slug),
        "pull_requests": pulls_for(site, run.repo, run.head_sha, suite.head_branch),
    }


def _workflow_run_of(site: Site, suite_id: int) -> int:
    return next((w.id for w in site.state.pr.workflow_runs.values() if w.suite_id == suite_id), 0)


def annotation_json(site: Site, repo: str, sha: str, item: Annotation) -> Json:
    return {
        "path": item.path,
        "start_line": item.start_line,
        "end_line": item.end_line,
        "start_column": None,
        "end_column": None,
        "annotation_level": item.annotation_level,
        "title": item.title,
        "message": item.message,
        "raw_details": item.raw_details,
        "blob_href": f"{site.web_url}/{repo}/blob/{sha}/{item.path}",
    }


def _sha_of(call: Call, repo: str) -> str:
    ref = call.args[2]
    sha = commit_of(call.site, repo, ref)
    if sha is None:
        # GitHub answers an unknown ref with 422 "No commit found for SHA: <ref>".
        raise ApiError(422, f"No commit found for SHA: {ref}")
    return sha


def _filtered(call: Call, items: list[Any], name_of: Any) -> list[Any]:
    name = call.query.get("check_name")
    app_id = call.query.get("app_id")
    return [
        item
        for item in items
        if (name is None or name_of(item) == name)
        and (app_id is None or str(app_json(call.site, _slug(call.site, item))["id"]) == app_id)
    ]


def _slug(site: Site, item: CheckRun | CheckSuite) -> str:
    suite = item if isinstance(item, CheckSuite) else site.state.pr.check_suites[item.suite_id]
    return suite.app_slug


# https://docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference
def runs_for_ref(call: Call) -> Reply:
    repo = repo_access(call, "checks", "read")
    sha = _sha_of(call, repo.full_name)
    found = [
        r
        for r in call.site.state.pr.check_runs.values()
        if (r.repo, r.head_sha) == (repo.full_name, sha)
    ]
    found = _filtered(call, sorted(found, key=lambda r: r.id), lambda r: r.name)
    if call.query.get("status") not in (None, "completed"):
        found = []  # every emulated check run has completed
    return 200, {
        "total_count": len(found),
        "check_runs": [run_json(call.site, r) for r in page_of(call, found)],
    }


# https://docs.github.com/en/rest/checks/suites#list-check-suites-for-a-git-reference
def suites_for_ref(call: Call) -> Reply:
    repo = repo_access(call, "checks", "read")
    sha = _sha_of(call, repo.full_name)
    found = [
        s
        for s in call.site.state.pr.check_suites.values()
        if (s.repo, s.head_sha) == (repo.full_name, sha)
    ]
    found = _filtered(call, sorted(found, key=lambda s: s.id), lambda s: None)
    return 200, {
        "total_count": len(found),
        "check_suites": [suite_json(call.site, s) for s in page_of(call, found)],
    }


def _run_of(call: Call) -> CheckRun:
    repo = repo_access(call, "checks", "read")
    run = call.site.state.pr.check_runs.get(int(call.args[2]))
    if run is None or run.repo != repo.full_name:
        raise ApiError(404, "Not Found")
    return run


# https://docs.github.com/en/rest/checks/runs#get-a-check-run
def get_run(call: Call) -> Reply:
    return 200, run_json(call.site, _run_of(call))


# https://docs.github.com/en/rest/checks/runs#list-check-run-annotations
def list_annotations(call: Call) -> Reply:
    run = _run_of(call)
    items = [annotation_json(call.site, run.repo, run.head_sha, a) for a in run.annotations]
    return 200, page_of(call, items)


# https://docs.github.com/en/rest/checks/suites#get-a-check-suite
def get_suite(call: Call) -> Reply:
    repo = repo_access(call, "checks", "read")
    suite = call.site.state.pr.check_suites.get(int(call.args[2]))
    if suite is None or suite.repo != repo.full_name:
        raise ApiError(404, "Not Found")
    return 200, suite_json(call.site, suite)


# https://docs.github.com/en/rest/checks/runs#list-check-runs-in-a-check-suite
def runs_in_suite(call: Call) -> Reply:
    repo = repo_access(call, "checks", "read")
    suite = call.site.state.pr.check_suites.get(int(call.args[2]))
    if suite is None or suite.repo != repo.full_name:
        raise ApiError(404, "Not Found")
    found = sorted(
        (r for r in call.site.state.pr.check_runs.values() if r.suite_id == suite.id),
        key=lambda r: r.id,
    )
    found = _filtered(call, found, lambda r: r.name)
    return 200, {
        "total_count": len(found),
        "check_runs": [run_json(call.site, r) for r in page_of(call, found)],
    }
