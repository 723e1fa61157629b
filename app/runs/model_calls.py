"""Model calls as steps of the calling workflow, admitted by the shared ledger of calls.

Every worker's agents draw from one budget of requests per minute (``FIXER_LLM_RPM``) and,
when set, tokens per minute (``FIXER_LLM_ITPM``/``FIXER_LLM_OTPM``). The model-call step
first asks the shared ledger (``app.runs.token_ledger``: one short transaction under a
database lock) whether the call fits in the last minute of every worker; when it does, the
step calls the model at once, so a call at low load costs one step and one small
transaction, not a trip through a polled queue. When it does not fit, the step records how
long to wait and the workflow sleeps durably (a worker killed meanwhile resumes the wait),
then asks again. The SDK still retries 429/529 inside a call; past those retries the
workflow waits durably for capacity (``app.runs.model_capacity``). The step that records
the reply also records its tokens, in a row keyed by the call's id (``<workflow>/<step>``),
so a step re-run after a crash rewrites its row and a replay returns the recorded reply
instead of calling the model again.

Runs started before calls became steps of the run made each call a child ``llm_call``
workflow on the rate-limited ``LLM_QUEUE``; ``DBOS.patch`` keeps those runs on that path
(their recorded steps say so), and the queue stays registered for them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from dbos import DBOS, EnqueueOptions
from sqlalchemy.exc import SQLAlchemyError

from agents.llm import ModelUnavailable
from app.runs import token_ledger
from app.runs.context import current
from app.runs.model_capacity import CapacityNotice, call_until_answered, policy, unavailable
from app.runs.queues import LLM_QUEUE
from app.runs.token_budget import Limits

log = logging.getLogger(__name__)

LEDGER_RETRY_S = 1.0
"""Wait before asking the token ledger again when the database could not answer."""


DIRECT_PATCH = "model-calls-in-the-run"
"""The ``DBOS.patch`` that marks an agent's model calls as steps of its own workflow."""


def call_limits() -> Limits:
    settings = current().settings
    return Limits(
        itpm=settings.fixer_llm_itpm, otpm=settings.fixer_llm_otpm, rpm=settings.fixer_llm_rpm
    )


@DBOS.step(name="model_call")
async def model_call_step(
    model: str, request: dict[str, Any], attempt: int = 0, call_id: str | None = None
) -> dict[str, Any]:
    """The reply; ``{"unavailable": ...}`` when capacity ran out (see model_capacity); or
    ``{"token_wait_s": s}`` when the call would pass the deployment's requests or tokens
    per minute (the key's name is older than the request limit; recorded steps use it).
    ``call_id`` names the call in the ledger; by default the ``llm_call`` workflow's id."""
    limits, call_id = call_limits(), call_id or DBOS.workflow_id or ""
    database_url = current().settings.database_url
    try:
        wait = await asyncio.to_thread(
            token_ledger.admit, database_url, call_id, model, request, limits
        )
    except SQLAlchemyError as exc:
        log.warning("call ledger unavailable for %s, asking again: %s", call_id, exc)
        wait = LEDGER_RETRY_S
    if wait > 0:
        return {"token_wait_s": wait}
    # The process's shared client (built from Settings): one connection pool for every call.
    try:
        reply = await current().models.model(model).complete(request)  # type: ignore[arg-type]
    except ModelUnavailable as exc:
        return unavailable(exc, attempt, policy())
    if limits.tokens:
        try:
            await asyncio.to_thread(token_ledger.record, database_url, call_id, model, reply.usage)
        except SQLAlchemyError as exc:  # the reply matters more than the tally
            log.warning("could not record the tokens of %s: %s", call_id, exc)
    return reply.model_dump(mode="json")


async def within_token_limits(
    model: str, request: dict[str, Any], attempt: int = 0, call_id: str | None = None
) -> dict[str, Any]:
    """The model-call step, asked again after each durable wait for room in the minute."""
    while True:
        outcome = await model_call_step(model, request, attempt, call_id)
        if "token_wait_s" not in outcome:
            return outcome
        await DBOS.sleep_async(outcome["token_wait_s"])


@DBOS.workflow(name="llm_call")
async def llm_call(
    model: str, request: dict[str, Any], notice: dict[str, Any] | None = None
) -> dict[str, Any]:
    return await call_until_answered(within_token_limits, model, request, notice)


def durable_checkpoint(
    model: str, notice: CapacityNotice | None = None
) -> Callable[..., Awaitable[Any]]:
    """The agents' checkpoint inside a run: model calls and tools as steps of the run.
    ``notice`` says where to tell that the run waits for model capacity."""
    direct: bool | None = None
    told = notice.as_dict() if notice is not None else None

    async def checkpoint(name: str, fn: Callable[..., Awaitable[Any]], /, *args: Any) -> Any:
        nonlocal direct
        if ".llm." not in name:
            return await DBOS.run_step_async({"name": name}, fn, *args)
        if direct is None:  # once per agent, at its first call: the same place on replay
            direct = await DBOS.patch_async(DIRECT_PATCH)
        if not direct:
            return await queued(name, model, args[0], told)
        call_id = f"{DBOS.workflow_id}/{name}"

        async def attempt(model: str, request: dict[str, Any], number: int) -> dict[str, Any]:
            return await within_token_limits(model, request, number, call_id)

        return await call_until_answered(attempt, model, args[0], told)

    return checkpoint


async def queued(
    name: str, model: str, request: dict[str, Any], notice: dict[str, Any] | None
) -> dict[str, Any]:
    """The call as runs started before ``DIRECT_PATCH`` made it: a child on the LLM queue."""
    handle = await DBOS.enqueue_workflow_with_options_async(
        EnqueueOptions(
            queue_name=LLM_QUEUE, workflow_name="llm_call", workflow_id=f"{DBOS.workflow_id}/{name}"
        ),
        model,
        request,
        notice,
    )
    result: dict[str, Any] = await handle.get_result(polling_interval_sec=0.05)
    return result
