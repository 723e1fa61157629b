"""Riding out a model API that is out of capacity, durably, inside the ``llm_call`` workflow.

The SDK retries 429/529/5xx a few times within one call; past those (a sustained overload,
a rate-limit window, an ``overloaded_error`` event after a 200), the model-call step
returns ``{"unavailable": ...}`` instead of raising. The workflow then sleeps durably
(``DBOS.sleep_async``: a worker killed mid-wait resumes the wait, not a new one) for as
long as the API asked, and asks again, for up to ``FIXER_MODEL_RETRY_WINDOW_S`` from the
first failure. The run's status comment says "waiting for model capacity" once per wait
episode, and goes back to what it said when the model answers. Refusals (auth, bad
request, unknown model) are raised by the step at once and fail the run.

Every input to a decision is a recorded step output (the failure's time and the wait it
asked for), so a replay takes the same decisions.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from dbos import DBOS

from agents.capacity import CapacityPolicy
from agents.llm import ModelUnavailable
from app.runs.context import current
from app.runs.github_steps import run_url, status_comment_step

Attempt = Callable[[str, dict[str, Any], int], Awaitable[dict[str, Any]]]


@dataclass
class CapacityNotice:
    """Where to say that a run waits for the model, and what to say again once it answers."""

    run_id: str
    request: dict[str, Any]
    resume: str
    """The status comment's text before the wait (planning, coding…)."""

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "request": self.request, "resume": self.resume}


def waiting_text(run_id: str, reason: str) -> str:
    return (
        f"⏳ Waiting for model capacity — the model API is busy ({reason}); Fixer keeps "
        f"trying and carries on where it was. [Follow the run]({run_url(run_id)})"
    )


def unavailable(exc: ModelUnavailable, attempt: int, policy: CapacityPolicy) -> dict[str, Any]:
    """What the step records for a capacity failure: when, why, and how long to wait."""
    return {
        "unavailable": {
            "at": time.time(),
            "reason": str(exc),
            "wait_s": policy.backoff(attempt + 1, exc.retry_after_s),
        }
    }


def policy() -> CapacityPolicy:
    return CapacityPolicy(window_s=current().settings.fixer_model_retry_window_s)


async def call_until_answered(
    attempt: Attempt, model: str, request: dict[str, Any], notice: dict[str, Any] | None
) -> dict[str, Any]:
    """The model's reply, however long (within the window) capacity takes to come back."""
    window = policy().window_s
    first_at: float | None = None
    waiting = False
    number = 0
    while True:
        outcome = await attempt(model, request, number)
        failure = outcome.get("unavailable")
        if failure is None:
            if waiting and notice is not None:
                await status_comment_step(notice["run_id"], notice["request"], notice["resume"])
            return outcome
        first_at = failure["at"] if first_at is None else first_at
        if failure["at"] - first_at >= window:
            raise ModelUnavailable(
                f"the model API stayed out of capacity for {failure['at'] - first_at:.0f}s, "
                f"past FIXER_MODEL_RETRY_WINDOW_S ({window:.0f}s): {failure['reason']}"
            )
        if not waiting and notice is not None:
            reason = failure["reason"][:200]
            await status_comment_step(
                notice["run_id"], notice["request"], waiting_text(notice["run_id"], reason)
            )
        waiting = True
        number += 1
        await DBOS.sleep_async(failure["wait_s"])
