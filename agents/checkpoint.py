"""Durability, injected: every model call and tool call goes through a ``Checkpoint``.

In unit tests it is :func:`run_directly`; inside the service it is a DBOS step, so a replay
returns the recorded result instead of calling the model or the tool again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Checkpoint(Protocol):
    """Run ``fn(*args)`` once under ``name`` and return its (possibly recorded) result.

    ``fn`` is a coroutine function; its result must be JSON-serialisable data (dicts,
    lists, strings, numbers), never live objects, so it can be recorded and replayed.
    """

    def __call__(
        self, name: str, fn: Callable[..., Awaitable[T]], /, *args: Any
    ) -> Awaitable[T]: ...


async def run_directly(name: str, fn: Callable[..., Awaitable[T]], /, *args: Any) -> T:
    """The identity checkpoint: just call the function (tests, scripts)."""
    return await fn(*args)
