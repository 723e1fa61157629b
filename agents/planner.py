"""The planner: investigates an issue with read-only tools (and web search) and submits a
``Plan``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from agents import prompts
from agents.briefing import guidance_section, setup_section
from agents.checkpoint import Checkpoint, run_directly
from agents.llm import Model
from agents.loop import AgentLoop, EventSink, LoopConfig, LoopResult, MutationHook, Submission
from agents.plan import Issue, Plan, RepoGuidance
from agents.sandbox.protocol import Sandbox
from agents.tools.base import Tool

WEB_SEARCH_TYPE = "web_search_20250305"
"""Anthropic's server-side web search (``anthropic.types.WebSearchTool20250305Param``)."""

PLAN_SUBMISSION = Submission(
    tool_name="submit_plan",
    description=(
        "Hand in your plan for fixing the issue. Call it once, when your investigation is "
        "done; it ends your work. Every field is required except risks."
    ),
    result_type=Plan,
)


class PlannerConfig(BaseModel):
    """How the planner runs."""

    loop: LoopConfig = LoopConfig(max_turns=30)
    web_search_max_uses: int = 5
    """Searches allowed per model call; 0 leaves web search out."""


def web_search_tool(max_uses: int) -> dict[str, Any]:
    """The server tool definition; Anthropic runs the search, the sandbox needs no network."""
    return {"type": WEB_SEARCH_TYPE, "name": "web_search", "max_uses": max_uses}


def planner_task(issue: Issue, guidance: RepoGuidance) -> str:
    """The planner's first user message: the run's facts, the issue fenced as data."""
    return prompts.render(
        "planner_task",
        number=str(issue.number),
        repo=issue.repo,
        issue=prompts.untrusted_issue(issue.title, issue.body, issue.extra_instructions),
        guidance=guidance_section(guidance),
        setup=setup_section(guidance),
    )


async def run_planner(
    *,
    model: Model,
    sandbox: Sandbox,
    tools: Sequence[Tool],
    issue: Issue,
    guidance: RepoGuidance,
    config: PlannerConfig | None = None,
    checkpoint: Checkpoint = run_directly,
    on_event: EventSink | None = None,
    after_mutation: MutationHook | None = None,
    spent_usd: float = 0.0,
) -> LoopResult[Plan]:
    """Plan a fix for ``issue``. ``tools`` should be the read-only set (read, glob, grep: the
    planner runs nothing, so its prompt never asks it to). Raises ``AgentGaveUp`` (no valid
    plan) or a ``LimitExceeded``."""
    config = config or PlannerConfig()
    server = [web_search_tool(config.web_search_max_uses)] if config.web_search_max_uses else []
    loop = AgentLoop(
        agent="planner",
        model=model,
        sandbox=sandbox,
        tools=tools,
        system=prompts.load("planner_system"),
        submission=PLAN_SUBMISSION,
        config=config.loop,
        checkpoint=checkpoint,
        on_event=on_event,
        after_mutation=after_mutation,
        server_tools=server,
        spent_usd=spent_usd,
    )
    return await loop.run(planner_task(issue, guidance))
