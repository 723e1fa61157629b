"""The approval message in Block Kit: pure functions from a run's results to blocks.

Slack rejects a whole message when one block breaks a limit, so every piece of text that
comes from a run (plan, file list, diff) is trimmed here, with a note saying so.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel

from app.slack.diffstat import FileStat, parse_diffstat, totals
from app.slack.text import code_block, cut, escape, fit_lines, who

Block = dict[str, Any]

ACTION_APPROVE = "fixer_approve"
ACTION_REQUEST_CHANGES = "fixer_request_changes"
ACTION_REJECT = "fixer_reject"
ACTIONS_BLOCK_ID = "fixer_actions"
STATUS_BLOCK_ID = "fixer_status"
APPROVAL_EVENT = "fixer_approval"

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
BLOCKS_LIMIT = 50
BUTTON_VALUE_LIMIT = 2000
FILES_SHOWN = 25
TITLE_LIMIT = 1000
"""Of an issue title (escaped): GitHub allows 256 characters, 1,280 once escaped."""

ApprovalState = Literal[
    "pending",
    "approved",
    "pr_opened",
    "pushed",
    "changes_requested",
    "rejected",
    "expired",
    "failed",
]


class ApprovalContent(BaseModel):
    """What a round of the run produced; JSON-serialisable so a workflow step can carry it."""

    run_id: str
    round: int = 1
    repo_full_name: str
    issue_number: int
    issue_title: str = ""
    issue_url: str
    plan_summary: str
    diff: str
    tests_passed: bool | None = None
    """``None`` when no test command ran."""
    tests_summary: str = ""
    tests_command: str = ""
    """The test command and where it came from (fixer.yml, or discovered from the files)."""
    cost_usd: float = 0.0
    run_url: str
    warnings: list[str] = []
    """What the approver must know first (a workflow file the App cannot push)."""
    origin_url: str = ""
    """Permalink of the Slack mention that started the run, if one did."""
    pr_url: str = ""
    """For a follow-up round on a pull request: the PR (the diff is what the round adds)."""
    feedback: str = ""
    """For a follow-up round: the feedback it answers, as the coder read it."""


class ApprovalStatus(BaseModel):
    """Where the approval stands; anything but ``pending`` replaces the buttons."""

    state: ApprovalState = "pending"
    actor_id: str = ""
    actor_name: str = ""
    pr_url: str = ""
    feedback: str = ""
    reason: str = ""
    """Why the run failed after the decision (``failed``)."""


def approval_metadata(run_id: str, round: int) -> dict[str, Any]:
    """Slack message metadata that marks the approval message of ``run_id``'s ``round``."""
    return {"event_type": APPROVAL_EVENT, "event_payload": {"run_id": run_id, "round": round}}


def button_value(run_id: str, round: int) -> str:
    value = json.dumps({"run_id": run_id, "round": round}, separators=(",", ":"))
    if len(value) > BUTTON_VALUE_LIMIT:
        raise ValueError(f"run id {run_id!r} is too long for a Slack button value")
    return value


def status_text(status: ApprovalStatus) -> str:
    actor = who(status.actor_id, status.actor_name)
    match status.state:
        case "pending":
            return "⏳ Waiting for a decision"
        case "approved":
            return f"✅ Approved by {actor} — opening the PR…"
        case "pr_opened":
            approved = f"✅ Approved by {actor} · " if actor else ""
            return f"{approved}🎉 PR opened: <{status.pr_url}>"
        case "pushed":
            approved = f"✅ Approved by {actor} · " if actor else ""
            return f"{approved}⬆️ Pushed to the pull request: <{status.pr_url}>"
        case "changes_requested":
            quoted = "\n".join("> " + line for line in escape(status.feedback).splitlines())
            return fit_lines(f"✏️ Changes requested by {actor}:\n{quoted}", SECTION_LIMIT, "…")
        case "rejected":
            return f"🛑 Rejected by {actor}"
        case "expired":
            return "⌛ Expired — no decision was made in time; nothing was pushed."
        case "failed":
            return fit_lines(f"❌ Failed: {escape(status.reason)}", SECTION_LIMIT, "…")


