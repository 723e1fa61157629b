"""Capacity failures are told apart from refusals, with the wait the API asked for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agents.capacity import CapacityPolicy, hinted_wait_s
from agents.errors import ModelError
from agents.llm import ModelRequest, ModelUnavailable
from devtools.scripted_model import ScriptedError, mid_stream_error, rate_limited, reply, text
from tests.agents.test_loop_fakes import scripted

REQUEST = ModelRequest(
    system=[{"type": "text", "text": "Be terse."}],
    tools=[],
    messages=[{"role": "user", "content": [{"type": "text", "text": "Hello"}]}],
    max_tokens=100,
)


@pytest.mark.parametrize("kind", ["overloaded_error", "api_error"])
async def test_an_error_event_after_a_200_is_a_capacity_failure_not_a_refusal(kind: str) -> None:
    model, fake = scripted([mid_stream_error(kind), reply(text("never"))])
    with pytest.raises(ModelUnavailable, match=kind):
        await model.complete(REQUEST)
    assert fake.remaining == 1  # nothing was recorded as a reply


async def test_a_rate_limit_past_the_sdk_retries_carries_the_wait_it_asked_for() -> None:
    model, _ = scripted([rate_limited(retry_after=0.4)] * 3)
    with pytest.raises(ModelUnavailable) as caught:
        await model.complete(REQUEST)
    assert caught.value.retry_after_s == 0.4


async def test_a_bad_request_is_still_a_refusal() -> None:
    model, _ = scripted([ScriptedError(400, "invalid_request_error", "max_tokens: too big")])
    with pytest.raises(ModelError, match="max_tokens"):
        await model.complete(REQUEST)


def test_an_exhausted_token_bucket_says_when_it_refills() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    reset = (now + timedelta(seconds=42)).isoformat().replace("+00:00", "Z")
    headers = {
        "anthropic-ratelimit-output-tokens-remaining": "0",
        "anthropic-ratelimit-output-tokens-reset": reset,
        "anthropic-ratelimit-requests-remaining": "12",
        "anthropic-ratelimit-requests-reset": (now + timedelta(seconds=900)).isoformat(),
    }
    assert hinted_wait_s(headers, now) == 42.0
    assert hinted_wait_s({"retry-after-ms": "1500", "retry-after": "9"}, now) == 1.5
    assert hinted_wait_s({}, now) is None


def test_backoff_honours_the_hint_and_grows_without_one() -> None:
    policy = CapacityPolicy(initial_s=2, max_s=60)
    assert policy.backoff(1, 5.0) == 5.0
    assert policy.backoff(1, 500.0) == 60.0
    assert 1.5 <= policy.backoff(1, None) <= 2.0
    assert 12 <= policy.backoff(4, None) <= 16
