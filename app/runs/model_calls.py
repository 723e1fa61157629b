"""Model calls through the shared, rate-limited LLM queue.

Every worker's agents draw from one budget of requests per minute (``FIXER_LLM_RPM``): each
call is a small child workflow on a DBOS queue with a rate limiter, and the SDK still
retries 429/529 inside it; past those retries the child waits durably for capacity
(``app.runs.model_capacity``). The child's id is derived from the calling step, so a replay
finds the recorded reply instead of calling the model again.

With ``FIXER_LLM_ITPM``/``FIXER_LLM_OTPM`` set, the model-call step first asks the shared
token ledger (``app.runs.token_ledger``) whether the call fits in the last minute's tokens
of every worker; if not, it records how long to wait and the workflow sleeps durably (a
worker killed meanwhile resumes the wait), then asks again. The step that records the reply
also records its tokens, in a row keyed by this workflow's id. The check lives in the same
step as the call, so calls already in flight keep their order of steps.
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


def token_limits() -> Limits:
    settings = current().settings
    return Limits(itpm=settings.fixer_llm_itpm, otpm=settings.fixer_llm_otpm)


@DBOS.step(name="model_call")
async def model_call_step(model: str, request: dict[str, Any], attempt: int = 0) -> dict[str, Any]:
    """The reply; ``{"unavailable": ...}`` when capacity ran out (see model_capacity); or
    ``{"token_wait_s": s}`` when the call would pass the deployment's tokens per minute."""
    limits, call_id = token_limits(), DBOS.workflow_id or ""
    database_url = current().settings.database_url
    if limits.any:
        try:
            wait = await asyncio.to_thread(
                token_ledger.admit, database_url, call_id, model, request, limits
            )
        except SQLAlchemyError as exc:
            log.warning("token ledger unavailable for %s, asking again: %s", call_id, exc)
            wait = LEDGER_RETRY_S
        if wait > 0:
            return {"token_wait_s": wait}
    # The process's shared client (built from Settings): one connection pool for every call.
    try:
        reply = await current().models.model(model).complete(request)  # type: ignore[arg-type]
    except ModelUnavailable as exc:
        return unavailable(exc, attempt, policy())
    if limits.any:
        try:
            await asyncio.to_thread(token_ledger.record, database_url, call_id, model, reply.usage)
        except SQLAlchemyError as exc:  # the reply matters more than the tally
            log.warning("could not record the tokens of %s: %s", call_id, exc)
    return reply.model_dump(mode="json")


async def within_token_limits(
    model: str, request: dict[str, Any], attempt: int = 0
) -> dict[str, Any]:
    """The model-call step, asked again after each durable wait for tokens to free up."""
    while True:
        outcome = await model_call_step(model, request, attempt)
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
    """The agents' checkpoint inside a run: model calls via the LLM queue, tools as steps.
    ``notice`` says where to tell that the run waits for model capacity."""

    async def checkpoint(name: str, fn: Callable[..., Awaitable[Any]], /, *args: Any) -> Any:
        if ".llm." not in name:
            return await DBOS.run_step_async({"name": name}, fn, *args)
        handle = await DBOS.enqueue_workflow_with_options_async(
            EnqueueOptions(
                queue_name=LLM_QUEUE,
                workflow_name="llm_call",
                workflow_id=f"{DBOS.workflow_id}/{name}",
            ),
            model,
            args[0],
            notice.as_dict() if notice is not None else None,
        )
        # Model calls are short and many: poll for the reply often.
        return await handle.get_result(polling_interval_sec=0.05)

    return checkpoint
