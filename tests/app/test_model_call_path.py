"""Model calls as steps of the run: one step per call, never made twice, and FIXER_LLM_RPM held
across every worker by the shared ledger (no queue in between).

Runs are the test workflow of ``tests.app.model_call_worker`` (an agent's checkpoint making
``n`` calls) against the scripted model over HTTP; a second worker is a process of its own
on the same PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from dbos import DBOS
from sqlalchemy import text

from app.db import get_engine, migrate, session_scope
from app.github import GitHubApp
from app.models import ModelUsage
from app.runs import context, engine, token_ledger
from app.runs.token_budget import WINDOW_S, Limits
from devtools.scripted_model import ScriptedModel, ScriptedModelServer, reply
from devtools.scripted_model import text as said
from tests.app.model_call_worker import MODEL, asking, run_calls, worker_settings
from tests.scale.conftest import postgres_url  # noqa: F401  (the PostgreSQL fixture)

ROOT = Path(__file__).resolve().parents[2]
Launch = Callable[[str, int], Awaitable[ScriptedModel]]


def prior_calls(url: str, ago_s: float, count: int) -> float:
    """``count`` calls another worker made ``ago_s`` seconds ago; returns when."""
    at = time.time() - ago_s
    with session_scope(url) as session:
        for n in range(count):
            session.add(
                ModelUsage(id=f"earlier-{n}", at=at, model=MODEL, input_tokens=10, output_tokens=5)
            )
    return at


def assert_no_minute_over(times: list[float], limit: int) -> None:
    for end in times:
        inside = sum(1 for at in times if end - WINDOW_S < at <= end)
        assert inside <= limit, f"{inside} model requests in the minute up to {end}"


async def steps_of(workflow_id: str) -> list[str]:
    return [s["function_name"] for s in await DBOS.list_workflow_steps_async(workflow_id)]


async def recover(url: str, executor: str, workflow_id: str) -> object:
    """As if the workflow's worker died: mark it pending and let recovery run it again."""
    with get_engine(url).begin() as connection:
        connection.execute(
            text("UPDATE workflow_status SET status = 'PENDING' WHERE workflow_uuid = :id"),
            {"id": workflow_id},
        )
    [handle] = await asyncio.to_thread(DBOS._recover_pending_workflows, [executor])
    return await asyncio.to_thread(handle.get_result)


@pytest.fixture
async def launch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Launch]:
    """Start this process's worker on a database with ``rpm``; gives the scripted model."""
    monkeypatch.chdir(tmp_path)
    servers: list[ScriptedModelServer] = []

    async def start(url: str, rpm: int) -> ScriptedModel:
        model = ScriptedModel([reply(said(f"answer {n}")) for n in range(8)])
        servers.append(ScriptedModelServer(model.respond).start())
        settings = worker_settings(url, servers[0].base_url, rpm, "test-executor")
        context.install(context.ServiceContext(settings=settings, github=GitHubApp(settings)))
        migrate(url)
        await engine.launch(settings)
        return model

    yield start
    engine.shutdown()
    await context.current().models.aclose()
    for server in servers:
        server.stop()


async def test_a_model_call_is_one_step_of_the_run_and_never_made_again(
    launch: Launch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/fixer.db"
    model = await launch(url, 50)
    assert await run_calls("run/round-1", 2) == ["answer 0", "answer 1"]
    assert await steps_of("run/round-1") == [
        "DBOS.patch-model-calls-in-the-run",
        "model_call",
        "model_call",
    ]
    assert await recover(url, "test-executor", "run/round-1") == ["answer 0", "answer 1"]
    assert len(model.requests) == 2  # the replay returned the recorded replies


async def test_a_run_started_on_the_queue_replays_on_the_queue(
    launch: Launch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/fixer.db"
    model = await launch(url, 50)

    async def before_the_patch(name: str) -> bool:
        return False  # what the code before DBOS.patch did: no marker, calls on the queue

    with monkeypatch.context() as patched:
        patched.setattr(DBOS, "patch_async", before_the_patch)
        assert await run_calls("old/round-1", 2) == ["answer 0", "answer 1"]
    assert await steps_of("old/round-1") == [
        "llm_call",
        "DBOS.getResult",
        "llm_call",
        "DBOS.getResult",
    ]
    assert await recover(url, "test-executor", "old/round-1") == ["answer 0", "answer 1"]
    assert len(model.requests) == 2


async def test_a_call_past_the_requests_per_minute_waits_durably_for_the_oldest_to_leave(
    launch: Launch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/fixer.db"
    model = await launch(url, 3)
    earlier = prior_calls(url, ago_s=56.0, count=2)
    assert await run_calls("run/round-1", 2) == ["answer 0", "answer 1"]
    first, second = (request.at for request in model.requests)
    assert first - earlier < WINDOW_S  # the third request of the minute went at once …
    assert second >= earlier + WINDOW_S  # … the fourth once the two earlier ones left it
    assert await steps_of("run/round-1") == [
        "DBOS.patch-model-calls-in-the-run",
        "model_call",
        "model_call",
        "DBOS.sleep",
        "model_call",
    ]
    assert_no_minute_over([earlier, earlier, first, second], 3)


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/ledger.db"
    else:
        url = request.getfixturevalue("postgres_url")
    migrate(url)
    return url


async def test_admissions_racing_on_many_connections_admit_only_the_requests_per_minute(
    ledger_url: str,
) -> None:
    def ask(n: int) -> float:
        return token_ledger.admit(
            ledger_url, f"run-{n}/round-1/coder.llm.1", MODEL, asking("q"), Limits(rpm=3)
        )

    waits = await asyncio.gather(*(asyncio.to_thread(ask, n) for n in range(8)))
    assert sorted(waits)[:3] == [0.0, 0.0, 0.0] and all(w > 0 for w in sorted(waits)[3:])
    assert len(token_ledger.window_rows(ledger_url)) == 3


async def test_two_workers_share_one_requests_per_minute(
    postgres_url: str,  # noqa: F811  (first: its database outlives this process's worker)
    launch: Launch,
) -> None:
    model = await launch(postgres_url, 4)
    base_url = context.current().settings.anthropic_base_url or ""
    worker = [sys.executable, "-m", "tests.app.model_call_worker"]
    other = subprocess.Popen(
        [*worker, postgres_url, base_url, "there/round-1", "2", "4"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None and other.stdin is not None
        assert await asyncio.to_thread(other.stdout.readline) == "ready\n"
        earlier = prior_calls(postgres_url, ago_s=45.0, count=2)
        assert await run_calls("here/round-1", 2) == ["answer 0", "answer 1"]  # minute full
        other.stdin.write("go\n")
        other.stdin.flush()
        out, err = await asyncio.to_thread(other.communicate, timeout=120)
    finally:
        other.kill()
    assert other.returncode == 0, err[-3000:]
    assert len(json.loads(out.strip().splitlines()[-1])) == 2
    here, there = model.requests[:2], model.requests[2:]
    assert all(r.at >= earlier + WINDOW_S for r in there)  # it waited for this worker's minute
    assert "DBOS.sleep" in await steps_of("there/round-1")
    assert_no_minute_over([earlier, earlier] + [r.at for r in here + there], 4)
