"""Errors that end a run instead of leaving it active, and the words the run shows for them.

A step raises a :class:`~app.errors.PermanentError` when retrying cannot help (GitHub's 4xx,
a declined push) and DBOS's ``DBOSMaxStepRetriesExceeded`` when its retries ran out on a
failure that might have passed. Either way nothing will move the run again by itself, so the
workflow fails it, with the reason on the issue and in Slack (DESIGN §4: no run is left in
an active state that nothing will move).
"""

from __future__ import annotations

from dbos._error import DBOSMaxStepRetriesExceeded

from app.errors import ExternalServiceError, PermanentError

RUN_ENDING = (PermanentError, DBOSMaxStepRetriesExceeded)
"""What a step may raise that the workflow turns into a failed run."""

NOT_SHOWN = (PermanentError, ExternalServiceError, DBOSMaxStepRetriesExceeded)
"""What may stop a notice about the failure (the issue archived, the comment deleted): the
run still fails, and the other channel still says why."""


def reason_for(exc: BaseException, run_id: str) -> str:
    """What the status comment and Slack say about ``exc``, with what to do."""
    if isinstance(exc, DBOSMaxStepRetriesExceeded):
        last = exc.errors[-1] if exc.errors else None
        detail = f": {last}" if last is not None else ""
        return (
            f"step `{exc.step_name}` kept failing after {exc.max_retries} attempts{detail}. "
            f"Once the service is back, `fixer runs retry {run_id}` carries on from there"
        )
    return str(exc)
