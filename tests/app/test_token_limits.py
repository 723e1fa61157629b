"""FIXER_LLM_ITPM / FIXER_LLM_OTPM: no minute of model calls, on any worker, passes the limits.

The decision (how long to wait, given the last minute's calls) is tested on its own, with a
virtual clock; the wiring through DBOS is tested with real rows in the shared ledger, aged
so that a wait of a few seconds is due, against the scripted model over HTTP.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from dbos import DBOS, EnqueueOptions
from sqlalchemy import text

from agents.pricing import Usage
from app.config import Settings, load_settings
from app.db import get_engine, migrate, session_scope
from app.errors import ConfigError
from app.github import GitHubApp
from app.models import ModelUsage
from app.runs import context, engine, queues, token_ledger
from app.runs.token_budget import (
    WINDOW_S,
    Limits,
    Minute,
    Spent,
    counted_input,
    estimate,
    previous_call_id,
    wait_s,
)
from devtools.scripted_model import RecordedRequest, ScriptedModel, ScriptedModelServer, reply
from devtools.scripted_model import text as said
from tests.app.conftest import service_settings
from tests.scale.conftest import postgres_url  # noqa: F401  (the PostgreSQL fixture)

MODEL = "claude-haiku-4-5"


# --- the decision -------------------------------------------------------------------------


def test_a_call_that_fits_beside_the_last_minute_goes_at_once() -> None:
    window = [Spent(at=100.0, input=300, output=50), Spent(at=130.0, input=300, output=50)]
    need = Spent(at=0, input=300, output=50, final=False)
    assert wait_s(window, 140.0, need, Limits(itpm=1000, otpm=200)) == 0.0


def test_a_call_over_the_input_limit_waits_only_until_enough_old_calls_leave() -> None:
    window = [Spent(at=100.0, input=400, output=1), Spent(at=120.0, input=400, output=1)]
    need = Spent(at=0, input=300, output=1, final=False)
    # 800 + 300 > 1000; once the call at 100 leaves (at 160), 400 + 300 fits.
    assert wait_s(window, 150.0, need, Limits(itpm=1000)) == pytest.approx(10.0)


def test_the_output_limit_is_kept_beside_the_input_limit() -> None:
    window = [Spent(at=100.0, input=10, output=150), Spent(at=140.0, input=10, output=150)]
    need = Spent(at=0, input=10, output=100, final=False)
    # Input has room; output needs both old calls gone before 100 more fits under 200.
    assert wait_s(window, 150.0, need, Limits(itpm=1000, otpm=200)) == pytest.approx(50.0)
    assert wait_s(window, 150.0, need, Limits(itpm=1000)) == 0.0


def test_a_call_bigger_than_the_limit_goes_once_the_minute_is_empty() -> None:
    window = [Spent(at=100.0, input=100, output=1)]
    need = Spent(at=0, input=5000, output=1, final=False)
    assert wait_s(window, 110.0, need, Limits(itpm=1000)) == pytest.approx(50.0)
    assert wait_s([], 110.0, need, Limits(itpm=1000)) == 0.0


def test_a_wait_behind_calls_in_flight_is_checked_again_within_seconds() -> None:
    window = [Spent(at=100.0, input=900, output=1, final=False)]
    need = Spent(at=0, input=300, output=1, final=False)
    assert 0 < wait_s(window, 101.0, need, Limits(itpm=1000)) <= 5.0


def test_calls_spread_by_the_decision_never_pass_the_limit_in_any_minute() -> None:
    limits = Limits(itpm=1000, otpm=300)
    now, done = 0.0, list[Spent]()
    for _ in range(12):  # 12 calls of 400 in, 90 out: 4,800 tokens in, far over 1,000 a minute
        need = Spent(at=0, input=400, output=90, final=False)
        now += wait_s(done, now, need, limits)
        done.append(Spent(at=now, input=400, output=90))
        now += 1.0  # the call's own time
    assert_no_minute_over([(spent.at, spent.input) for spent in done], limits.itpm or 0)
    assert_no_minute_over([(spent.at, spent.output) for spent in done], limits.otpm or 0)
    assert done[-1].at > 5 * WINDOW_S  # spread, not refused


def test_cache_reads_do_not_count_toward_the_input_limit_on_current_models() -> None:
    usage = Usage(input_tokens=20, cache_creation_input_tokens=300, cache_read_input_tokens=9000)
    assert counted_input(usage, "claude-sonnet-4-5") == 320
    assert counted_input(usage, "claude-3-5-haiku-20241022") == 9320  # the docs' dagger


def test_the_next_call_is_estimated_from_the_previous_turn_or_from_the_request() -> None:
    request: dict[str, Any] = {
        "system": [],
        "tools": [],
        "messages": [{"role": "user", "content": "x" * 4000}],
        "max_tokens": 8192,
    }
    first = estimate(request, None, None)
    assert 1000 <= first.input <= 1100  # the whole request: nothing is in the cache yet
    assert first.output == 8192  # nothing answered in the last minute: max_tokens
    later = estimate(
        request,
        250,
        Minute(answered=2, answered_output=80).mean_output,
    )
    assert later.input == 250
    assert 40 <= later.output <= 41
    assert previous_call_id("a/b#1:1/round-1/coder.llm.8") == "a/b#1:1/round-1/coder.llm.7"
    assert previous_call_id("a/b#1:1/round-1/coder.llm.1") is None


def assert_no_minute_over(events: list[tuple[float, int]], limit: int) -> None:
    """No 60-second window of ``(time, tokens)`` events holds more than ``limit`` tokens."""
    for start, _ in events:
        inside = sum(tokens for at, tokens in events if start - WINDOW_S < at <= start)
        assert inside <= limit, f"{inside} tokens in the minute up to {start}"


# --- through DBOS, with the shared ledger ------------------------------------------------


def asking(words: str) -> dict[str, Any]:
    message = {"role": "user", "content": [{"type": "text", "text": words}]}
    return {"system": [], "tools": [], "messages": [message], "max_tokens": 64}


def prior_call(url: str, ago_s: float, tokens_in: int, call_id: str = "earlier") -> float:
    """A call another worker made ``ago_s`` seconds ago; returns when."""
    at = time.time() - ago_s
    with session_scope(url) as session:
        session.add(
            ModelUsage(
                id=call_id, at=at, model=MODEL, input_tokens=tokens_in, output_tokens=5, final=True
            )
        )
    return at


async def call(workflow_id: str, request: dict[str, Any]) -> dict[str, Any]:
    handle = await DBOS.enqueue_workflow_with_options_async(
        EnqueueOptions(
            queue_name=queues.LLM_QUEUE, workflow_name="llm_call", workflow_id=workflow_id
        ),
        MODEL,
        request,
        None,
    )
    result: dict[str, Any] = await handle.get_result(polling_interval_sec=0.05)
    return result


def counted(recorded: RecordedRequest) -> int:
    return int(recorded.usage["input_tokens"]) + int(recorded.usage["cache_creation_input_tokens"])


class Service:
    def __init__(self, settings: Settings, model: ScriptedModel) -> None:
        self.settings, self.model = settings, model

    @property
    def url(self) -> str:
        return self.settings.database_url

    def usage_rows(self) -> list[ModelUsage]:
        with session_scope(self.url) as session:
            return list(session.query(ModelUsage).order_by(ModelUsage.at))  # type: ignore[arg-type]


@pytest.fixture
async def service(
    tmp_path: Path, app_key: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Service]:
    monkeypatch.chdir(tmp_path)
    model = ScriptedModel([reply(said(f"answer {n}")) for n in range(6)])
    server = ScriptedModelServer(model.respond).start()
    settings = service_settings(
        tmp_path,
        app_key,
        anthropic_api_key="sk-ant-test",
        anthropic_base_url=server.base_url,
        fixer_llm_itpm=1000,
    )
    context.install(context.ServiceContext(settings=settings, github=GitHubApp(settings)))
    migrate(settings.database_url)
    await engine.launch(settings)
    try:
        yield Service(settings, model)
    finally:
        engine.shutdown()
        await context.current().models.aclose()
        server.stop()


async def test_a_call_over_the_minutes_tokens_waits_durably_then_calls(service: Service) -> None:
    earlier = prior_call(service.url, ago_s=56.0, tokens_in=900)
    answer = await call("run/round-1/coder.llm.1", asking("y" * 1200))  # ~300 tokens
    assert answer["message"]["content"] == [{"type": "text", "text": "answer 0"}]
    [request] = service.model.requests
    assert request.at >= earlier + WINDOW_S  # it went once the earlier call left the minute
    steps = [
        step["function_name"]
        for step in await DBOS.list_workflow_steps_async("run/round-1/coder.llm.1")
    ]
    assert steps == ["model_call", "DBOS.sleep", "model_call"]
    assert_no_minute_over([(earlier, 900), (request.at, counted(request))], 1000)
    row = [r for r in service.usage_rows() if r.id == "run/round-1/coder.llm.1"]
    assert row[0].final and row[0].input_tokens == counted(request)


async def test_two_concurrent_calls_share_one_limit(service: Service) -> None:
    earlier = prior_call(service.url, ago_s=56.0, tokens_in=600)
    started = time.monotonic()
    await asyncio.gather(
        call("run-a/round-1/coder.llm.1", asking("a" * 1200)),
        call("run-b/round-1/planner.llm.1", asking("b" * 1200)),
    )
    first, second = sorted(service.model.requests, key=lambda r: r.at)
    assert first.at - earlier < WINDOW_S  # one fitted beside the earlier call at once …
    assert second.at >= earlier + WINDOW_S  # … the other waited for it to leave the minute
    events = [(earlier, 600)] + [(r.at, counted(r)) for r in (first, second)]
    assert_no_minute_over(events, 1000)
    assert time.monotonic() - started < 15


async def test_a_replayed_model_call_adds_no_second_usage_row(service: Service) -> None:
    call_id = "run/round-1/planner.llm.1"
    await call(call_id, asking("z" * 400))
    before = [(r.id, r.at, r.input_tokens) for r in service.usage_rows()]
    with get_engine(service.url).begin() as connection:  # as if its worker died at the end
        connection.execute(
            text("UPDATE workflow_status SET status = 'PENDING' WHERE workflow_uuid = :id"),
            {"id": call_id},
        )
    handles = await asyncio.to_thread(
        DBOS._recover_pending_workflows, [service.settings.executor_id]
    )
    assert [handle.workflow_id for handle in handles] == [call_id]
    for handle in handles:
        await asyncio.to_thread(handle.get_result)
    assert len(service.model.requests) == 1  # the reply came from the record
    assert [(r.id, r.at, r.input_tokens) for r in service.usage_rows()] == before


def test_a_step_run_again_rewrites_its_row_instead_of_adding_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/ledger.db"
    migrate(url)
    limits = Limits(itpm=10_000)
    request = asking("w" * 400)
    for _ in range(2):  # the step's first run died after the reply; its re-run asks again
        assert token_ledger.admit(url, "run/round-1/coder.llm.1", MODEL, request, limits) == 0
        token_ledger.record(url, "run/round-1/coder.llm.1", MODEL, Usage(input_tokens=120))
    [row] = token_ledger.window_rows(url)
    assert (row.input, row.final) == (120, True)


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/ledger.db"
    else:
        url = request.getfixturevalue("postgres_url")
    migrate(url)  # every head, on either database
    return url


async def test_admissions_racing_on_many_connections_admit_only_what_fits(
    ledger_url: str,
) -> None:
    # As many workers asking at the same instant: each estimate is ~300 tokens, 1,000 fit.
    limits = Limits(itpm=1000)

    def ask(n: int) -> float:
        return token_ledger.admit(
            ledger_url, f"run-{n}/round-1/coder.llm.1", MODEL, asking("q" * 1200), limits
        )

    waits = await asyncio.gather(*(asyncio.to_thread(ask, n) for n in range(8)))
    admitted = [wait for wait in waits if wait == 0]
    assert len(admitted) == 3
    assert sum(row.input for row in token_ledger.window_rows(ledger_url)) <= 1000


def test_token_limits_are_off_unless_set_and_refuse_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FIXER_LLM_ITPM", raising=False)
    monkeypatch.delenv("FIXER_LLM_OTPM", raising=False)
    default = load_settings()
    assert (default.fixer_llm_itpm, default.fixer_llm_otpm) == (None, None)
    (tmp_path / ".env").write_text("FIXER_LLM_ITPM=30000\nFIXER_LLM_OTPM=8000\n")
    assert (load_settings().fixer_llm_itpm, load_settings().fixer_llm_otpm) == (30000, 8000)
    monkeypatch.setenv("FIXER_LLM_OTPM", "0")
    with pytest.raises(ConfigError, match="FIXER_LLM_OTPM"):
        load_settings()
