"""The tool-use loop: ask the model, run the tools it asks for, answer, repeat until it submits.

Every model call and every tool call goes through the injected ``checkpoint`` under a
deterministic name (``planner.llm.3``, ``planner.tool.3.1.grep``), and returns JSON data, so
a replayed run gets recorded results instead of paying for the call again. Limits (turns,
USD budget, wall clock) end the loop by raising; slips (a reply without a tool call, a
rejected submission) are answered and the run goes on (``agents.steering``).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from agents import prompts
from agents.checkpoint import Checkpoint, run_directly
from agents.context import ContextConfig, ContextMeter, elide_old, estimate_tokens, limit_for
from agents.errors import (
    AgentGaveUp,
    BudgetExceeded,
    LimitExceeded,
    ModelRefused,
    TurnLimitExceeded,
    WallClockExceeded,
)
from agents.llm import Model, ModelReply, ModelRequest
from agents.model_catalog import catalog
from agents.pricing import Usage, worst_case_cost_usd
from agents.sandbox.protocol import Sandbox
from agents.steering import Steering, SteeringConfig
from agents.test_record import TestRecord
from agents.tool_calls import Call, MutationHook, ToolOutcome, ToolRunner
from agents.tools.base import Tool
from agents.transcript import (
    Notice,
    ToolCall,
    ToolOutput,
    TranscriptEvent,
    reply_events,
    trim_for_display,
)

__all__ = [
    "AgentLoop",
    "EventSink",
    "LoopConfig",
    "LoopResult",
    "MutationHook",
    "Submission",
    "ToolOutcome",
]

R = TypeVar("R", bound=BaseModel)
EventSink = Callable[[TranscriptEvent], Awaitable[None] | None]

CUT_OFF = frozenset({"max_tokens", "model_context_window_exceeded"})
"""Stop reasons that end a reply mid-way: its last tool call may be incomplete.
https://docs.claude.com/en/docs/build-with-claude/handling-stop-reasons"""


