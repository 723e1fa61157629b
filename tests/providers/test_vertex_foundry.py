"""Claude on Google Vertex AI and Microsoft Foundry: the SDK's own clients against the
emulations of their routes and authentication."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from agents.errors import ModelError
from agents.llm import AnthropicModel, ModelRequest
from agents.model_providers import AnthropicConfig
from agents.pricing import cost_usd
from devtools.cloud_fronts import FoundryFront, VertexFront
from devtools.scripted_model import ScriptedModel, ScriptedModelServer, reply, text


def asking(question: str) -> ModelRequest:
    message = {"role": "user", "content": [{"type": "text", "text": question}]}
    return ModelRequest(system=[], tools=[], messages=[message], max_tokens=64)


def vertex(base_url: str, **fields: object) -> AnthropicConfig:
    return AnthropicConfig(
        provider="vertex",
        vertex_project_id="fixer-test",
        vertex_region="us-east5",
        vertex_base_url=f"{base_url}/v1",
        max_retries=0,
        **fields,  # type: ignore[arg-type]
    )


async def test_vertex_call_streams_from_stream_raw_predict_with_the_bearer_token() -> None:
    model = ScriptedModel([reply(text("from vertex"))])
    front = VertexFront(model, tokens={"ya29.test"})
    with ScriptedModelServer(front.respond) as server:
        config = vertex(server.base_url, vertex_access_token=SecretStr("ya29.test"))
        answer = await AnthropicModel("claude-sonnet-4-5", config).complete(asking("x"))
    assert answer.content == [{"type": "text", "text": "from vertex"}]
    sent = front.requests[0]
    assert sent.path == (
        "/v1/projects/fixer-test/locations/us-east5/publishers/anthropic/models/"
        "claude-sonnet-4-5@20250929:streamRawPredict"
    )
    assert sent.headers["authorization"] == "Bearer ya29.test"
    assert sent.body["anthropic_version"] == "vertex-2023-10-16" and "model" not in sent.body
    # us-east5 is a regional endpoint: 10% over the global price.
    assert answer.cost_usd == pytest.approx(cost_usd("claude-sonnet-4-5", answer.usage) * 1.1)


async def test_vertex_refuses_an_unknown_token_naming_the_google_settings() -> None:
    front = VertexFront(ScriptedModel([]), tokens={"ya29.good"})
    with ScriptedModelServer(front.respond) as server:
        config = vertex(server.base_url, vertex_access_token=SecretStr("ya29.stale"))
        with pytest.raises(ModelError) as refused:
            await AnthropicModel("claude-sonnet-4-5", config).complete(asking("x"))
    assert "GOOGLE_APPLICATION_CREDENTIALS" in str(refused.value)


def service_account(path: Path, token_uri: str) -> str:
    """A service-account key file (as the Cloud console gives it) whose token_uri is ours;
    returns the public key PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "fixer-test",
                "private_key_id": "k1",
                "private_key": pem,
                "client_email": "fixer@fixer-test.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": token_uri,
            }
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public.decode()


async def test_a_service_account_file_gets_a_token_from_its_token_uri(tmp_path: Path) -> None:
    model = ScriptedModel([reply(text("signed in"))])
    front = VertexFront(model)
    with ScriptedModelServer(front.respond) as server:
        key_file = tmp_path / "sa.json"
        front.service_account_certs["k1"] = service_account(key_file, f"{server.base_url}/token")
        config = AnthropicConfig(
            provider="vertex",
            vertex_region="us-east5",  # the project comes from the key file
            vertex_base_url=f"{server.base_url}/v1",
            google_credentials_file=str(key_file),
            max_retries=0,
        )
        answer = await AnthropicModel("claude-haiku-4-5", config).complete(asking("x"))
    assert answer.content == [{"type": "text", "text": "signed in"}]
    token = front.requests[0].headers["authorization"].removeprefix("Bearer ")
    assert token in front.tokens and token.startswith("ya29.scripted-")


async def test_foundry_call_sends_the_api_key_to_the_resource_messages_route() -> None:
    model = ScriptedModel([reply(text("from foundry"))])
    front = FoundryFront(model, api_keys={"foundry-key"})
    with ScriptedModelServer(front.respond) as server:
        config = AnthropicConfig(
            provider="foundry",
            foundry_api_key=SecretStr("foundry-key"),
            foundry_base_url=f"{server.base_url}/anthropic/",
            max_retries=0,
        )
        answer = await AnthropicModel("claude-sonnet-4-5", config).complete(asking("x"))
    assert answer.content == [{"type": "text", "text": "from foundry"}]
    assert front.requests[0].path == "/anthropic/v1/messages"
    assert front.requests[0].headers["api-key"] == "foundry-key"
    assert front.requests[0].body["model"] == "claude-sonnet-4-5"


async def test_foundry_refuses_a_wrong_key_naming_the_foundry_settings() -> None:
    front = FoundryFront(ScriptedModel([]), api_keys={"foundry-key"})
    with ScriptedModelServer(front.respond) as server:
        config = AnthropicConfig(
            provider="foundry",
            foundry_api_key=SecretStr("other"),
            foundry_base_url=f"{server.base_url}/anthropic/",
            max_retries=0,
        )
        with pytest.raises(ModelError) as refused:
            await AnthropicModel("claude-sonnet-4-5", config).complete(asking("x"))
    assert "ANTHROPIC_FOUNDRY_API_KEY" in str(refused.value)
