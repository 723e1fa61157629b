"""Claude on Amazon Bedrock: the SDK's own Bedrock client, SigV4-signed, against the Bedrock
emulation (InvokeModel routes, AWS event-stream framing)."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import pytest
from pydantic import SecretStr

from agents.errors import ModelError
from agents.llm import AnthropicModel, ModelRequest, ModelUnavailable
from agents.model_providers import AnthropicConfig
from agents.pricing import Usage, cost_usd
from devtools.bedrock_front import AwsKey, BedrockFront
from devtools.scripted_model import (
    ScriptedModel,
    ScriptedModelServer,
    mid_stream_error,
    reply,
    text,
    tool_use,
)

KEY = AwsKey("AKIAFIXERTEST", "fixer-secret-key", "fixer-session-token")


def asking(question: str) -> ModelRequest:
    message = {"role": "user", "content": [{"type": "text", "text": question}]}
    return ModelRequest(system=[], tools=[], messages=[message], max_tokens=64)


def bedrock(base_url: str, secret: str = KEY.secret, profile: str | None = None) -> AnthropicConfig:
    return AnthropicConfig(
        provider="bedrock",
        aws_region="us-east-1",
        aws_access_key_id=SecretStr(KEY.access_key_id),
        aws_secret_access_key=SecretStr(secret),
        aws_session_token=SecretStr(KEY.session_token or ""),
        bedrock_base_url=base_url,
        bedrock_inference_profile=profile,
        max_retries=0,
    )


@pytest.fixture
def served() -> Iterator[tuple[ScriptedModel, BedrockFront, str]]:
    model = ScriptedModel(
        [reply(text("Reading."), tool_use("grep", {"pattern": "def add"})), reply(text("done"))]
    )
    front = BedrockFront(model, keys=[KEY])
    with ScriptedModelServer(front.respond) as server:
        yield model, front, server.base_url


async def test_a_signed_bedrock_call_streams_the_reply_through_event_stream_frames(
    served: tuple[ScriptedModel, BedrockFront, str],
) -> None:
    _model, front, url = served
    answer = await AnthropicModel("claude-sonnet-4-5", bedrock(url)).complete(asking("fix it"))
    assert answer.content[0] == {"type": "text", "text": "Reading."}
    assert answer.content[1]["name"] == "grep" and answer.content[1]["input"] == {
        "pattern": "def add"
    }
    sent = front.requests[0]
    assert (
        sent.path == "/model/anthropic.claude-sonnet-4-5-20250929-v1:0/invoke-with-response-stream"
    )
    assert sent.headers["authorization"].startswith(
        f"AWS4-HMAC-SHA256 Credential={KEY.access_key_id}/"
    )
    assert sent.body["anthropic_version"] == "bedrock-2023-05-31"
    assert "model" not in sent.body and "stream" not in sent.body
    assert answer.usage.output_tokens > 0 and answer.cost_usd > 0


async def test_a_wrong_secret_key_is_refused_naming_the_aws_settings(
    served: tuple[ScriptedModel, BedrockFront, str],
) -> None:
    _, _front, url = served
    with pytest.raises(ModelError) as refused:
        await AnthropicModel("claude-sonnet-4-5", bedrock(url, secret="wrong")).complete(
            asking("x")
        )
    assert "signature we calculated does not match" in str(refused.value)
    assert "AWS_ACCESS_KEY_ID" in str(refused.value)


async def test_the_sdk_default_api_version_is_refused_as_bedrock_does(
    served: tuple[ScriptedModel, BedrockFront, str],
) -> None:
    _, _, url = served
    client = anthropic.AsyncAnthropicBedrock(
        aws_access_key=KEY.access_key_id,
        aws_secret_key=KEY.secret,
        aws_session_token=KEY.session_token,
        aws_region="us-east-1",
        base_url=url,
        max_retries=0,
    )
    with pytest.raises(anthropic.BadRequestError) as refused:
        await client.messages.create(
            model="anthropic.claude-sonnet-4-5-20250929-v1:0",
            max_tokens=16,
            messages=[{"role": "user", "content": "hi"}],
        )
    assert "2026-10-21" in str(refused.value)
    await client.close()


async def test_an_inference_profile_prefixes_the_id_and_is_priced_regional(
    served: tuple[ScriptedModel, BedrockFront, str],
) -> None:
    _, front, url = served
    answer = await AnthropicModel("claude-sonnet-4-5", bedrock(url, profile="us")).complete(
        asking("x")
    )
    assert front.requests[0].path.startswith("/model/us.anthropic.claude-sonnet-4-5-20250929")
    base = cost_usd("claude-sonnet-4-5", answer.usage)
    assert answer.cost_usd == pytest.approx(base * 1.1)


async def test_a_throttling_exception_mid_stream_is_a_capacity_wait_not_a_failure() -> None:
    model = ScriptedModel([mid_stream_error("overloaded_error")])
    front = BedrockFront(model, keys=[KEY])
    with ScriptedModelServer(front.respond) as server, pytest.raises(ModelUnavailable):
        await AnthropicModel("claude-sonnet-4-5", bedrock(server.base_url)).complete(asking("x"))


def test_a_model_bedrock_does_not_list_is_a_clear_error() -> None:
    with pytest.raises(
        ModelError, match="no Amazon Bedrock id is known for model 'claude-opus-4-7'"
    ):
        AnthropicModel("claude-opus-4-7", bedrock("http://127.0.0.1:9"))


def test_bedrock_usage_prices_as_the_claude_model() -> None:
    usage = Usage(input_tokens=1000, output_tokens=1000)
    assert cost_usd("anthropic.claude-sonnet-4-5-20250929-v1:0", usage) == cost_usd(
        "claude-sonnet-4-5", usage
    )
