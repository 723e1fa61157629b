"""A demo-like run written straight to a database: the events the agent loop emits for the
sample repository's fix, the plan, the diff, side effects and a decision."""

from __future__ import annotations

from typing import Any

from agents.pricing import Usage
from agents.transcript import AssistantText, ModelCall, ToolCall, ToolOutput, TranscriptEvent
from app.runs import store as runs
from app.runs.artifacts import put_artifact
from app.runs.request import RunRequest
from app.timeline.agent_events import TimelineSink
from app.timeline.decision_events import note_decision
from app.timeline.recorder import note
from devtools import sample_repo

RUN_ID = f"{sample_repo.REPO}#1:1"
PATCH = (
    "diff --git a/calc/stats.py b/calc/stats.py\n"
    "index 1111111..2222222 100644\n"
    "--- a/calc/stats.py\n"
    "+++ b/calc/stats.py\n"
    "@@ -1,3 +1,3 @@\n"
    " def mean(values):\n"
    '     """Arithmetic mean of a non-empty sequence of numbers."""\n'
    "-    return sum(values) / (len(values) - 1)\n"
    "+    return sum(values) / len(values)\n"
)
TOOLS: list[tuple[str, str, dict[str, Any], str, dict[str, Any]]] = [
    (
        "planner",
        "Let me find mean().",
        {"pattern": "def mean"},
        "calc/stats.py:1:def mean(values):",
        {},
    ),
    ("planner", "", {"path": "calc/stats.py"}, "1\tdef mean(values):", {}),
    (
        "coder",
        "Fixing the denominator.",
        {"path": "calc/stats.py", "old": "(len(values) - 1)", "new": "len(values)"},
        "edited calc/stats.py: replaced 1 occurrence at line 3",
        {},
    ),
    (
        "coder",
        "",
        {"command": sample_repo.TEST_COMMAND},
        "Ran 2 tests\n\nOK\n[exit code 0]",
        {"exit_code": 0},
    ),
]
TOOL_NAMES = ["grep", "read", "edit", "shell"]


def agent_events() -> list[TranscriptEvent]:
    """What the loop emits for the sample fix (turn numbers restart per agent)."""
    events: list[TranscriptEvent] = []
    turns = {"planner": 0, "coder": 0}
    for (agent, said, args, output, meta), name in zip(TOOLS, TOOL_NAMES, strict=True):
        turns[agent] += 1
        turn = turns[agent]
        usage = Usage(input_tokens=1200, cache_read_input_tokens=3000, output_tokens=80)
        events.append(
            ModelCall(
                agent=agent,
                turn=turn,
                model="claude-sonnet-4-6",
                stop_reason="tool_use",
                usage=usage,
                cost_usd=0.0031,
                duration_ms=850.0,
            )
        )
        if said:
            events.append(AssistantText(agent=agent, turn=turn, text=said))
        events.append(
            ToolCall(
                agent=agent, turn=turn, index=1, tool_use_id=f"tu-{name}", name=name, input=args
            )
        )
        events.append(
            ToolOutput(
                agent=agent,
                turn=turn,
                index=1,
                tool_use_id=f"tu-{name}",
                name=name,
                content=output,
                is_error=False,
                duration_ms=42.0,
                meta=meta,
            )
        )
    return events


def seed_run(database_url: str, *, finished: bool = True) -> None:
    request = RunRequest(
        repo_full_name=sample_repo.REPO,
        repo_id=1,
        installation_id=7,
        issue_number=1,
        issue_title=sample_repo.ISSUE_TITLE,
        trigger="opened",
        actor=sample_repo.AUTHOR,
    )
    runs.record_run(database_url, RUN_ID, request, 1)
    runs.update_run(
        database_url,
        RUN_ID,
        state="awaiting_approval",
        cost_usd=0.0124,
        status_comment_url="http://gh.local/acme/calc/issues/1#issuecomment-9",
    )
    for n, state in enumerate(["planning", "coding", "awaiting_approval"]):
        note(
            RUN_ID,
            f"state:{n}",
            "state",
            title=state,
            data={"state": state},
            database_url=database_url,
        )
    sink = TimelineSink(RUN_ID, 1, database_url)
    for event in agent_events():
        sink(event)
    note(RUN_ID, "round1.plan", "plan", round=1, data=sample_repo.PLAN, database_url=database_url)
    sha = put_artifact(database_url, "patch", PATCH.encode())
    note(
        RUN_ID,
        "round1.diff",
        "diff",
        round=1,
        data={"files_changed": 1},
        artifact_sha=sha,
        database_url=database_url,
    )
    note(
        RUN_ID,
        "slack:1",
        "side_effect",
        title="Fix ready for review",
        round=1,
        data={"effect": "slack_approval", "url": "https://slack.com/archives/C1/p1"},
        database_url=database_url,
    )
    if finished:
        note_decision(database_url, RUN_ID, 1, "approve", "Ada", "", "slack")
        runs.update_run(
            database_url, RUN_ID, state="pr_opened", pr_url="http://gh.local/acme/calc/pull/2"
        )
        note(
            RUN_ID,
            "pr:1",
            "side_effect",
            title="pull request for #1",
            round=1,
            data={"effect": "pull_request", "url": "http://gh.local/acme/calc/pull/2"},
            database_url=database_url,
        )
