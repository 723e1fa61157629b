"""FIXER_MODEL_PROVIDER and the providers' credential variables, read through Settings (so
`.env` works), and `fixer doctor`'s check of the chosen provider against its emulation."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from agents.llm import ModelRequest
from app.config import load_settings
from app.doctor_model import check_model
from app.model_clients import ModelClients
from devtools.bedrock_front import AwsKey, BedrockFront
from devtools.cloud_fronts import FoundryFront, VertexFront
from devtools.scripted_model import ScriptedModel, ScriptedModelServer, reply, text
from tests.providers.test_vertex_foundry import service_account

KEY = AwsKey("AKIAFIXERDOTENV", "dotenv-secret")


def asking(question: str) -> ModelRequest:
    message = {"role": "user", "content": [{"type": "text", "text": question}]}
    return ModelRequest(system=[], tools=[], messages=[message], max_tokens=64)


def bedrock_env(base_url: str, secret: str = KEY.secret) -> str:
    return (
        "FIXER_MODEL_PROVIDER=bedrock\nAWS_REGION=eu-west-1\n"
        f"AWS_ACCESS_KEY_ID={KEY.access_key_id}\nAWS_SECRET_ACCESS_KEY={secret}\n"
        f"ANTHROPIC_BEDROCK_BASE_URL={base_url}\nFIXER_MODEL=claude-haiku-4-5\n"
    )


async def test_bedrock_credentials_only_in_env_file_sign_the_run_s_calls(tmp_path: Path) -> None:
    model = ScriptedModel([reply(text("via .env"))])
    front = BedrockFront(model, region="eu-west-1", keys=[KEY])
    with ScriptedModelServer(front.respond) as server:
        (tmp_path / ".env").write_text(bedrock_env(server.base_url))
        clients = ModelClients(load_settings())
        try:
            answer = await clients.model("claude-haiku-4-5").complete(asking("hi"))
        finally:
            await clients.aclose()
    assert answer.content == [{"type": "text", "text": "via .env"}]
    assert "/eu-west-1/bedrock/aws4_request" in front.requests[0].headers["authorization"]
    assert front.requests[0].path.startswith("/model/anthropic.claude-haiku-4-5-20251001-v1:0/")


async def test_doctor_proves_bedrock_credentials_with_a_free_count_tokens_call(
    tmp_path: Path,
) -> None:
    front = BedrockFront(ScriptedModel([]), region="eu-west-1", keys=[KEY])
    with ScriptedModelServer(front.respond) as server:
        (tmp_path / ".env").write_text(bedrock_env(server.base_url))
        name, ok, detail = await check_model(load_settings())
    assert (name, ok) == ("Amazon Bedrock", True), detail
    counted = unquote(front.requests[-1].path)  # boto3 escapes the ':' of the version
    assert counted == "/model/anthropic.claude-haiku-4-5-20251001-v1:0/count-tokens"


async def test_doctor_reports_bedrock_refusing_the_secret_key(tmp_path: Path) -> None:
    front = BedrockFront(ScriptedModel([]), region="eu-west-1", keys=[KEY])
    with ScriptedModelServer(front.respond) as server:
        (tmp_path / ".env").write_text(bedrock_env(server.base_url, secret="not-it"))
        _, ok, detail = await check_model(load_settings())
    assert not ok
    assert "InvalidSignatureException" in detail and "AWS_ACCESS_KEY_ID" in detail


async def test_doctor_proves_vertex_credentials_from_a_service_account_file(
    tmp_path: Path,
) -> None:
    front = VertexFront(ScriptedModel([]))
    with ScriptedModelServer(front.respond) as server:
        front.service_account_certs["k1"] = service_account(
            tmp_path / "sa.json", f"{server.base_url}/token"
        )
        (tmp_path / ".env").write_text(
            "FIXER_MODEL_PROVIDER=vertex\nCLOUD_ML_REGION=us-east5\n"
            "GOOGLE_APPLICATION_CREDENTIALS=sa.json\n"
            f"ANTHROPIC_VERTEX_BASE_URL={server.base_url}/v1\n"
        )
        name, ok, detail = await check_model(load_settings())
    assert (name, ok) == ("Vertex AI", True), detail
    counted = front.requests[-1]
    assert counted.path.endswith("/publishers/anthropic/models/count-tokens:rawPredict")
    assert counted.body["model"] == "claude-sonnet-4-6"


async def test_doctor_names_the_missing_foundry_resource(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("FIXER_MODEL_PROVIDER=foundry\nANTHROPIC_FOUNDRY_API_KEY=k\n")
    name, ok, detail = await check_model(load_settings())
    assert (name, ok) == ("Microsoft Foundry", False)
    assert detail.startswith("ANTHROPIC_FOUNDRY_RESOURCE is not set")


async def test_foundry_resource_settings_reach_the_client(tmp_path: Path) -> None:
    front = FoundryFront(ScriptedModel([reply(text("ok"))]), api_keys={"fk"})
    with ScriptedModelServer(front.respond) as server:
        (tmp_path / ".env").write_text(
            "FIXER_MODEL_PROVIDER=foundry\nANTHROPIC_FOUNDRY_API_KEY=fk\n"
            f"ANTHROPIC_FOUNDRY_BASE_URL={server.base_url}/anthropic/\n"
        )
        clients = ModelClients(load_settings())
        try:
            answer = await clients.model("claude-sonnet-4-6").complete(asking("hi"))
        finally:
            await clients.aclose()
    assert answer.content == [{"type": "text", "text": "ok"}]
