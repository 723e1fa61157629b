"""The agent loop's events as timeline rows, spans and metrics.

The loop calls ``on_event`` for every event, also when a run replays after a crash. An
event's key is its place in the loop (round, agent, turn, n-th event of the turn), which
replay reproduces exactly, so the row is written once and only its first writing emits a
span and counts tokens.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from agents.loop import EventSink
from agents.transcript import ModelCall, Notice, ToolCall, ToolOutput, TranscriptEvent
from app.runs.context import current
from app.telemetry import RUN_SPAN, emit_span
from app.timeline import metrics, store
from app.timeline.recorder import GENAI_SYSTEM

SUBMISSION_TOOLS = frozenset({"submit_plan", "submit_result"})


def agent_span_key(round: int, agent: str) -> str:
    return f"round{round}.{agent}"


def _title(event: TranscriptEvent) -> str:
    if isinstance(event, ModelCall):
        return f"{event.model} · {event.stop_reason or ''}"
    if isinstance(event, ToolCall | ToolOutput):
        return event.name
    return event.text.splitlines()[0] if event.text else ""


def _data(event: TranscriptEvent) -> dict[str, Any]:
    data = event.model_dump(mode="json", exclude={"type", "agent", "turn"})
    if isinstance(event, ModelCall):
        usage = event.usage
        data["tokens"] = {
            "input": usage.input_tokens,
            "cache_read": usage.cache_read_input_tokens,
            "cache_write": usage.cache_creation_input_tokens,
            "output": usage.output_tokens,
        }
    return data


class TimelineSink:
    """``on_event`` for one agent round of one run."""

    def __init__(self, run_id: str, round: int, database_url: str | None = None) -> None:
        self.run_id, self.round = run_id, round
        self.database_url = database_url or current().settings.database_url
        self.seen: Counter[tuple[str, int]] = Counter()

    def __call__(self, event: TranscriptEvent) -> None:
        place = (event.agent, event.turn)
        self.seen[place] += 1
        key = f"round{self.round}.{event.agent}.t{event.turn}.e{self.seen[place]}"
        new = store.record(
            self.database_url,
            self.run_id,
            key,
            event.type,
            round=self.round,
            agent=event.agent,
            title=_title(event),
            data=_data(event),
        )
        if new:
            self._observe(key, event)

    def _observe(self, key: str, event: TranscriptEvent) -> None:
        now = time.time_ns()
        parent = agent_span_key(self.round, event.agent)
        base = {"fixer.run_id": self.run_id, "fixer.round": self.round, "fixer.agent": event.agent}
        if isinstance(event, ModelCall):
            usage = event.usage
            for kind, count in _data(event)["tokens"].items():
                metrics.LLM_TOKENS.labels(kind=kind, model=event.model).inc(count)
            metrics.LLM_COST.labels(model=event.model).inc(event.cost_usd)
            metrics.LLM_CALLS.labels(model=event.model, agent=event.agent).inc()
            emit_span(
                self.run_id,
                key,
                f"chat {event.model}",
                parent_key=parent,
                start_ns=now - int(event.duration_ms * 1e6),
                end_ns=now,
                attributes={
                    **base,
                    "gen_ai.system": GENAI_SYSTEM,
                    "gen_ai.operation.name": "chat",
                    "gen_ai.request.model": event.model,
                    "gen_ai.response.finish_reasons": [event.stop_reason or ""],
                    "gen_ai.usage.input_tokens": usage.total_input_tokens,
                    "gen_ai.usage.output_tokens": usage.output_tokens,
                    "gen_ai.usage.cache_read_input_tokens": usage.cache_read_input_tokens,
                    "gen_ai.usage.cache_creation_input_tokens": usage.cache_creation_input_tokens,
                    "fixer.cost_usd": event.cost_usd,
                },
            )
        elif isinstance(event, ToolOutput) and event.name not in SUBMISSION_TOOLS:
            metrics.TOOL_SECONDS.labels(tool=event.name).observe(event.duration_ms / 1000)
            emit_span(
                self.run_id,
                key,
                f"execute_tool {event.name}",
                parent_key=parent,
                start_ns=now - int(event.duration_ms * 1e6),
                end_ns=now,
                attributes={
                    **base,
                    "gen_ai.operation.name": "execute_tool",
                    "gen_ai.tool.name": event.name,
                    "gen_ai.tool.call.id": event.tool_use_id,
                    "fixer.tool.exit_code": event.meta.get("exit_code"),
                },
                error=event.is_error,
            )
        elif isinstance(event, ToolCall) and event.name in SUBMISSION_TOOLS:
            self._emit_agent_span(event.agent, now, base)
        elif isinstance(event, Notice):
            pass  # shown on the page; not worth a span

    def _emit_agent_span(self, agent: str, now: int, attributes: dict[str, Any]) -> None:
        rows = [
            row
            for row in store.events(self.database_url, self.run_id)
            if row.agent == agent and row.round == self.round
        ]
        start = int(rows[0].at.timestamp() * 1e9) if rows else now
        emit_span(
            self.run_id,
            agent_span_key(self.round, agent),
            f"invoke_agent {agent}",
            parent_key=RUN_SPAN,
            start_ns=start,
            end_ns=now,
            attributes={**attributes, "gen_ai.operation.name": "invoke_agent"},
        )


def timeline_sink(run_id: str, round: int) -> EventSink:
    return TimelineSink(run_id, round)
