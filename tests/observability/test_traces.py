"""Spans are emitted once per event, even when a replay re-emits every event, and hang
under run → agent in one trace derived from the run id."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agents.transcript import ToolCall
from app import telemetry
from app.runs import store as runs
from app.timeline.agent_events import TimelineSink, agent_span_key
from app.timeline.recorder import note_state
from tests.observability.seed import RUN_ID, agent_events, seed_run


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    telemetry.configure_tracing(exporter)
    yield exporter
    telemetry.shutdown_tracing()


def events_with_submissions() -> list[object]:
    events: list[object] = list(agent_events())
    events.insert(
        8,
        ToolCall(
            agent="planner", turn=2, index=2, tool_use_id="tu-plan", name="submit_plan", input={}
        ),
    )
    events.append(
        ToolCall(
            agent="coder", turn=2, index=2, tool_use_id="tu-done", name="submit_result", input={}
        )
    )
    return events


def play(database_url: str) -> None:
    """One pass of the loop's events through a fresh sink, as after a worker restart."""
    sink = TimelineSink(RUN_ID, 2, database_url)
    for event in events_with_submissions():
        sink(event)  # type: ignore[arg-type]


def test_replayed_events_emit_each_span_once(
    database_url: str, spans: InMemorySpanExporter
) -> None:
    seed_run(database_url, finished=False)
    spans.clear()  # the seed's own round-1 spans
    play(database_url)
    first = [(s.name, s.context.span_id) for s in spans.get_finished_spans()]
    play(database_url)  # the crash-and-replay pass: every event again, same keys
    play(database_url)
    again = [(s.name, s.context.span_id) for s in spans.get_finished_spans()]
    assert again == first
    names = Counter(name.split(" ")[0] for name, _ in first)
    assert names == {"chat": 4, "execute_tool": 4, "invoke_agent": 2}


def test_spans_form_run_agent_call_tree_with_genai_attributes(
    database_url: str, spans: InMemorySpanExporter
) -> None:
    seed_run(database_url, finished=False)
    spans.clear()
    play(database_url)
    finished = spans.get_finished_spans()
    trace_ids = {format(s.context.trace_id, "032x") for s in finished}
    assert trace_ids == {telemetry.trace_id_of(RUN_ID)}
    agents = {s.name: s for s in finished if s.name.startswith("invoke_agent")}
    planner = agents["invoke_agent planner"]
    assert planner.context.span_id == telemetry.span_id_of(RUN_ID, agent_span_key(2, "planner"))
    assert planner.parent is not None
    assert planner.parent.span_id == telemetry.span_id_of(RUN_ID, telemetry.RUN_SPAN)
    chat = next(s for s in finished if s.name.startswith("chat"))
    assert chat.parent is not None and chat.parent.span_id == planner.context.span_id
    attributes = dict(chat.attributes or {})
    assert attributes["gen_ai.system"] == "anthropic"
    assert attributes["gen_ai.request.model"] == "claude-sonnet-4-6"
    assert attributes["gen_ai.usage.input_tokens"] == 4200
    assert attributes["gen_ai.usage.output_tokens"] == 80
    assert attributes["gen_ai.usage.cache_read_input_tokens"] == 3000
    assert attributes["fixer.run_id"] == RUN_ID
    shell = next(s for s in finished if s.name == "execute_tool shell")
    assert dict(shell.attributes or {})["fixer.tool.exit_code"] == 0


def test_run_span_is_emitted_once_when_the_run_ends(
    database_url: str, spans: InMemorySpanExporter
) -> None:
    seed_run(database_url, finished=False)
    runs.update_run(database_url, RUN_ID, state="pr_opened")
    for _ in range(2):  # the step, then its retry after a crash
        note_state(RUN_ID, {"state": "pr_opened"}, database_url=database_url)
    [run] = [s for s in spans.get_finished_spans() if s.name == "run fix_issue"]
    assert run.parent is None
    assert dict(run.attributes or {})["fixer.repository"] == "acme/calc"
    assert dict(run.attributes or {})["fixer.issue"] == 1