def _header(content: ApprovalContent) -> Block:
    what = "Follow-up ready for review" if content.pr_url else "Fix ready for review"
    text = f"{what}: {content.repo_full_name}#{content.issue_number}"
    if len(text) > HEADER_LIMIT:
        text = text[: HEADER_LIMIT - 1] + "…"
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def _section(text: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def _files_text(stats: list[FileStat]) -> str:
    added, removed = totals(stats)
    lines = [f"*Files changed* ({len(stats)}, +{added} −{removed})"]
    for stat in stats[:FILES_SHOWN]:
        counts = "binary" if stat.binary else f"+{stat.added} −{stat.removed}"
        note = "" if stat.status == "modified" else f" _{stat.status}_"
        lines.append(f"• `{escape(stat.path)}` {counts}{note}")
    if len(stats) > FILES_SHOWN:
        lines.append(f"_…and {len(stats) - FILES_SHOWN} more files (see the diff file)_")
    return fit_lines("\n".join(lines), SECTION_LIMIT, "_…list trimmed (see the diff file)_")


TESTS_TAIL_LIMIT = 1500
"""Of the test output's last lines, what the approval message shows (escaped length)."""


def _tests_text(content: ApprovalContent) -> str:
    if content.tests_passed is None:
        headline = "⚪ *Tests not run*"
    elif content.tests_passed:
        headline = "✅ *Tests passed*"
    else:
        headline = "❌ *TESTS FAILED*\n_Review carefully: the change does not pass its tests._"
    if content.tests_command:
        headline += f"\n_Test command:_ {escape(content.tests_command)}"
    if not content.tests_summary.strip():
        return headline
    # The tail of the output, in a code block: its end says what failed.
    tail = code_block(
        content.tests_summary, TESTS_TAIL_LIMIT, "_…earlier output trimmed_", keep="tail"
    )
    return f"{headline}\n{tail}"


def diff_preview(diff: str) -> str:
    """The diff in a code block, trimmed to fit one section."""
    note = "_…diff trimmed: the full diff is attached in the thread._"
    return code_block(diff.rstrip("\n") or "(empty diff)", SECTION_LIMIT, note)


def approval_blocks(content: ApprovalContent, status: ApprovalStatus | None = None) -> list[Block]:
    """The whole approval message; buttons while pending, the decision after."""
    status = status or ApprovalStatus()
    title = cut(escape(content.issue_title), TITLE_LIMIT) or "(untitled)"
    issue = f"<{content.issue_url}|{content.repo_full_name}#{content.issue_number}> {title}"
    if content.origin_url:
        issue += f" · <{content.origin_url}|asked for in Slack>"
    plan = fit_lines(
        escape(content.plan_summary.strip()) or "(no plan summary)",
        SECTION_LIMIT - 20,
        f"_…plan trimmed: <{content.run_url}|read it on the run page>_",
    )
    blocks: list[Block] = [
        _header(content),
        _section(
            f"*Issue* {issue}\n*Round* {content.round} · *Cost so far* ${content.cost_usd:.2f}"
        ),
        *[_section(fit_lines(escape(w), SECTION_LIMIT, "…")) for w in content.warnings[:3]],
        _section(f"*Plan*\n{plan}" if not content.pr_url else f"*What changed*\n{plan}"),
        *_feedback_sections(content),
        _section(_files_text(parse_diffstat(content.diff))),
        _section(_tests_text(content)),
        _section(diff_preview(content.diff)),
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"<{content.run_url}|Open the run page> · `{content.run_id}`",
                }
            ],
        },
    ]
    if status.state == "pending":
        label = "Approve & push" if content.pr_url else "Approve & open PR"
        blocks.append(action_buttons(content.run_id, content.round, label))
    else:
        blocks.append(_section(status_text(status), STATUS_BLOCK_ID))
    assert len(blocks) <= BLOCKS_LIMIT
    return blocks


def _feedback_sections(content: ApprovalContent) -> list[Block]:
    """A follow-up round's approval shows the feedback it answers (the diff is incremental)."""
    if not content.pr_url:
        return []
    text = fit_lines(escape(content.feedback.strip()) or "(none)", SECTION_LIMIT - 40, "…")
    return [_section(f"*Pull request* <{content.pr_url}>\n*Feedback it answers*\n{text}")]


def action_buttons(run_id: str, round: int, approve_label: str = "Approve & open PR") -> Block:
    value = button_value(run_id, round)
    return {
        "type": "actions",
        "block_id": ACTIONS_BLOCK_ID,
        "elements": [
            {
                "type": "button",
                "action_id": ACTION_APPROVE,
                "style": "primary",
                "value": value,
                "text": {"type": "plain_text", "text": approve_label},
            },
            {
                "type": "button",
                "action_id": ACTION_REQUEST_CHANGES,
                "value": value,
                "text": {"type": "plain_text", "text": "Request changes"},
            },
            {
                "type": "button",
                "action_id": ACTION_REJECT,
                "style": "danger",
                "value": value,
                "text": {"type": "plain_text", "text": "Reject"},
                "confirm": {
                    "title": {"type": "plain_text", "text": "Reject this fix?"},
                    "text": {
                        "type": "mrkdwn",
                        "text": "The run ends and no pull request is opened.",
                    },
                    "confirm": {"type": "plain_text", "text": "Reject"},
                    "deny": {"type": "plain_text", "text": "Keep waiting"},
                    "style": "danger",
                },
            },
        ],
    }


def decided_blocks(blocks: list[Block], status: ApprovalStatus) -> list[Block]:
    """An already-posted approval message with its buttons replaced by ``status``."""
    kept = [b for b in blocks if b.get("block_id") not in (ACTIONS_BLOCK_ID, STATUS_BLOCK_ID)]
    return [*kept, _section(status_text(status), STATUS_BLOCK_ID)]


def approval_fallback_text(content: ApprovalContent, status: ApprovalStatus | None = None) -> str:
    """The notification text (and what clients without Block Kit show)."""
    ref = f"{content.repo_full_name}#{content.issue_number}"
    if status is None or status.state == "pending":
        return f"Fixer has a fix ready for {ref}: approve, request changes or reject."
    return f"Fixer, {ref}: {status_text(status)}"
