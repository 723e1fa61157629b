"""The run's Slack side effects, as steps (each posting function finds its earlier message)."""

from __future__ import annotations

from typing import Any

from dbos import DBOS

from app.runs.context import current
from app.runs.step_errors import recordable_errors
from app.slack.client import build_web_client
from app.slack.messages import ApprovalContent, ApprovalStatus
from app.slack.posting import permalink, post_approval, post_progress, update_approval
from app.timeline import recorder

# A posting step makes several Web API calls and any of them can fail; ten attempts over
# about two minutes ride out a Slack hiccup (each attempt finds what the last one posted).
SLACK_STEP: dict[str, Any] = {
    "retries_allowed": True,
    "max_attempts": 10,
    "interval_seconds": 1.0,
    "backoff_rate": 1.5,
}


def slack_enabled() -> bool:
    settings = current().settings
    return settings.slack_enabled and bool(settings.slack_approval_channel)


@DBOS.step(name="slack_approval", **SLACK_STEP)
@recordable_errors
async def post_approval_step(
    content: dict[str, Any], thread_ts: str | None, thread_channel: str | None = None
) -> dict[str, str]:
    """The round's approval message, always a top-level message of the approval channel.

    A run started by a mention (``thread_channel``, ``thread_ts``: the mention's thread, in
    any channel) links back to it, and its thread hears where the approval waits; a
    ``thread_ts`` of another channel is no message of the approval channel, and Slack
    refuses to post a reply under it (``invalid_thread_ts``).
    """
    settings = current().settings
    approvals = settings.slack_approval_channel
    assert approvals is not None
    client = build_web_client(settings)
    approval = ApprovalContent.model_validate(content)
    mention = (thread_channel, thread_ts) if thread_channel and thread_ts else None
    if mention is not None:
        approval.origin_url = await permalink(client, *mention)
    posted = await post_approval(client, approvals, approval)
    if mention is not None:
        link = await permalink(client, posted["channel"], posted["ts"])
        where = f"<{link}|the approval message>" if link else "the approval message"
        await post_progress(
            client,
            mention[0],
            mention[1],
            approval.run_id,
            "awaiting_approval",
            f"round {approval.round} is ready: decide on {where} in <#{approvals}>.",
            round=approval.round,
            formatted=True,
        )
    recorder.note_slack(content["run_id"], "slack_approval", posted, int(content["round"]))
    return posted


@DBOS.step(name="slack_update", **SLACK_STEP)
@recordable_errors
async def update_approval_step(
    channel: str, ts: str, content: dict[str, Any], status: dict[str, Any]
) -> None:
    await update_approval(
        build_web_client(current().settings),
        channel,
        ts,
        ApprovalContent.model_validate(content),
        ApprovalStatus.model_validate(status),
    )
    where = {"channel": channel, "ts": ts, "state": status.get("state", "")}
    recorder.note_slack(content["run_id"], "slack_update", where, int(content["round"]))


@DBOS.step(name="slack_progress", **SLACK_STEP)
@recordable_errors
async def progress_step(
    channel: str, thread_ts: str | None, run_id: str, phase: str, text: str, round: int
) -> None:
    await post_progress(
        build_web_client(current().settings),
        channel,
        thread_ts,
        run_id,
        phase,  # type: ignore[arg-type]
        text,
        round=round,
    )
    where = {"channel": channel, "ts": thread_ts or "", "text": text}
    recorder.note_slack(run_id, "slack_progress", where, round)
