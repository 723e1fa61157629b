"""Prompt-cache benchmark: a 30-turn scripted coder session over this repository's real files.

The coder runs with its real prompts and request shape (tools, system, cache breakpoints,
context limits) against the scripted model, which reports usage the way the API does with
prompt caching. From the recorded requests: the share of input tokens read from the cache,
and the session's cost with caching against the same requests priced without it.

    .venv/bin/python bench/cache.py        # last line: one JSON object
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import anthropic
import httpx2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agents.coder import run_coder  # noqa: E402
from agents.llm import AnthropicModel  # noqa: E402
from agents.plan import FileChange, Issue, Plan, RepoGuidance  # noqa: E402
from agents.pricing import Usage, cost_usd  # noqa: E402
from agents.sandbox.protocol import CommandResult  # noqa: E402
from agents.tools.base import ToolResult  # noqa: E402
from devtools.scripted_model import ScriptedModel, reply, text, tool_use  # noqa: E402

TURNS = 30
MODEL = "claude-sonnet-4-6"


class HostTreeSandbox:
    """Read-only view of a host directory as /workspace (real file contents)."""

    workdir = "/workspace"

    def __init__(self, root: Path) -> None:
        self.root = root

    def exec(
        self, command: str, *, timeout: float | None = None, cwd: str | None = None
    ) -> CommandResult:
        return CommandResult(exit_code=1, output="exec is not available in the benchmark")

    def read_file(self, path: str) -> bytes:
        return (self.root / Path(path).relative_to(self.workdir)).read_bytes()

    def write_file(self, path: str, data: bytes) -> None:
        raise PermissionError("the benchmark tree is read-only")


class ReadTool:
    name = "read"
    mutates = False

    def schema(self) -> dict[str, Any]:
        return {
            "name": "read",
            "description": "Read a file under /workspace.",
            "input_schema": {
                "type": "object",
                "required": ["path"],
                "properties": {"path": {"type": "string"}},
            },
        }

    def run(self, sandbox: Any, args: dict[str, Any]) -> ToolResult:
        data = sandbox.read_file(args["path"]).decode("utf-8", "replace")
        numbered = "".join(f"{n:>5}\t{line}\n" for n, line in enumerate(data.splitlines(), 1))
        return ToolResult(content=numbered)


def session_script(files: list[str]) -> list[dict[str, Any]]:
    script = [
        reply(text(f"Reading {path} to follow the plan."), tool_use("read", {"path": path}))
        for path in files[: TURNS - 1]
    ]
    script.append(
        reply(
            tool_use(
                "submit_result",
                {
                    "summary": "Read the code paths involved; no change needed for the benchmark.",
                    "commands_run": [],
                    "tests_passed": True,
                    "test_output_tail": "",
                    "open_concerns": [],
                },
            )
        )
    )
    return script


async def main() -> dict[str, Any]:
    files = sorted(
        f"/workspace/{p.relative_to(ROOT)}"
        for d in ("agents", "app", "webhooks", "devtools")
        for p in (ROOT / d).rglob("*.py")
        if p.stat().st_size > 1500
    )
    fake = ScriptedModel(session_script(files))
    client = anthropic.AsyncAnthropic(
        api_key="bench",
        base_url="https://anthropic.bench",
        http_client=httpx2.AsyncClient(transport=fake.transport()),
    )
    issue = Issue(repo="fixer/fixer", number=1, title="Benchmark", body="Read the agent code.")
    plan = Plan(
        summary="Read the code.",
        root_cause="n/a",
        steps=["Read each file"],
        test_plan="none",
        files_to_change=[FileChange(path="agents/loop.py", why="n/a")],
    )
    result = await run_coder(
        model=AnthropicModel(MODEL, client=client),
        sandbox=HostTreeSandbox(ROOT),
        tools=[ReadTool()],
        issue=issue,
        plan=plan,
        guidance=RepoGuidance(test_command="make test"),
    )
    usages = [Usage.from_api(request.usage) for request in fake.requests]
    total = sum((u for u in usages), Usage())
    uncached = sum(
        cost_usd(MODEL, Usage(input_tokens=u.total_input_tokens, output_tokens=u.output_tokens))
        for u in usages
    )
    cached = sum(cost_usd(MODEL, u) for u in usages)
    for n, u in enumerate(usages, start=1):
        if n in (1, 2, 10, 20, TURNS):
            print(
                f"turn {n:>2}: input {u.total_input_tokens:>6}  read {u.cache_read_input_tokens:>6}"
                f"  written {u.cache_creation_input_tokens:>6}  uncached {u.input_tokens:>5}"
            )
    print(
        f"{len(files)} files available, {result.turns} turns, "
        f"{total.total_input_tokens} input tokens in all"
    )
    return {
        "turns": result.turns,
        "cached_input_share": round(total.cache_read_input_tokens / total.total_input_tokens, 4),
        "cost_cached_usd": round(cached, 4),
        "cost_uncached_usd": round(uncached, 4),
        "saving": round(1 - cached / uncached, 4),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
