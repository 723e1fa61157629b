"""What the pages show, as plain data: the JSON answer and the templates' input are the same."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from app import github_urls
from app.config import load_settings
from app.models import Run, RunState
from app.runs import store as runs
from app.runs.artifacts import get_artifact
from app.telemetry import trace_id_of
from app.timeline import store as timeline
from app.timeline.models import TimelineEvent

ACTIVE = {state.value for state in RunState if state.active}


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def issue_url(run: Run) -> str:
    if run.status_comment_url:  # the status comment lives on the issue: …/issues/N#issuecomment-…
        return run.status_comment_url.split("#", 1)[0]
    # Before the comment exists: the issue on the GitHub this deployment talks to (GHES too).
    return github_urls.issue_url(_github_api_url(), run.repo_full_name, run.issue_number)


@cache
def _github_api_url() -> str:
    return load_settings().github_api_url


def run_summary(run: Run) -> dict[str, Any]:
    end = _aware(run.finished_at) if run.finished_at else datetime.now(UTC)
    return {
        "id": run.id,
        "repository": run.repo_full_name,
        "issue_number": run.issue_number,
        "issue_title": run.issue_title,
        "issue_url": issue_url(run),
        "state": run.state,
        "live": run.state in ACTIVE,
        "round": run.round,
        "cost_usd": round(run.cost_usd, 4),
        "created_at": _aware(run.created_at).isoformat(),
        "finished_at": _aware(run.finished_at).isoformat() if run.finished_at else None,
        "duration_s": round((end - _aware(run.created_at)).total_seconds(), 1),
        "pr_url": run.pr_url,
        "status_comment_url": run.status_comment_url,
        "error": run.error,
        "trigger": run.trigger,
        "actor": run.actor,
        # A follow-up round on the PR names the feedback it answers (its keys).
        "feedback_keys": run.instructions if run.trigger.startswith("followup") else "",
    }


def list_view(database_url: str, repo: str | None, state: str | None) -> dict[str, Any]:
    found = runs.list_runs(database_url, repo=repo or None, state=state or None, limit=500)
    return {
        "filters": {"repo": repo or "", "state": state or ""},
        "states": [s.value for s in RunState],
        "runs": [run_summary(run) for run in found],
    }


def _event(row: TimelineEvent) -> dict[str, Any]:
    return {
        "id": row.id,
        "key": row.key,
        "at": _aware(row.at).isoformat(),
        "round": row.round,
        "kind": row.kind,
        "agent": row.agent,
        "title": row.title,
        "data": row.data,
        "artifact_sha": row.artifact_sha,
    }


def run_view(database_url: str, run_id: str) -> dict[str, Any] | None:
    run = runs.get_run(database_url, run_id)
    if run is None:
        return None
    rows = timeline.events(database_url, run_id)
    plans = [row for row in rows if row.kind == "plan"]
    diffs = []
    for row in rows:
        if row.kind == "diff" and row.artifact_sha:
            try:
                patch = get_artifact(database_url, row.artifact_sha).decode(errors="replace")
            except LookupError:
                patch = ""
            diffs.append({"round": row.round, "sha256": row.artifact_sha, "patch": patch})
    return {
        "run": run_summary(run),
        "trace_id": trace_id_of(run_id),
        "plan": plans[-1].data if plans else None,
        "timeline": [_event(row) for row in rows],
        "diffs": diffs,
    }
