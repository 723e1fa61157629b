"""``/metrics``: runs by state from the table, counters that a replay does not move."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from app.runs import store as runs
from app.timeline.agent_events import TimelineSink
from tests.observability.seed import RUN_ID, agent_events, seed_run


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_runs_by_state_follow_the_runs_table(
    database_url: str, make_client: Callable[..., TestClient]
) -> None:
    client = make_client()
    seed_run(database_url, finished=False)
    assert 'fixer_runs{state="awaiting_approval"} 1.0' in client.get("/metrics").text
    runs.update_run(database_url, RUN_ID, state="pr_opened")
    text = client.get("/metrics").text
    assert 'fixer_runs{state="pr_opened"} 1.0' in text
    assert 'fixer_runs{state="awaiting_approval"}' not in text


def test_token_cost_and_tool_counters_count_each_event_once(database_url: str) -> None:
    seed_run(database_url, finished=False)
    model = "claude-sonnet-4-6"
    before = {
        "cache_read": sample("fixer_llm_tokens_total", kind="cache_read", model=model),
        "output": sample("fixer_llm_tokens_total", kind="output", model=model),
        "cost": sample("fixer_llm_cost_usd_total", model=model),
        "shell": sample("fixer_tool_duration_seconds_count", tool="shell"),
    }
    for _ in range(3):  # first pass, then two replays
        sink = TimelineSink(RUN_ID, 3, database_url)
        for event in agent_events():
            sink(event)
    assert sample("fixer_llm_tokens_total", kind="cache_read", model=model) == (
        before["cache_read"] + 4 * 3000
    )
    assert sample("fixer_llm_tokens_total", kind="output", model=model) == before["output"] + 320
    assert round(sample("fixer_llm_cost_usd_total", model=model) - before["cost"], 6) == 0.0124
    assert sample("fixer_tool_duration_seconds_count", tool="shell") == before["shell"] + 1


def test_approval_wait_is_observed_when_a_person_decides(database_url: str) -> None:
    before = sample("fixer_approval_wait_seconds_count")
    seed_run(database_url, finished=True)  # awaiting approval, then Ada approves
    assert sample("fixer_approval_wait_seconds_count") == before + 1


def test_metrics_exposes_queue_depth_and_histograms(
    database_url: str, make_client: Callable[..., TestClient]
) -> None:
    seed_run(database_url)
    text = make_client().get("/metrics").text
    assert "# TYPE fixer_tool_duration_seconds histogram" in text
    assert "# TYPE fixer_llm_tokens_total counter" in text
    assert "# TYPE fixer_approval_wait_seconds histogram" in text
