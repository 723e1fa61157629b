"""The bare baseline of bench/e2e.py: the same clone, container, model and tool calls with
nothing of the harness around them (no database, no queue, no DBOS, no status comments).

It drives the agents library's planner and coder loops directly over a ``DockerSandbox``
with the same scripted replies, served over HTTP by the same scripted model server and
called through the same ``AnthropicModel``; the checkout is the same mirror fetch over the
emulated GitHub's git server, and it ends, as a run does, with the workspace's patch posted
to Slack. What the full run takes beyond this is the price of durability and the product.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from slack_sdk.web.async_client import AsyncWebClient

from agents.coder import run_coder
from agents.llm import AnthropicModel
from agents.model_providers import AnthropicConfig
from agents.plan import Issue, RepoGuidance
from agents.planner import run_planner
from agents.sandbox.config import DockerSandboxConfig
from agents.sandbox.docker import DockerSandbox
from agents.tools.registry import all_tools, read_only_tools
from app.git_mirror import RepoMirror
from devtools import sample_repo
from devtools.github_api import GitHubEmulation
from devtools.scripted_model import Message, ScriptedModel
from devtools.slack_api import FakeSlack

CHANNEL = "C0APPROVALS"
TOKEN = "ghs_bare_baseline_read"
MODEL = "claude-sonnet-4-6"


def guidance() -> RepoGuidance:
    """What the run's agents are told about the sample repository (its fixer.yml test
    command and AGENTS.md), read from the same files."""
    return RepoGuidance(
        agents_md=sample_repo.FILES["AGENTS.md"], test_command=sample_repo.TEST_COMMAND
    )


async def _agents(sandbox: DockerSandbox, model: AnthropicModel) -> dict[str, Any]:
    issue = Issue(
        repo=sample_repo.REPO,
        number=1,
        title=sample_repo.ISSUE_TITLE,
        body=sample_repo.ISSUE_BODY,
    )
    planned = await run_planner(
        model=model, sandbox=sandbox, tools=read_only_tools(), issue=issue, guidance=guidance()
    )
    started = time.monotonic()
    coded = await run_coder(
        model=model,
        sandbox=sandbox,
        tools=all_tools(),
        issue=issue,
        plan=planned.output,
        guidance=guidance(),
    )
    return {"coder_s": time.monotonic() - started, "tests_passed": coded.output.tests_passed}


def bare_run(tmp: Path, script: list[Message]) -> dict[str, Any]:
    """Seconds from "start" to the approval message, and the phases inside it."""
    github = GitHubEmulation(4242, "unused", "unused", None, tmp / "github")
    github.start()
    github.create_repo(sample_repo.REPO, files=sample_repo.FILES)
    github.git.add_token(TOKEN, sample_repo.REPO, write=False)
    slack = FakeSlack().start()
    scripted = ScriptedModel(script)
    server = scripted.serve().start()
    sandbox = DockerSandbox(f"bare-baseline-{tmp.name}", DockerSandboxConfig())
    try:
        started = time.monotonic()
        clone_url = github.git.clone_url(sample_repo.REPO)
        mirror = RepoMirror(tmp / "mirrors")
        base = mirror.fetch(clone_url, TOKEN)
        checkout = mirror.worktree(clone_url, base, tmp / "worktree")
        cloned = time.monotonic()
        sandbox.ensure()
        sandbox.copy_in(checkout)
        sandbox.prepare([])
        sandbox_up = time.monotonic()
        model = AnthropicModel(
            MODEL, AnthropicConfig(api_key=SecretStr("sk-ant-bare"), base_url=server.base_url)
        )
        agents = asyncio.run(_agents(sandbox, model))
        looped = time.monotonic()
        patch = sandbox.snapshot().patch
        slack_client = AsyncWebClient(token=slack.token, base_url=slack.url)
        asyncio.run(slack_client.chat_postMessage(channel=CHANNEL, text=f"```{patch}```"))
        done = time.monotonic()
        if scripted.remaining:
            raise AssertionError(f"bare loop: {scripted.remaining} scripted replies left unused")
        return {
            "issue_to_approval_s": round(done - started, 2),
            "clone_fetch_ms": round((cloned - started) * 1000),
            "sandbox_start_ms": round((sandbox_up - cloned) * 1000),
            "agent_loops_ms": round((looped - sandbox_up) * 1000),
            "patch_and_post_ms": round((done - looped) * 1000),
            "tests_passed": agents["tests_passed"],
            "model_requests": len(scripted.requests),
        }
    finally:
        sandbox.stop()
        server.stop()
        slack.stop()
        github.stop()
