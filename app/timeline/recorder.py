"""What the run writes to its timeline, and the span and metrics each new row produces.

Rows are written inside the steps that cause them (a retried step finds its row) and from
the agent loop's ``on_event`` (which also fires on replay: the event's place in the loop is
its key). Only a row that is new emits a span and moves a counter.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from app.runs.context import current
from app.telemetry import RUN_SPAN, emit_span
from app.timeline import metrics, store

GENAI_SYSTEM = "anthropic"
ACTIVE = frozenset({"queued", "planning", "coding", "awaiting_approval", "opening_pr"})


def step_key(prefix: str) -> str:
    """A key naming the DBOS step that is running: the same on every retry of that step."""
    from dbos import DBOS

    return f"{prefix}:{DBOS.workflow_id}:{DBOS.step_id}"


def note(
    run_id: str,
    key: str,
    kind: str,
    *,
    title: str = "",
    round: int | None = None,
    agent: str = "",
    data: dict[str, Any] | None = None,
    artifact_sha: str | None = None,
    database_url: str | None = None,
) -> bool:
    """Record a run-level event (state, side effect, plan, diff, decision); True when new.

    ``round`` defaults to the run's current round."""
    from app.runs import store as runs

    url = database_url or current().settings.database_url
    if round is None:
        run = runs.get_run(url, run_id)
        round = run.round if run is not None else 1
    new = store.record(
        url,
        run_id,
        key,
        kind,
        round=round,
        agent=agent,
        title=title,
        data=data,
        artifact_sha=artifact_sha,
    )
    if new and kind == "side_effect":
        metrics.SIDE_EFFECTS.labels(kind=(data or {}).get("effect", "other")).inc()
        now = time.time_ns()
        emit_span(
            run_id,
            key,
            f"side_effect {(data or {}).get('effect', '')}",
            parent_key=RUN_SPAN,
            start_ns=now,
            end_ns=now,
            attributes={"fixer.run_id": run_id, "fixer.round": round, "url.full": _url(data)},
        )
    return new


def _url(data: dict[str, Any] | None) -> str | None:
    return (data or {}).get("url") or None


def note_state(run_id: str, fields: dict[str, Any], *, database_url: str | None = None) -> None:
    """Inside ``set_state_step``: a state change (other field updates are not shown)."""
    state = fields.get("state")
    if state is None:
        return
    round = int(fields.get("round") or 0)
    new = note(
        run_id,
        step_key("state"),
        "state",
        title=str(state),
        round=round or None,
        data={"state": str(state), "round": round or None, "error": fields.get("error")},
        database_url=database_url,
    )
    if new and str(state) not in ACTIVE:
        _emit_run_span(run_id, str(state), database_url or current().settings.database_url)


def _emit_run_span(run_id: str, state: str, database_url: str) -> None:
    from app.runs import store as runs

    run = runs.get_run(database_url, run_id)
    if run is None:
        return
    emit_span(
        run_id,
        RUN_SPAN,
        "run fix_issue",
        parent_key=None,
        start_ns=_ns(run.created_at),
        end_ns=time.time_ns(),
        attributes={
            "fixer.run_id": run_id,
            "fixer.repository": run.repo_full_name,
            "fixer.issue": run.issue_number,
            "fixer.state": state,
            "fixer.cost_usd": run.cost_usd,
        },
        error=state == "failed",
    )


def _ns(at: datetime) -> int:
    return int(at.timestamp() * 1e9)


def current_run_id() -> str:
    """The run whose workflow (or forked workflow, after ``fixer runs retry``) is running."""
    from dbos import DBOS
    from sqlmodel import select

    from app.db import session_scope
    from app.models import Run

    workflow_id = (DBOS.workflow_id or "").split("/round-")[0]
    with session_scope(current().settings.database_url) as session:
        if session.get(Run, workflow_id) is not None:
            return workflow_id
        forked = session.exec(select(Run).where(Run.workflow_id == workflow_id)).first()
        return forked.id if forked is not None else workflow_id


def note_side_effect(run_id: str, effect: str, text: str, *, url: str | None = None) -> None:
    title = text.strip().splitlines()[0] if text.strip() else effect
    note(
        run_id,
        step_key(effect),
        "side_effect",
        title=title,
        data={"effect": effect, "url": url, "text": text[:2000]},
    )


def slack_link(channel: str, ts: str) -> str:
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


def note_slack(run_id: str, effect: str, where: dict[str, Any], round: int) -> None:
    channel, ts = str(where.get("channel", "")), str(where.get("ts") or "")
    note(
        run_id,
        step_key(effect),
        "side_effect",
        title=str(where.get("text") or where.get("state") or f"Slack message in {channel}"),
        round=round,
        data={"effect": effect, "channel": channel, "ts": ts, "url": slack_link(channel, ts)},
    )


def note_push(repo_full_name: str, issue_number: int, branch: str) -> None:
    note(
        current_run_id(),
        step_key("push"),
        "side_effect",
        title=f"pushed {branch}",
        data={"effect": "push", "branch": branch, "repository": repo_full_name},
    )


def note_pull(repo_full_name: str, issue_number: int, url: str) -> None:
    note(
        current_run_id(),
        step_key("pull_request"),
        "side_effect",
        title=f"pull request for #{issue_number}",
        data={"effect": "pull_request", "url": url, "repository": repo_full_name},
    )


def note_plan(run_id: str, round: int, plan: dict[str, Any]) -> None:
    """After the planner: replay passes here again, and the key makes it a no-op."""
    note(run_id, f"round{round}.plan", "plan", title="plan ready", round=round, data=plan)


def note_diff(run_id: str, round: int, snapshot: dict[str, Any]) -> None:
    note(
        run_id,
        f"round{round}.diff",
        "diff",
        title=f"diff of round {round}",
        round=round,
        data={"files_changed": snapshot.get("files_changed")},
        artifact_sha=snapshot["sha256"],
    )
