"""AnthropicModel on recorded API traffic (tests/fixtures/anthropic), through respx.

respx patches ``httpx``; this SDK speaks ``httpx2``, so ``httpx2_transport`` hands each SDK
request to the respx router and its answer back."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anthropic
import httpx
import httpx2
import pytest
import respx
from pydantic import SecretStr

from agents.errors import ModelError
from agents.llm import (
    AnthropicConfig,
    AnthropicModel,
    ModelRequest,
    ModelUnavailable,
    anthropic_client,
    with_cache_breakpoints,
)
from agents.pricing import cost_usd
from devtools.scripted_model import ScriptedModel, httpx2_transport, reply, text
from tests.conftest import load_fixture

URL = "https://api.anthropic.test/v1/messages"
REQUEST = ModelRequest(
    system=[{"type": "text", "text": "You are terse."}],
    tools=[{"name": "get_weather", "description": "Weather.", "input_schema": {"type": "object"}}],
    messages=[{"role": "user", "content": [{"type": "text", "text": "Weather in SF?"}]}],
    max_tokens=1024,
)


def model_on(router: respx.MockRouter, max_retries: int = 2) -> AnthropicModel:
    client = anthropic.AsyncAnthropic(
        api_key="sk-ant-test",
        base_url="https://api.anthropic.test",
        max_retries=max_retries,
        http_client=httpx2.AsyncClient(transport=httpx2_transport(router.async_handler)),
    )
    return AnthropicModel("claude-haiku-4-5", client=client)


def recorded(exchange: dict[str, Any], **extra_headers: str) -> httpx.Response:
    response = exchange["response"]
    headers = {k: v for k, v in response["headers"].items() if k != "content-length"}
    body = response["body"]
    content = body.encode() if isinstance(body, str) else httpx.Response(200, json=body).content
    return httpx.Response(
        response["status_code"], headers={**headers, **extra_headers}, content=content
    )


async def test_streamed_tool_use_becomes_plain_data_with_usage_and_cost() -> None:
    exchanges = load_fixture("anthropic/sdk-recorded.stream_tool_use_then_end_turn.555fb399.json")
    with respx.mock(assert_all_called=True) as router:
        route = router.post(URL).mock(return_value=recorded(exchanges[0]))
        reply = await model_on(router).complete(REQUEST)
    assert route.call_count == 1
    assert reply.stop_reason == "tool_use"
    assert reply.content == [
        {
            "type": "tool_use",
            "id": "toolu_018acGYLtfR52q9yDbWaEdQZ",
            "name": "get_weather",
            "input": {"location": "San Francisco, CA", "units": "f"},
            "caller": {"type": "direct"},
        }
    ]
    assert (reply.usage.input_tokens, reply.usage.output_tokens) == (656, 74)
    assert reply.cost_usd == pytest.approx(cost_usd("claude-haiku-4-5", reply.usage))
    assert reply.model_dump(mode="json") == type(reply).model_validate_json(
        reply.model_dump_json()
    ).model_dump(mode="json")


async def test_recorded_429s_are_retried_after_retry_after() -> None:
    exchanges = load_fixture("anthropic/sdk-recorded.stream_429x2_then_sse.a8b7dbb8.json")
    # The recorded 429s carry no retry-after (see SOURCES.md); today's API sends one.
    limited = [recorded(exchange, **{"retry-after": "0.3"}) for exchange in exchanges[:2]]
    with respx.mock(assert_all_called=True) as router:
        route = router.post(URL).mock(side_effect=[*limited, recorded(exchanges[2])])
        started = time.monotonic()
        reply = await model_on(router).complete(REQUEST)
        waited = time.monotonic() - started
    assert route.call_count == 3
    assert [c.request.headers["x-stainless-retry-count"] for c in route.calls] == ["0", "1", "2"]
    assert waited >= 0.6
    assert reply.stop_reason == "end_turn"


async def test_recorded_529_overloaded_is_retried() -> None:
    overloaded = load_fixture("anthropic/error_529_overloaded.real.json")
    exchanges = load_fixture("anthropic/sdk-recorded.stream_tool_use_then_end_turn.555fb399.json")
    busy = httpx.Response(
        529,
        content=overloaded["body_raw"].encode(),
        headers={
            **{k: v for k, v in overloaded["headers"].items() if k != "content-length"},
            "retry-after": "0.2",
        },
    )
    with respx.mock(assert_all_called=True) as router:
        route = router.post(URL).mock(side_effect=[busy, recorded(exchanges[0])])
        reply = await model_on(router).complete(REQUEST)
    assert route.call_count == 2
    assert reply.stop_reason == "tool_use"


async def test_overload_past_every_retry_is_model_unavailable() -> None:
    overloaded = load_fixture("anthropic/error_529_overloaded.real.json")
    busy = httpx.Response(
        529,
        content=overloaded["body_raw"].encode(),
        headers={"x-should-retry": "true", "retry-after": "0.01"},
    )
    with respx.mock() as router:
        route = router.post(URL).mock(return_value=busy)
        with pytest.raises(ModelUnavailable, match="529: overloaded_error"):
            await model_on(router, max_retries=1).complete(REQUEST)
    assert route.call_count == 2


async def test_recorded_400_is_a_model_error_without_retries() -> None:
    exchanges = load_fixture(
        "anthropic/sdk-recorded.tool_use_then_400_invalid_request_error.f59a9391.json"
    )
    with respx.mock() as router:
        route = router.post(URL).mock(return_value=recorded(exchanges[1]))
        with pytest.raises(ModelError, match=r"400: invalid_request_error: messages\.0\.content"):
            await model_on(router).complete(REQUEST)
    assert route.call_count == 1


async def test_bad_api_key_says_which_setting_to_fix() -> None:
    denied = httpx.Response(
        401,
        json={
            "type": "error",
            "error": {"type": "authentication_error", "message": "invalid x-api-key"},
        },
    )
    with respx.mock() as router:
        router.post(URL).mock(return_value=denied)
        with pytest.raises(ModelError, match="check ANTHROPIC_API_KEY"):
            await model_on(router).complete(REQUEST)


async def test_missing_credentials_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in (
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_PROFILE",
        "ANTHROPIC_CONFIG_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    with pytest.raises(ModelError, match="set ANTHROPIC_API_KEY"):
        await AnthropicModel("claude-haiku-4-5").complete(REQUEST)


def clear_anthropic_environment(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    for name in (
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_PROFILE",
        "ANTHROPIC_CONFIG_DIR",
        "ANTHROPIC_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))


async def test_key_and_base_url_come_from_the_config_not_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clear_anthropic_environment(monkeypatch, tmp_path)
    fake = ScriptedModel([reply(text("hello"))])
    with fake.serve() as server:
        config = AnthropicConfig(api_key=SecretStr("sk-ant-from-dotenv"), base_url=server.base_url)
        client = anthropic_client(config)
        try:
            answer = await AnthropicModel("claude-haiku-4-5", client=client).complete(REQUEST)
        finally:
            await client.close()
    assert answer.content == [{"type": "text", "text": "hello"}]
    # This SDK sends the API key as a bearer token (anthropic/_client.py, `_api_key_auth`).
    assert fake.requests[0].headers["authorization"] == "Bearer sk-ant-from-dotenv"


async def test_calls_on_one_client_share_one_connection(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clear_anthropic_environment(monkeypatch, tmp_path)
    fake = ScriptedModel([reply(text(str(n))) for n in range(5)])
    with fake.serve() as server:
        config = AnthropicConfig(api_key=SecretStr("sk-ant-test"), base_url=server.base_url)
        client = anthropic_client(config)
        try:
            model = AnthropicModel("claude-haiku-4-5", client=client)
            answers = [await model.complete(asking(str(n))) for n in range(5)]
        finally:
            await client.close()
    assert [a.content[0]["text"] for a in answers] == ["0", "1", "2", "3", "4"]
    assert server.connections == 1


def asking(question: str) -> ModelRequest:
    message = {"role": "user", "content": [{"type": "text", "text": question}]}
    return ModelRequest(system=[], tools=[], messages=[message], max_tokens=64)


def test_breakpoints_sit_on_last_tool_system_and_newest_messages_at_most_four() -> None:
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "task"}]},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "x", "input": {}}],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "1"}]},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t2", "name": "x", "input": {}}],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t2", "content": "2"}]},
    ]
    request = ModelRequest(
        system=REQUEST["system"], tools=REQUEST["tools"] * 2, messages=messages, max_tokens=10
    )
    marked = with_cache_breakpoints(request)
    assert "cache_control" not in marked["tools"][0] and "cache_control" in marked["tools"][1]
    assert marked["system"][0]["cache_control"] == {"type": "ephemeral"}
    flagged = [i for i, m in enumerate(marked["messages"]) if "cache_control" in m["content"][-1]]
    assert flagged == [2, 4]
    assert all("cache_control" not in block for m in messages for block in m["content"])
