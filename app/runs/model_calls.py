"""Model calls through the shared, rate-limited LLM queue.

Every worker's agents draw from one budget of requests per minute (``FIXER_LLM_RPM``): each
call is a small child workflow on a DBOS queue with a rate limiter, and the SDK still
retries 429/529 inside it; past those retries the child waits durably for capacity
(``app.runs.model_capacity``). The child's id is derived from the calling step, so a replay
finds the recorded reply instead of calling the model again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from dbos import DBOS, EnqueueOptions

from agents.llm import ModelUnavailable
from app.runs.context import current
from app.runs.engine import LLM_QUEUE
from app.runs.model_capacity import CapacityNotice, call_until_answered, policy, unavailable


@DBOS.step(name="model_call")
async def model_call_step(model: str, request: dict[str, Any], attempt: int = 0) -> dict[str, Any]:
    """The reply, or ``{"unavailable": ...}`` when capacity ran out (see model_capacity)."""
    # The process's shared client (built from Settings): one connection pool for every call.
    try:
        reply = await current().models.model(model).complete(request)  # type: ignore[arg-type]
    except ModelUnavailable as exc:
        return unavailable(exc, attempt, policy())
    return reply.model_dump(mode="json")


@DBOS.workflow(name="llm_call")
async def llm_call(
    model: str, request: dict[str, Any], notice: dict[str, Any] | None = None
) -> dict[str, Any]:
    return await call_until_answered(model_call_step, model, request, notice)


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
