"""Step failures DBOS can record.

DBOS pickles a step's last exception into the run's history. Client exceptions carry live
response objects (slack_sdk's headers, httpx responses) that do not pickle, and a failed
pickle would break the workflow itself; so side-effect steps re-raise as plain text.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from app.errors import ExternalServiceError, FixerError

P = ParamSpec("P")
R = TypeVar("R")


def recordable_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except FixerError:
            raise
        except Exception as exc:
            raise ExternalServiceError(f"{type(exc).__name__}: {exc}") from None

    return wrapper
