"""The durable ``fix_issue`` workflow (DESIGN §1, §4).

Each side effect is a step, and each step is safe to run twice: DBOS records a step's
result once it returns, and a process killed before that re-runs the step on recovery.
"""

from __future__ import annotations

from typing import Any

from dbos import DBOS

from app.errors import RepoConfigError
from app.models import RunState
from app.repo_config import CONFIG_PATH, parse_repo_config
from app.runs import store
from app.runs.context import current
from app.runs.request import RunRequest
from app.status_comment import upsert_status_comment

WRITE_ROLES = frozenset({"admin", "maintain", "write"})

# Steps that talk to GitHub retry on their own: each one looks before it acts, so a
# retry after a lost response finds what the first attempt did instead of redoing it.
GITHUB_STEP: dict[str, Any] = {
    "retries_allowed": True,
    "max_attempts": 6,
    "interval_seconds": 0.5,
    "backoff_rate": 2.0,
}


def run_url(run_id: str) -> str:
    from urllib.parse import quote

    return f"{current().settings.fixer_public_url}/runs/{quote(run_id, safe='')}"


@DBOS.step(name="record_run")
async def record_run_step(run_id: str, request: dict[str, Any], attempt: int) -> None:
    store.record_run(
        current().settings.database_url, run_id, RunRequest.model_validate(request), attempt
    )


@DBOS.step(name="set_state")
async def set_state_step(run_id: str, fields: dict[str, Any]) -> None:
    store.update_run(current().settings.database_url, run_id, **fields)


@DBOS.step(name="load_repo_config", **GITHUB_STEP)
async def load_repo_config_step(request: dict[str, Any]) -> dict[str, Any]:
    """``{"config": {...}}`` or ``{"error": "<message quoting the bad line>"}``."""
    req = RunRequest.model_validate(request)
    text = await current().github.read_file(req.installation_id, req.repo_full_name, CONFIG_PATH)
    try:
        return {"config": parse_repo_config(text).model_dump()}
    except RepoConfigError as exc:
        return {"error": str(exc)}


@DBOS.step(name="labeller_can_write", **GITHUB_STEP)
async def labeller_can_write_step(request: dict[str, Any]) -> bool:
    req = RunRequest.model_validate(request)
    role = await current().github.permission_of(req.installation_id, req.repo_full_name, req.actor)
    return role in WRITE_ROLES


@DBOS.step(name="status_comment", **GITHUB_STEP)
async def status_comment_step(run_id: str, request: dict[str, Any], body: str) -> dict[str, Any]:
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
    )
    store.update_run(
        current().settings.database_url,
        run_id,
        status_comment_id=comment["id"],
        status_comment_url=comment["html_url"],
    )
    return comment


@DBOS.workflow(name="fix_issue")
async def fix_issue(run_id: str, request: dict[str, Any], attempt: int) -> str:
    """Fix one issue; returns the run's final state."""
    req = RunRequest.model_validate(request)
    await record_run_step(run_id, request, attempt)
    loaded = await load_repo_config_step(request)
    if "error" in loaded:
        await status_comment_step(
            run_id,
            request,
            f"⚠️ Fixer cannot start: `{CONFIG_PATH}` is invalid.\n\n```\n{loaded['error']}\n```\n"
            "Fix the file on the default branch and comment `/fix` to try again.",
        )
        await set_state_step(run_id, {"state": RunState.failed, "error": loaded["error"]})
        return RunState.failed
    config = parse_repo_config(None).model_validate(loaded["config"])
    if not config.accepts(req.trigger, req.label):
        await set_state_step(
            run_id, {"state": RunState.skipped, "error": f"trigger {req.trigger} not enabled"}
        )
        return RunState.skipped
    if req.trigger == "labeled" and not await labeller_can_write_step(request):
        await set_state_step(
            run_id, {"state": RunState.skipped, "error": f"{req.actor} has no write access"}
        )
        return RunState.skipped
    await status_comment_step(
        run_id,
        request,
        f"👋 On it — Fixer is working on this issue. [Follow the run]({run_url(run_id)})",
    )
    return RunState.queued


@DBOS.step(name="post_already_active", **GITHUB_STEP)
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


@DBOS.workflow(name="notify_already_active")
async def notify_already_active(active_run_id: str, request: dict[str, Any]) -> None:
    """Tell the issue that a trigger arrived while a run is active; start nothing."""
    notice_id = DBOS.workflow_id
    assert notice_id is not None
    await post_already_active_step(notice_id, active_run_id, request)
