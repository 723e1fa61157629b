"""Running the tool calls of one turn: read-only calls side by side, the rest in order.

A turn's calls are cut into groups at every call that can change /workspace (``mutates``):
a group of read-only calls (read, glob, grep) runs concurrently, a mutating call runs alone,
so a read asked after a write still sees the write. Results keep the order they were asked
in, and step names keep their scheme (``<agent>.tool.<turn>.<index>.<name>``).

Concurrent steps must still be replay-safe: DBOS numbers a step when ``run_step_async`` is
entered (``snapshot_step_context``, before its first ``await``), so the steps of a group are
started as tasks in index order and each reaches that point in creation order (asyncio runs
new tasks first-in, first-out). Events go out in index order once the group is done.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from agents.checkpoint import Checkpoint
from agents.context import cap_output
from agents.errors import CommandTimeout, SandboxLost
from agents.sandbox.protocol import Sandbox
from agents.tools.base import Tool, ToolResult

MutationHook = Callable[[str, "ToolOutcome"], Awaitable[None]]
"""Called with the tool step's name and its outcome after each tool that can change
/workspace (the outcome's ``meta`` may say the workspace's tree after it)."""


class ToolOutcome(BaseModel):
    """A tool's answer as recorded by its checkpoint."""

    content: str
    is_error: bool = False
    meta: dict[str, Any] = {}
    duration_ms: float = 0.0


@dataclass(frozen=True)
class Call:
    """One ``tool_use`` block of the turn and the name of its step."""

    index: int
    block: dict[str, Any]
    step: str

    @property
    def name(self) -> str:
        name: str = self.block["name"]
        return name

    @property
    def args(self) -> dict[str, Any]:
        args: dict[str, Any] = self.block.get("input") or {}
        return args


class ToolRunner:
    """Runs an agent's tools against its sandbox through the checkpoint."""

    def __init__(
        self,
        *,
        sandbox: Sandbox,
        tools: dict[str, Tool],
        checkpoint: Checkpoint,
        output_chars: int,
        after_mutation: MutationHook | None,
    ) -> None:
        self.sandbox, self.tools, self.checkpoint = sandbox, tools, checkpoint
        self.output_chars, self.after_mutation = output_chars, after_mutation

    def mutates(self, call: Call) -> bool:
        tool = self.tools.get(call.name)
        return tool is not None and tool.mutates

    def groups(self, calls: Sequence[Call]) -> list[list[Call]]:
        """Consecutive read-only calls together; each mutating call on its own."""
        groups: list[list[Call]] = []
        for call in calls:
            if self.mutates(call) or not groups or self.mutates(groups[-1][0]):
                groups.append([call])
            else:
                groups[-1].append(call)
        return groups

    async def run_group(self, group: list[Call]) -> list[ToolOutcome]:
        """The outcomes of ``group``, in its order; a lost sandbox raises once all are done."""
        if len(group) == 1:
            call = group[0]
            outcome = await self._step(call)
            if self.after_mutation is not None and self.mutates(call):
                await self.after_mutation(call.step, outcome)
            return [outcome]
        tasks = [asyncio.ensure_future(self._step(call)) for call in group]  # in index order
        done = await asyncio.gather(*tasks, return_exceptions=True)
        for item in done:
            if isinstance(item, BaseException):
                raise item
        return [item for item in done if isinstance(item, ToolOutcome)]

    async def _step(self, call: Call) -> ToolOutcome:
        recorded = await self.checkpoint(call.step, self.run_tool, call.name, call.args)
        return ToolOutcome.model_validate(recorded)

    async def run_tool(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """The checkpointed body of a tool step: JSON data, whatever happened."""
        started = time.perf_counter()
        tool = self.tools.get(name)
        if tool is None:
            result = ToolResult(
                is_error=True,
                content=f"There is no tool named {name!r}; "
                f"available: {', '.join(sorted(self.tools))}.",
            )
        else:
            try:
                result = await asyncio.to_thread(tool.run, self.sandbox, args)
            except CommandTimeout as exc:
                result = ToolResult(content=str(exc), is_error=True)
            except SandboxLost:
                raise  # no tool call can bring the container back: the run rebuilds it
            except Exception as exc:
                result = ToolResult(
                    content=f"{name} failed: {type(exc).__name__}: {exc}", is_error=True
                )
        return ToolOutcome(
            content=cap_output(result.content, self.output_chars),
            is_error=result.is_error,
            meta=result.meta,
            duration_ms=(time.perf_counter() - started) * 1000,
        ).model_dump(mode="json")
