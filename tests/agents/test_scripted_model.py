"""The scripted model: the real SDK parses its JSON and SSE, over respx and over HTTP."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import httpx
import httpx2
import pytest
import respx

from agents.errors import ModelError
from agents.llm import AnthropicModel, ModelRequest
from devtools.scripted_model import (
    ScriptedModel,
    httpx2_transport,
    overloaded,
    rate_limited,
    reply,
    server_error,
    text,
    tool_use,
)

BIG_SYSTEM = [{"type": "text", "text": "Be careful. " * 600}]  # past the 1024-token minimum


def request(*messages: dict[str, Any]) -> ModelRequest:
    return ModelRequest(
        system=BIG_SYSTEM,
        tools=[],
        max_tokens=100,
        messages=list(messages) or [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
    )


def client_for(base_url: str, transport: httpx2.MockTransport | None = None) -> Any:
    http = httpx2.AsyncClient(transport=transport) if transport else None
    return anthropic.AsyncAnthropic(
        api_key="sk-ant-test", base_url=base_url, max_retries=3, http_client=http
    )


async def test_json_replies_parse_with_the_sdk_and_are_recorded() -> None:
    fake = ScriptedModel([reply(text("hello"))])
    client = client_for("https://anthropic.test", fake.transport())
    message = await client.messages.create(
        model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
    )
    assert message.content[0].type == "text" and message.content[0].text == "hello"
    assert message.model == "claude-haiku-4-5"
    assert fake.requests[0].headers["authorization"] == "Bearer sk-ant-test"
    assert fake.requests[0].body["messages"] == [{"role": "user", "content": "hi"}]


async def test_through_respx_as_a_side_effect() -> None:
    fake = ScriptedModel([reply(tool_use("grep", {"pattern": "def add"}))])
    with respx.mock() as router:
        route = router.post("https://anthropic.test/v1/messages").mock(
            side_effect=fake.handle_httpx
        )
        client = client_for("https://anthropic.test", httpx2_transport(router.async_handler))
        model = AnthropicModel("claude-haiku-4-5", client=client)
        answer = await model.complete(request())
    assert route.call_count == 1
    assert answer.content[0]["input"] == {"pattern": "def add"}
    assert fake.requests[0].body["stream"] is True


async def test_served_over_http_via_anthropic_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = ScriptedModel(
        [
            rate_limited(retry_after=0.05),
            overloaded(0.05),
            server_error(0.05),
            reply(text("after three errors")),
        ]
    )
    with fake.serve() as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-demo")
        model = AnthropicModel("claude-haiku-4-5")
        answer = await model.complete(request())
    assert answer.content == [{"type": "text", "text": "after three errors"}]
    assert len(fake.requests) == 4
    assert [r.headers["x-stainless-retry-count"] for r in fake.requests] == ["0", "1", "2", "3"]


async def test_cache_usage_follows_the_shared_prefix_up_to_the_breakpoints() -> None:
    fake = ScriptedModel([reply(tool_use("read", {"path": "a"})), reply(text("done"))])
    model = AnthropicModel(
        "claude-haiku-4-5", client=client_for("https://anthropic.test", fake.transport())
    )
    task = {"role": "user", "content": [{"type": "text", "text": "task"}]}
    first = await model.complete(request(task))
    result = {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": first.content[0]["id"], "content": "x" * 4000}
        ],
    }
    second = await model.complete(
        request(task, {"role": "assistant", "content": first.content}, result)
    )
    assert first.usage.cache_read_input_tokens == 0
    assert first.usage.cache_creation_input_tokens == first.usage.total_input_tokens
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert second.usage.cache_creation_input_tokens > 1000  # the new tool result
    assert second.usage.input_tokens == 0


def test_requests_the_api_would_reject_get_a_400() -> None:
    fake = ScriptedModel([reply(text("never"))] * 2)
    marked = [
        {"type": "text", "text": str(n), "cache_control": {"type": "ephemeral"}} for n in range(5)
    ]
    too_many = {"messages": [{"role": "user", "content": marked}]}
    answer = fake.respond("POST", "/v1/messages", {}, json.dumps(too_many).encode())
    assert answer.status == 400 and b"maximum of 4 blocks" in answer.body
    stray = {
        "messages": [
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "toolu_x", "content": "?"}],
            }
        ]
    }
    answer = fake.respond("POST", "/v1/messages", {}, json.dumps(stray).encode())
    assert answer.status == 400 and b"unexpected `tool_use_id`" in answer.body
    assert fake.remaining == 2


async def test_an_exhausted_script_is_a_clear_error() -> None:
    fake = ScriptedModel([])
    model = AnthropicModel(
        "claude-haiku-4-5", client=client_for("https://anthropic.test", fake.transport())
    )
    with pytest.raises(ModelError, match="script exhausted"):
        await model.complete(request())


def test_sse_stream_is_the_api_event_sequence() -> None:
    fake = ScriptedModel([reply(text("hi"), tool_use("read", {"path": "a.py"}))])
    body = {"stream": True, "model": "m", "messages": [{"role": "user", "content": "x"}]}
    answer = fake.respond("POST", "/v1/messages", {}, json.dumps(body).encode())
    events = [line[7:] for line in answer.body.decode().splitlines() if line.startswith("event:")]
    assert events[:3] == ["message_start", "ping", "content_block_start"]
    assert events[-2:] == ["message_delta", "message_stop"]
    assert httpx.Response(200, content=answer.body).text.count("input_json_delta") >= 1
