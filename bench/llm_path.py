"""What a model call costs beyond the model: N calls of one agent's conversation through the
run's checkpoint (a step of the run, admitted by the shared ledger of calls), the same N
through the LLM queue as runs started before made them (a child workflow each, polled), and
N plain calls of the same client to the same scripted model, all in one run.

``added_ms_per_call`` is (path - plain) / N: the wait a call pays beyond the model itself.
SQLite in a temporary directory, as ``fixer serve`` runs by default; ``--database-url``
points it at PostgreSQL instead.

    .venv/bin/python bench/llm_path.py --calls 30   # last line: one JSON object
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dbos import DBOS  # noqa: E402

from app.config import load_settings  # noqa: E402
from app.db import migrate  # noqa: E402
from app.github import GitHubApp  # noqa: E402
from app.runs import context, engine  # noqa: E402
from app.runs.model_calls import durable_checkpoint, queued  # noqa: E402
from devtools.scripted_model import ScriptedModel, ScriptedModelServer, reply, text  # noqa: E402
from devtools.stack import generate_app_key  # noqa: E402

MODEL = "claude-haiku-4-5"


def asking(turn: int) -> dict[str, Any]:
    message = {"role": "user", "content": [{"type": "text", "text": f"turn {turn}"}]}
    return {"system": [], "tools": [], "messages": [message], "max_tokens": 64}


async def unused(request: dict[str, Any]) -> dict[str, Any]:
    raise AssertionError("the checkpoint makes model calls itself")


@DBOS.workflow(name="bench_direct_calls")
async def direct_calls(calls: int) -> int:
    checkpoint = durable_checkpoint(MODEL)
    for turn in range(1, calls + 1):
        await checkpoint(f"planner.llm.{turn}", unused, asking(turn))
    return calls


@DBOS.workflow(name="bench_queued_calls")
async def queued_calls(calls: int) -> int:
    for turn in range(1, calls + 1):
        await queued(f"planner.llm.{turn}", MODEL, asking(turn), None)
    return calls


async def plain(calls: int) -> float:
    model = context.current().models.model(MODEL)
    started = time.perf_counter()
    for turn in range(1, calls + 1):
        await model.complete(asking(turn))  # type: ignore[arg-type]
    return time.perf_counter() - started


async def through(workflow: Any, calls: int) -> float:
    started = time.perf_counter()
    handle = await DBOS.start_workflow_async(workflow, calls)
    await handle.get_result()
    return time.perf_counter() - started


async def measure(calls: int, database_url: str) -> dict[str, Any]:
    model = ScriptedModel([reply(text(f"answer {n}")) for n in range(6 * calls)])
    server = ScriptedModelServer(model.respond).start()
    settings = load_settings(
        database_url=database_url,
        github_app_id=4242,
        github_app_private_key=generate_app_key()[0].replace("\n", "\\n"),
        github_webhook_secret="bench-webhook-secret",
        github_api_url="http://127.0.0.1:9/api",
        fixer_public_url="http://fixer.local",
        fixer_executor_id="bench",
        anthropic_api_key="sk-ant-bench",
        anthropic_base_url=server.base_url,
        fixer_llm_rpm=100_000,  # the limit is checked on every call; it is not what is measured
    )
    context.install(context.ServiceContext(settings=settings, github=GitHubApp(settings)))
    migrate(database_url)
    await engine.launch(settings)
    try:
        await plain(2)  # connections, pools, the client
        await through(direct_calls, 2)
        await through(queued_calls, 2)
        before = await plain(calls)
        direct_s = await through(direct_calls, calls)
        queued_s = await through(queued_calls, calls)
        after = await plain(calls)
    finally:
        engine.shutdown()
        await context.current().models.aclose()
        server.stop()
    plain_s = (before + after) / 2

    def added(path_s: float) -> float:
        return round((path_s - plain_s) / calls * 1000, 1)

    return {
        "calls": calls,
        "database": database_url.split(":", 1)[0],
        "model_ms_per_call": round(plain_s / calls * 1000, 1),
        "added_ms_per_call": added(direct_s),
        "queue_added_ms_per_call": added(queued_s),
        "target_added_ms": 10,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fixer-llm-path-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/fixer.db"
        result = asyncio.run(measure(args.calls, url))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
