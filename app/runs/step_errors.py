"""Step failures DBOS can record, sorted into the ones worth retrying and the ones that are not.

DBOS pickles a step's last exception into the run's history. Client exceptions carry live
response objects (slack_sdk's headers, httpx responses) that do not pickle, and a failed
pickle would break the workflow itself; so side-effect steps re-raise as plain text.

A 4xx from GitHub is a refusal that asking again will not change (no permission, validation
failed, the repository archived, the comment deleted), except 408 and 429 and the 403s of
the rate limits: https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api
and https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api. Those
become :class:`GitHubRefused`, which the steps' retry policy does not retry (DBOS's
``should_retry``) and the workflow turns into a failed run with the reason shown.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from githubkit.exception import RateLimitExceeded, RequestFailed

from app.errors import ExternalServiceError, FixerError, GitHubRefused, PermanentError

P = ParamSpec("P")
R = TypeVar("R")

TRANSIENT_4XX = frozenset({408, 429})


def is_permanent(exc: BaseException) -> bool:
    """Whether retrying cannot help: the step's retry stops and the run fails."""
    return isinstance(exc, PermanentError)


def should_retry(exc: BaseException) -> bool:
    """DBOS ``should_retry`` for side-effect steps: everything but permanent refusals."""
    return not is_permanent(exc)


def _is_rate_limit(exc: RequestFailed) -> bool:
    if isinstance(exc, RateLimitExceeded):
        return True
    headers = exc.response.headers
    if headers.get("retry-after") or headers.get("x-ratelimit-remaining") == "0":
        return True
    return "rate limit" in _message(exc).lower()


def _message(exc: RequestFailed) -> str:
    try:
        body = exc.response.json()
    except ValueError:
        return exc.response.text[:500]
    if not isinstance(body, dict):
        return str(body)[:500]
    message = str(body.get("message") or "")
    details = [
        str(error.get("message") or error.get("code") or "")
        for error in body.get("errors") or []
        if isinstance(error, dict)
    ]
    return "; ".join(part for part in [message, *details] if part)


def refusal_of(exc: BaseException) -> GitHubRefused | None:
    """The permanent refusal ``exc`` stands for, or None when retrying may help."""
    if not isinstance(exc, RequestFailed):
        return None
    status = exc.response.status_code
    if not 400 <= status < 500 or status in TRANSIENT_4XX or _is_rate_limit(exc):
        return None
    request = exc.request
    return GitHubRefused(
        f"GitHub refused {request.method} {request.url.path} with {status}: {_message(exc)}"
    )


def recordable_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except FixerError:
            raise
        except Exception as exc:
            refusal = refusal_of(exc)
            if refusal is not None:
                raise refusal from None
            raise ExternalServiceError(f"{type(exc).__name__}: {exc}") from None

    return wrapper
