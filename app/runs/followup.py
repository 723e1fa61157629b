"""The durable ``followup_round`` workflow: feedback on a PR Fixer opened → one new commit.

It runs on the follow-up queue, partitioned by PR with one at a time per partition
(counted in the database across workers), so two rounds never run at once on one PR. Its
first step claims every piece of the PR's feedback no round has taken yet: what arrived
while the previous round ran is one batch, and a round that finds nothing ends silently.

The round reuses the issue run's parts: the agent round (``agent_phase``, started at the
PR branch's current head), the Slack approval and its decisions (the round is a row in
``runs``, so a click finds it like any run), and the decision loop (request changes →
another agent round, up to ``max_rounds``).
"""

from __future__ import annotations

from typing import Any

from dbos import DBOS

from app.models import RunState
from app.repo_config import RepoConfig
from app.runs import status_text
from app.runs.artifacts import get_artifact
from app.runs.context import current
from app.runs.feedback import FeedbackEvent, FeedbackItem
from app.runs.feedback_steps import gather_feedback_step
from app.runs.followup_admission import actor_request, admit
from app.runs.followup_approval import approve_round
from app.runs.followup_finish import push_and_reply
from app.runs.followup_journal import RoundJournal
from app.runs.followup_steps import claim_step, lineage_step, pr_head_step, record_round_step
from app.runs.followup_work import coder_feedback, phase_for
from app.runs.github_steps import acknowledge_step, load_repo_step
from app.runs.pr_lineage import set_outcome
from app.runs.refusals import RUN_ENDING, reason_for
from app.runs.workflow import run_round

FEEDBACK_SETTLE_SECONDS = 3.0
"""How long a round waits after its first piece of feedback before taking the batch."""


@DBOS.step(name="followup_outcomes")
async def outcomes_step(outcomes: dict[str, str]) -> None:
    round_id = DBOS.workflow_id
    assert round_id is not None
    for key, outcome in outcomes.items():
        set_outcome(current().settings.database_url, round_id, key, outcome)


@DBOS.workflow(name="followup_round")
async def followup_round(repo_full_name: str, pr_number: int) -> str:
    """One follow-up round on ``repo_full_name#pr_number``; returns its final state."""
    round_id = DBOS.workflow_id
    assert round_id is not None
    # A reviewer often submits twice within seconds (a review, then the point they forgot):
    # the feedback settles before the round takes its batch, so both make one round.
    await DBOS.sleep_async(FEEDBACK_SETTLE_SECONDS)
    claimed = await claim_step(repo_full_name, pr_number)
    if not claimed:
        return "nothing"  # an earlier round took this feedback in its batch
    events = [FeedbackEvent.model_validate(e) for e in claimed]
    lineage = await lineage_step(repo_full_name, pr_number)
    if lineage is None or lineage["state"] != "open":
        await outcomes_step({e.key: "ignored:the pull request is closed" for e in events})
        return "ignored"
    await record_round_step(lineage, claimed)
    journal = RoundJournal(round_id, lineage)
    try:
        return await _round(journal, lineage, events)
    except RUN_ENDING as exc:
        return await journal.stop(RunState.failed, reason_for(exc, round_id))


async def _round(
    journal: RoundJournal, lineage: dict[str, Any], events: list[FeedbackEvent]
) -> str:
    round_id = journal.round_id
    request = actor_request(lineage, events[0]) | {"issue_number": lineage["issue_number"]}
    loaded = await load_repo_step(request)
    if "error" in loaded:
        return await journal.stop(
            RunState.failed, f"`.github/fixer.yml` is invalid: {loaded['error']}"
        )
    config = RepoConfig.model_validate(loaded["config"])
    admission = await admit(lineage, events, config)
    await outcomes_step({key: f"refused:{why}" for key, why in admission.refused.items()})
    if admission.checks_exhausted:
        # Said once on the PR, however often its checks fail after the last attempt.
        text = status_text.checks_exhausted(config.check_fix_attempts)
        await journal.notice("checks-exhausted", text)
    if not admission.admitted:
        # Recorded, not commented: whoever may not start rounds gets no reply to provoke.
        await journal.state(RunState.skipped, error="; ".join(admission.refused.values())[:2000])
        return RunState.skipped
    for event in admission.admitted:
        if event.kind == "comment":
            await acknowledge_step(actor_request(lineage, event))
    items = [
        FeedbackItem.model_validate(await gather_feedback_step(e.model_dump()))
        for e in admission.admitted
    ]
    live = [item for item in items if not item.stale]
    await outcomes_step({i.event.key: "ignored:no longer applies" for i in items if i.stale})
    if not live:
        await journal.state(RunState.skipped, error="the feedback no longer applies")
        return RunState.skipped
    keys = ", ".join(f"`{i.event.key}`" for i in live)
    await journal.state(
        RunState.coding,
        issue_title=f"follow-up on #{lineage['pr_number']}: {loaded['issue_title']}",
    )
    await journal.status(status_text.followup_working(round_id, keys))
    head = await pr_head_step(lineage)
    pr_diff = get_artifact(current().settings.database_url, head["diff_sha"]).decode()
    feedback = coder_feedback(live, pr_diff)
    phase = phase_for(round_id, request, lineage, loaded, config, head["head"], live, feedback)
    while True:
        out = await run_round(phase)
        if not out.ok:
            assert out.failure is not None
            return await journal.stop(RunState.failed, f"{out.failure.kind}: {out.failure.message}")
        decision = await approve_round(journal, phase, out, config, loaded, live)
        if decision.get("state") is not None:
            return str(decision["state"])
        if decision["action"] == "approve":
            return await push_and_reply(journal, out, config, live, decision)
        if phase.round >= config.max_rounds:
            return await journal.stop(
                RunState.failed, f"changes were requested after round {phase.round} (`max_rounds`)"
            )
        await journal.state(RunState.coding, round=phase.round + 1)
        phase = phase.model_copy(
            update={
                "round": phase.round + 1,
                "base_commit": out.base_commit,
                "plan": out.plan,
                "feedback": decision.get("feedback") or "",
                "latest_snapshot": out.snapshot,
                "spent_usd": out.spent_usd,
            }
        )
