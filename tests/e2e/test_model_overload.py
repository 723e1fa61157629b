"""A model API out of capacity delays a run; only a refusal fails it.

The scripted model answers 529 for several seconds (longer than the SDK's own retries take),
then sends a 200 whose event stream breaks off with ``overloaded_error``, then the fix.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from devtools import sample_repo
from devtools.scripted_model import ScriptedError, mid_stream_error, overloaded_for
from devtools.stack import Stack, wait_until

WAITING = "Waiting for model capacity"


def status(stack: Stack) -> str:
    bodies = [c.body for c in stack.github.state.comments.values()]
    return bodies[0] if bodies else ""


def timeline_texts(stack: Stack, run_id: str) -> list[str]:
    page = httpx.get(
        f"{stack.url}/runs/{quote(run_id, safe='')}", headers={"Accept": "application/json"}
    )
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("title"), str):
                found.append(value["title"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(page.text))
    return found


def test_a_run_survives_an_overload_longer_than_the_sdk_retries(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    outage = overloaded_for(6.0, retry_after=0.25)
    stack = make_stack([outage, mid_stream_error(), *sample_repo.fix_script()])
    stack.env["FIXER_MODEL_RETRY_WINDOW_S"] = "120"
    stack.start_fixer()
    number = stack.open_issue()
    wait_until(lambda: WAITING in status(stack), what="the waiting-for-capacity comment")
    wait_until(lambda: stack.approval_messages(), timeout=180, what="the approval message")
    assert "Fixer stopped" not in status(stack)
    # The SDK makes 5 attempts per call (4 retries); the window outlasted several such calls.
    assert outage.answered > 10
    run_id = f"{sample_repo.REPO}#{number}:1"
    waits = [t for t in timeline_texts(stack, run_id) if t.startswith("⏳")]
    assert len(waits) == 1, f"one comment per wait episode, not per retry: {waits}"


def test_a_refused_key_still_fails_the_run_at_once(
    make_stack: Callable[[list[Any]], Stack],
) -> None:
    stack = make_stack([ScriptedError(401, "authentication_error", "invalid x-api-key")])
    stack.env["FIXER_MODEL_RETRY_WINDOW_S"] = "600"
    stack.start_fixer()
    started = time.monotonic()
    stack.open_issue()
    wait_until(lambda: "Fixer stopped" in status(stack), what="the failure comment")
    assert time.monotonic() - started < 60
    assert "ModelError" in status(stack) and "ANTHROPIC_API_KEY" in status(stack)
    assert len(stack.model.requests) == 1
