"""The tool-use loop: ask the model, run the tools it asks for, answer, repeat until it submits.

Every model call and every tool call goes through the injected ``checkpoint`` under a
deterministic name (``planner.llm.3``, ``planner.tool.3.1.grep``), and returns JSON data, so
a replayed run gets recorded results instead of paying for the call again. Limits (turns,
USD budget, wall clock) end the loop by raising; so does ending without a valid submission.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from agents.checkpoint import Checkpoint, run_directly
from agents.context import (
    ContextConfig,
    ContextMeter,
    cap_output,
    elide_old_results,
    estimate_tokens,
    limit_for,
)
from agents.errors import (
    AgentGaveUp,
    BudgetExceeded,
    CommandTimeout,
    LimitExceeded,
    ModelRefused,
    SandboxError,
    TurnLimitExceeded,
    WallClockExceeded,
)
from agents.llm import Model, ModelReply, ModelRequest
from agents.model_catalog import catalog
from agents.pricing import Usage, worst_case_cost_usd
from agents.sandbox.protocol import Sandbox
from agents.tools.base import Tool, ToolResult
from agents.transcript import (
    Notice,
    ToolCall,
    ToolOutput,
    TranscriptEvent,
    reply_events,
    trim_for_display,
)

R = TypeVar("R", bound=BaseModel)
EventSink = Callable[[TranscriptEvent], Awaitable[None] | None]
MutationHook = Callable[[str], Awaitable[None]]
"""Called with the tool step's name after each tool that can change /workspace."""

CUT_OFF = frozenset({"max_tokens", "model_context_window_exceeded"})
"""Stop reasons that end a reply mid-way: its last tool call may be incomplete.
https://docs.claude.com/en/docs/build-with-claude/handling-stop-reasons"""


def _cut_off_text(reply: ModelReply) -> dict[str, Any]:
    why = (
        "the context window is full"
        if reply.stop_reason == "model_context_window_exceeded"
        else "it reached max_tokens"
    )
    return {
        "type": "text",
        "text": f"Your reply was cut off ({why}). Continue, more briefly, and call a tool.",
    }


class LoopConfig(BaseModel):
    """Limits of one agent run."""

    max_turns: int = 40
    """Model calls allowed."""
    budget_usd: float = 5.0
    """Cap on the run's spend, counting what earlier agents spent (``spent_usd``)."""
    wall_clock_s: float = 1800.0
    max_tokens: int = 8192
    """Output cap per model call for the visible reply (also the output side of the budget's
    worst case)."""
    thinking_budget: int = 0
    """Extended-thinking tokens per call (at least 1024); 0 = off. Added to ``max_tokens``
    (the API wants ``budget_tokens < max_tokens``), within the model's output cap; thinking
    tokens are billed as output, so the budget's worst case counts them."""
    context: ContextConfig = ContextConfig()

    def output_caps(self, model: str) -> tuple[int, int]:
        """(``max_tokens``, thinking budget) of each request to ``model``."""
        if self.thinking_budget <= 0:
            return self.max_tokens, 0
        total = self.max_tokens + self.thinking_budget
        facts = catalog().find(model)
        if facts is not None and total > facts.max_output:
            return facts.max_output, max(facts.max_output - self.max_tokens, 1024)
        return total, self.thinking_budget


@dataclass(frozen=True)
class Submission(Generic[R]):
    """The tool that ends the loop; its input must validate as ``result_type``."""

    tool_name: str
    description: str
    result_type: type[R]

    def schema(self) -> dict[str, Any]:
        schema = self.result_type.model_json_schema()
        schema.pop("title", None)
        return {"name": self.tool_name, "description": self.description, "input_schema": schema}


class ToolOutcome(BaseModel):
    """A tool's answer as recorded by its checkpoint."""

    content: str
    is_error: bool = False
    meta: dict[str, Any] = {}
    duration_ms: float = 0.0


class LoopResult(BaseModel, Generic[R]):
    """A finished agent run: the validated submission and what it took."""

    output: R
    transcript: list[TranscriptEvent]
    turns: int
    usage: Usage
    cost_usd: float


