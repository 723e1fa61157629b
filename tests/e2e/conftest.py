"""End-to-end fixtures: a fresh stack per test (emulations, scripted model, `fixer serve`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.stack import Stack


@pytest.fixture
def make_stack(
    tmp_path: Path, app_key: tuple[str, str], docker_client: Any
) -> Iterator[Callable[[list[Any]], Stack]]:
    stacks: list[Stack] = []

    def make(script: list[Any]) -> Stack:
        stack = Stack(tmp_path, app_key, script)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.stop()