def _cut_off_text(reply: ModelReply) -> str:
    why = (
        "the context window is full"
        if reply.stop_reason == "model_context_window_exceeded"
        else "it reached max_tokens"
    )
    return f"Your reply was cut off ({why}). Continue, more briefly, and call a tool."


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
    steering: SteeringConfig = SteeringConfig()

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
    """The tool that ends the loop; its input must validate as ``result_type``. ``amend``
    replaces what the model claims with what the harness recorded (test results)."""

    tool_name: str
    description: str
    result_type: type[R]
    amend: Callable[[R, TestRecord], R] | None = None

    def schema(self) -> dict[str, Any]:
        schema = self.result_type.model_json_schema()
        schema.pop("title", None)
        return {"name": self.tool_name, "description": self.description, "input_schema": schema}


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
        test_record: TestRecord | None = None,
    ) -> None:
        self.agent, self.model, self.submission = agent, model, submission
        self.config = config or LoopConfig()
        self.checkpoint, self.on_event = checkpoint, on_event
        self.tools = {tool.name: tool for tool in tools}
        self.runner = ToolRunner(
            sandbox=sandbox,
            tools=self.tools,
            checkpoint=checkpoint,
            output_chars=self.config.context.tool_output_chars,
            after_mutation=after_mutation,
        )
        # Sorted, then fixed: the tool list is the start of the cached prefix.
        ordered = sorted(tools, key=lambda tool: tool.name)
        self.tool_schemas = [t.schema() for t in ordered] + [*server_tools, submission.schema()]
        self.system = [{"type": "text", "text": system}]
        self.messages: list[dict[str, Any]] = []
        self.transcript: list[TranscriptEvent] = []
        self.spent_before, self.cost, self.usage = spent_usd, 0.0, Usage()
        self.turn, self.started = 0, time.monotonic()
        self.meter = ContextMeter()
        self.max_tokens, self.thinking = self.config.output_caps(model.name)
        self.context_limit = limit_for(model.name, self.max_tokens, self.config.context)
        self.steering = Steering(
            submission.tool_name,
            self.config.max_turns,
            thinking=bool(self.thinking),
            config=self.config.steering,
        )
        self.tests = test_record or TestRecord()

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
            if tool_uses:
                answer, output = await self._answer(tool_uses, cut_off=cut_off)
                if output is not None:
                    return LoopResult[R](
                        output=output,
                        transcript=self.transcript,
                        turns=self.turn,
                        usage=self.usage,
                        cost_usd=self.cost,
                    )
            else:
                answer = [{"type": "text", "text": await self._no_tool_call(reply, cut_off)}]
            notes = [{"type": "text", "text": t} for t in self.steering.turn_notes(self.turn)]
            self.messages.append({"role": "user", "content": [*answer, *notes]})

    async def _no_tool_call(self, reply: ModelReply, cut_off: bool) -> str:
        """The answer to a reply that called no tool: go on (or stop after too many)."""
        if cut_off:
            return _cut_off_text(reply)
        text = self.steering.no_tool_call()
        if text is None:
            raise await self._stop(
                AgentGaveUp(
                    f"{self.agent} ended {self.steering.slips} turns in a row "
                    f"({reply.stop_reason}) without calling a tool or "
                    f"{self.submission.tool_name}"
                )
            )
        await self._note(f"no tool call in turn {self.turn}: asked to continue")
        return text

    async def _ask_model(self) -> ModelReply:
        await self._check_limits()
        fixed = estimate_tokens(self.tool_schemas) + estimate_tokens(self.system)
        measured = self.meter.measure(fixed, self.messages)
        elided, saved = elide_old(self.messages, measured, self.context_limit, self.config.context)
        if elided:
            self.meter.saved(saved)
            measured -= saved
            await self._note(
                f"elided {elided} old tool results and inputs to save context (~{measured} "
                f"of {self.context_limit} tokens)"
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
        choice = self.steering.tool_choice()
        if choice is not None:
            request["tool_choice"] = choice
        await self._check_budget(measured)
        recorded = await self.checkpoint(f"{self.agent}.llm.{self.turn}", self._call_model, request)
        self.steering.asked()
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
        """Answer every tool call of the turn in one user message, in the order asked. The
        submission is looked at last: it is accepted only if every other call succeeded."""
        self.steering.called_tools()
        calls = [
            Call(index, block, f"{self.agent}.tool.{self.turn}.{index}.{block['name']}")
            for index, block in enumerate(tool_uses, start=1)
        ]
        outcomes: dict[int, ToolOutcome] = {}
        submits = [c for c in calls if c.name == self.submission.tool_name]
        others = [c for c in calls if c.name != self.submission.tool_name]
        if cut_off:
            # The last call's input may be truncated JSON: never run a partial call.
            for call in calls:
                await self._emit_call(call)
                outcomes[call.index] = ToolOutcome(
                    is_error=True,
                    content="Your reply was cut off before this call was complete, so it was "
                    "not run; send it again, shorter.",
                )
                await self._emit_output(call, outcomes[call.index])
            return self._results(calls, outcomes), None
        for group in self.runner.groups(others):
            for call in group:
                await self._emit_call(call)
            for call, outcome in zip(group, await self.runner.run_group(group), strict=True):
                outcomes[call.index] = outcome
                self.tests.observe(call.name, call.args, outcome.meta, outcome.content)
                await self._emit_output(call, outcome)
        output: R | None = None
        rejected = False
        for call in submits:
            await self._emit_call(call)
            failed = next((c for c in others if outcomes[c.index].is_error), None)
            if output is not None:
                outcome = ToolOutcome(content="Already accepted in this turn.")
            elif failed is not None:
                text = prompts.render(
                    "nudge_rejected_turn",
                    submit=self.submission.tool_name,
                    index=str(failed.index),
                    tool=failed.name,
                ).strip()
                outcome = await self._reject(text)
                rejected = True
            else:
                outcome, output = await self._check_submission(call.args)
                rejected = rejected or output is None
            outcomes[call.index] = outcome
            await self._emit_output(call, outcome)
        if not rejected:
            self.steering.accepted_nothing_wrong()
        return self._results(calls, outcomes), output

    def _results(self, calls: list[Call], outcomes: dict[int, ToolOutcome]) -> list[dict[str, Any]]:
        return [
            {
                "type": "tool_result",
                "tool_use_id": call.block["id"],
                "content": outcomes[call.index].content,
                "is_error": outcomes[call.index].is_error,
            }
            for call in calls
        ]

    async def _check_submission(self, args: dict[str, Any]) -> tuple[ToolOutcome, R | None]:
        try:
            result = self.submission.result_type.model_validate(args)
        except ValidationError as exc:
            text = (
                f"{self.submission.tool_name} was rejected: {exc}\nFix these fields and "
                f"call {self.submission.tool_name} again."
            )
            return await self._reject(text), None
        if self.submission.amend is not None:
            result = self.submission.amend(result, self.tests)
        return ToolOutcome(content="Accepted."), result

    async def _reject(self, text: str) -> ToolOutcome:
        if not self.steering.rejected():
            raise await self._stop(
                AgentGaveUp(
                    f"{self.agent} had {self.steering.rejections} {self.submission.tool_name} "
                    f"calls in a row rejected; the last: {text}"
                )
            )
        await self._note(text)
        return ToolOutcome(content=text, is_error=True)

    async def _emit_call(self, call: Call) -> None:
        await self._emit(
            ToolCall(
                agent=self.agent,
                turn=self.turn,
                index=call.index,
                tool_use_id=call.block["id"],
                name=call.name,
                input=call.args,
            )
        )

    async def _emit_output(self, call: Call, outcome: ToolOutcome) -> None:
        await self._emit(
            ToolOutput(
                agent=self.agent,
                turn=self.turn,
                index=call.index,
                tool_use_id=call.block["id"],
                name=call.name,
                content=trim_for_display(outcome.content),
                is_error=outcome.is_error,
                duration_ms=outcome.duration_ms,
                meta=outcome.meta,
            )
        )

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