class AgentLoop(Generic[R]):
    """One agent's conversation. ``run`` it once."""

    def __init__(
        self,
        *,
        agent: str,
        model: Model,
        sandbox: Sandbox,
        tools: Sequence[Tool],
        system: str,
        submission: Submission[R],
        config: LoopConfig | None = None,
        checkpoint: Checkpoint = run_directly,
        on_event: EventSink | None = None,
        after_mutation: MutationHook | None = None,
        server_tools: Sequence[dict[str, Any]] = (),
        spent_usd: float = 0.0,
    ) -> None:
        self.agent, self.model, self.sandbox, self.submission = agent, model, sandbox, submission
        self.config = config or LoopConfig()
        self.checkpoint, self.on_event, self.after_mutation = checkpoint, on_event, after_mutation
        self.tools = {tool.name: tool for tool in tools}
        # Sorted, then fixed: the tool list is the start of the cached prefix.
        ordered = sorted(tools, key=lambda tool: tool.name)
        self.tool_schemas = [t.schema() for t in ordered] + [*server_tools, submission.schema()]
        self.system = [{"type": "text", "text": system}]
        self.messages: list[dict[str, Any]] = []
        self.transcript: list[TranscriptEvent] = []
        self.spent_before, self.cost, self.usage = spent_usd, 0.0, Usage()
        self.turn, self.rejected, self.started = 0, 0, time.monotonic()
        self.meter = ContextMeter()
        self.max_tokens, self.thinking = self.config.output_caps(model.name)
        self.context_limit = limit_for(model.name, self.max_tokens, self.config.context)

    async def run(self, first_message: str) -> LoopResult[R]:
        self.messages.append({"role": "user", "content": [{"type": "text", "text": first_message}]})
        paused = False
        while True:
            self.turn += 1
            reply = await self._ask_model()
            # Empty text blocks are refused in requests; every other block goes back as-is
            # (thinking signatures, server tool blocks).
            content = [b for b in reply.content if b.get("type") != "text" or b.get("text")]
            if paused:
                # The reply continues the paused assistant turn: one assistant message, so
                # the server tool's result follows its call and roles keep alternating.
                self.messages[-1] = {
                    "role": "assistant",
                    "content": [*self.messages[-1]["content"], *content],
                }
            else:
                self.messages.append({"role": "assistant", "content": content})
            self.meter.record(reply.usage, len(self.messages))
            paused = reply.stop_reason == "pause_turn"
            if paused:
                # A server tool (web search) is still working: the paused turn goes back
                # unchanged and the API continues it. https://docs.claude.com/en/docs/
                # build-with-claude/handling-stop-reasons#pause-turn
                continue
            if reply.stop_reason == "refusal":
                raise await self._stop(
                    ModelRefused(
                        f"{self.agent}: the model refused to continue (stop_reason "
                        "`refusal`); none of that reply was acted on. Reword the issue or the "
                        "repository's instructions and try again"
                    )
                )
            tool_uses = [
                block for block in self.messages[-1]["content"] if block.get("type") == "tool_use"
            ]
            cut_off = reply.stop_reason in CUT_OFF
            if not tool_uses and cut_off:
                self.messages.append({"role": "user", "content": [_cut_off_text(reply)]})
                continue
            if not tool_uses:
                raise await self._stop(
                    AgentGaveUp(
                        f"{self.agent} ended its turn ({reply.stop_reason}) without calling "
                        f"{self.submission.tool_name}"
                    )
                )
            results, output = await self._answer(tool_uses, cut_off=cut_off)
            if output is not None:
                return LoopResult[R](
                    output=output,
                    transcript=self.transcript,
                    turns=self.turn,
                    usage=self.usage,
                    cost_usd=self.cost,
                )
            self.messages.append({"role": "user", "content": results})

    async def _ask_model(self) -> ModelReply:
        await self._check_limits()
        fixed = estimate_tokens(self.tool_schemas) + estimate_tokens(self.system)
        measured = self.meter.measure(fixed, self.messages)
        elided, saved = elide_old_results(
            self.messages, measured, self.context_limit, self.config.context
        )
        if elided:
            self.meter.saved(saved)
            measured -= saved
            await self._note(
                f"elided {elided} old tool results to save context (~{measured} of "
                f"{self.context_limit} tokens)"
            )
        request = ModelRequest(
            system=self.system,
            tools=self.tool_schemas,
            messages=list(self.messages),
            max_tokens=self.max_tokens,
        )
        if self.thinking:
            # Thinking blocks (and their signatures) stay in the assistant turns as the API
            # returned them: the turn with the lastmost tool_use must start with its own.
            request["thinking"] = {"type": "enabled", "budget_tokens": self.thinking}
        await self._check_budget(measured)
        recorded = await self.checkpoint(f"{self.agent}.llm.{self.turn}", self._call_model, request)
        reply = ModelReply.model_validate(recorded)
        self.cost += reply.cost_usd
        self.usage += reply.usage
        for event in reply_events(self.agent, self.turn, reply):
            await self._emit(event)
        return reply

    async def _call_model(self, request: ModelRequest) -> dict[str, Any]:
        return (await self.model.complete(request)).model_dump(mode="json")

    async def _answer(
        self, tool_uses: list[dict[str, Any]], *, cut_off: bool
    ) -> tuple[list[dict[str, Any]], R | None]:
        """Answer every tool call of the turn, in order, in one user message."""
        results: list[dict[str, Any]] = []
        output: R | None = None
        for index, block in enumerate(tool_uses, start=1):
            name, args = block["name"], block.get("input") or {}
            await self._emit(
                ToolCall(
                    agent=self.agent,
                    turn=self.turn,
                    index=index,
                    tool_use_id=block["id"],
                    name=name,
                    input=args,
                )
            )
            step = f"{self.agent}.tool.{self.turn}.{index}.{name}"
            if cut_off:
                # The last call's input may be truncated JSON: never run a partial call.
                outcome = ToolOutcome(
                    is_error=True,
                    content="Your reply was cut off before this call was complete, so it was "
                    "not run; send it again, shorter.",
                )
            elif name == self.submission.tool_name:
                outcome, output = await self._check_submission(args)
            else:
                outcome = ToolOutcome.model_validate(
                    await self.checkpoint(step, self._run_tool, name, args)
                )
                tool = self.tools.get(name)
                if tool is not None and tool.mutates and self.after_mutation is not None:
                    await self.after_mutation(step)
            await self._emit(
                ToolOutput(
                    agent=self.agent,
                    turn=self.turn,
                    index=index,
                    tool_use_id=block["id"],
                    name=name,
                    content=trim_for_display(outcome.content),
                    is_error=outcome.is_error,
                    duration_ms=outcome.duration_ms,
                    meta=outcome.meta,
                )
            )
            results.append(
                {
                    "type": "tool_result",
                    "tool_use_id": block["id"],
                    "content": outcome.content,
                    "is_error": outcome.is_error,
                }
            )
        return results, output

    async def _run_tool(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
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
            except SandboxError:
                raise  # the sandbox itself is broken: the run must rebuild it, not the model
            except Exception as exc:
                result = ToolResult(
                    content=f"{name} failed: {type(exc).__name__}: {exc}", is_error=True
                )
        return ToolOutcome(
            content=cap_output(result.content, self.config.context.tool_output_chars),
            is_error=result.is_error,
            meta=result.meta,
            duration_ms=(time.perf_counter() - started) * 1000,
        ).model_dump(mode="json")

    async def _check_submission(self, args: dict[str, Any]) -> tuple[ToolOutcome, R | None]:
        try:
            return ToolOutcome(content="Accepted."), self.submission.result_type.model_validate(
                args
            )
        except ValidationError as exc:
            self.rejected += 1
            if self.rejected > 1:
                raise await self._stop(
                    AgentGaveUp(
                        f"{self.agent} sent an invalid {self.submission.tool_name} twice: {exc}"
                    )
                ) from exc
            text = (
                f"{self.submission.tool_name} was rejected: {exc}\nFix these fields and "
                f"call {self.submission.tool_name} again."
            )
            await self._note(text)
            return ToolOutcome(content=text, is_error=True), None

    async def _check_limits(self) -> None:
        if self.turn > self.config.max_turns:
            raise await self._stop(
                TurnLimitExceeded(
                    f"{self.agent} used all {self.config.max_turns} turns without calling "
                    f"{self.submission.tool_name}"
                )
            )
        elapsed = time.monotonic() - self.started
        if elapsed > self.config.wall_clock_s:
            raise await self._stop(
                WallClockExceeded(
                    f"{self.agent} ran {elapsed:.0f}s, past its {self.config.wall_clock_s:.0f}s "
                    "wall-clock limit"
                )
            )

    async def _check_budget(self, tokens: int) -> None:
        worst = worst_case_cost_usd(self.model.name, tokens, self.max_tokens)
        spent = self.spent_before + self.cost
        if spent + worst > self.config.budget_usd:
            raise await self._stop(
                BudgetExceeded(
                    f"{self.agent} stopped before model call {self.turn}: ${spent:.4f} of the "
                    f"${self.config.budget_usd:.2f} budget is spent and the next call could "
                    f"cost up to ${worst:.4f} (~{tokens} input + {self.max_tokens} "
                    "output tokens, thinking included)"
                )
            )

    async def _stop(self, exc: LimitExceeded | AgentGaveUp) -> LimitExceeded | AgentGaveUp:
        await self._note(str(exc))
        return exc

    async def _note(self, text: str) -> None:
        await self._emit(Notice(agent=self.agent, turn=self.turn, text=text))

    async def _emit(self, event: TranscriptEvent) -> None:
        self.transcript.append(event)
        if self.on_event is not None:
            pending = self.on_event(event)
            if inspect.isawaitable(pending):
                await pending
