"""A worker that only makes model calls the way an agent does: ``durable_checkpoint`` in a
workflow. Imported by the tests (the workflow) and run as a process of its own to be a
second worker on the same database:

    python -m tests.app.model_call_worker DATABASE_URL MODEL_BASE_URL WORKFLOW_ID CALLS RPM
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

from dbos import DBOS, SetWorkflowID

from app.config import Settings, load_settings
from app.db import migrate
from app.github import GitHubApp
from app.runs import context, engine
from app.runs.model_calls import durable_checkpoint

MODEL = "claude-haiku-4-5"


def asking(words: str) -> dict[str, Any]:
    message = {"role": "user", "content": [{"type": "text", "text": words}]}
    return {"system": [], "tools": [], "messages": [message], "max_tokens": 64}


async def unused(request: dict[str, Any]) -> dict[str, Any]:
    raise AssertionError("the checkpoint makes model calls itself")


@DBOS.workflow(name="test_model_calls")
async def model_calls(calls: int) -> list[str]:
    """``calls`` turns of one agent's conversation; the replies' texts."""
    checkpoint = durable_checkpoint(MODEL)
    texts = []
    for turn in range(1, calls + 1):
        reply = await checkpoint(f"planner.llm.{turn}", unused, asking(f"turn {turn}"))
        texts.append(reply["message"]["content"][0]["text"])
    return texts


async def run_calls(workflow_id: str, calls: int) -> list[str]:
    with SetWorkflowID(workflow_id):
        handle = await DBOS.start_workflow_async(model_calls, calls)
    return await handle.get_result()


def worker_settings(database_url: str, model_url: str, rpm: int, executor: str) -> Settings:
    from devtools.stack import generate_app_key

    return load_settings(
        database_url=database_url,
        github_app_id=4242,
        github_app_private_key=generate_app_key()[0].replace("\n", "\\n"),
        github_webhook_secret="test-webhook-secret",
        github_api_url="http://127.0.0.1:9/api",
        fixer_public_url="http://fixer.local",
        fixer_executor_id=executor,
        anthropic_api_key="sk-ant-test",
        anthropic_base_url=model_url,
        fixer_llm_rpm=rpm,
    )


async def main(database_url: str, model_url: str, workflow_id: str, calls: int, rpm: int) -> None:
    settings = worker_settings(database_url, model_url, rpm, f"worker-{workflow_id}")
    context.install(context.ServiceContext(settings=settings, github=GitHubApp(settings)))
    migrate(settings.database_url)
    await engine.launch(settings)
    try:
        print("ready", flush=True)  # launched; the calls start when told (a line on stdin)
        await asyncio.to_thread(sys.stdin.readline)
        texts = await run_calls(workflow_id, calls)
    finally:
        engine.shutdown()
        await context.current().models.aclose()
    print(json.dumps(texts), flush=True)


if __name__ == "__main__":
    url, base, wid, n, limit = sys.argv[1:6]
    asyncio.run(main(url, base, wid, int(n), int(limit)))
    os._exit(0)  # the replies are printed; do not wait on the engine's background threads
