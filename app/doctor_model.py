"""``fixer doctor``'s model check: the chosen provider's credentials are there, and a free
authenticated call goes through with them.

The call counts the tokens of a one-word prompt on the configured model, which costs
nothing on each platform that offers it and proves the credentials, the region/project and
the model id at once: Anthropic's ``/v1/messages/count_tokens``
(https://docs.claude.com/en/api/messages-count-tokens), Vertex AI's
``count-tokens:rawPredict`` (https://cloud.google.com/vertex-ai/generative-ai/docs/
partner-models/claude/count-tokens), Bedrock's ``CountTokens`` through boto3
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CountTokens.html).
Foundry documents no free call, so only its credentials are checked.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from pydantic import SecretStr

from agents.errors import ModelError
from agents.llm import _translate
from agents.model_providers import (
    PROVIDER_NAMES,
    AnthropicConfig,
    build_client,
    hint,
    provider_model_id,
    request_extras,
)
from app.config import HOW_TO_SET, Settings
from app.model_clients import anthropic_config

PING = [{"role": "user", "content": "ping"}]


def missing_for_provider(settings: Settings) -> str | None:
    """The first setting the chosen provider cannot do without, with how to set it."""
    provider = settings.fixer_model_provider
    if provider == "anthropic" and settings.anthropic_api_key is None:
        return "ANTHROPIC_API_KEY is not set: " + HOW_TO_SET["ANTHROPIC_API_KEY"]
    if provider == "bedrock" and not settings.aws_region:
        return "AWS_REGION is not set: the AWS region of your Bedrock model access"
    if provider == "vertex":
        if not settings.cloud_ml_region:
            return "CLOUD_ML_REGION is not set: the Vertex AI region of the model (or `global`)"
        if not settings.anthropic_vertex_project_id and not settings.google_application_credentials:
            return "ANTHROPIC_VERTEX_PROJECT_ID is not set: the Google Cloud project id"
    if provider == "foundry":
        if settings.anthropic_foundry_api_key is None:
            return "ANTHROPIC_FOUNDRY_API_KEY is not set: the key of your Foundry resource"
        if not (settings.anthropic_foundry_resource or settings.anthropic_foundry_base_url):
            return (
                "ANTHROPIC_FOUNDRY_RESOURCE is not set: the resource name "
                "(https://NAME.services.ai.azure.com), or ANTHROPIC_FOUNDRY_BASE_URL"
            )
    return None


async def check_model(settings: Settings) -> tuple[str, bool, str]:
    """(provider, ok, what was found) for the configured provider and every configured
    model."""
    config = anthropic_config(settings)
    who = PROVIDER_NAMES[config.provider]
    if problem := missing_for_provider(settings):
        return who, False, problem
    models = sorted({settings.fixer_model, *_agent_models(settings)})
    try:
        ids = [provider_model_id(config, model) for model in models]
        if config.provider == "foundry":
            return who, True, f"key present; model {', '.join(ids)} (no free call to try)"
        for model_id in ids:
            if config.provider == "bedrock":
                await asyncio.to_thread(_bedrock_count, config, model_id)
            else:
                await _count(config, model_id)
    except ModelError as exc:
        return who, False, str(exc)
    return who, True, f"credentials accepted for {', '.join(ids)}"


def _agent_models(settings: Settings) -> list[str]:
    return [
        m for m in (getattr(settings, f"fixer_{a}_model", None) for a in ("planner", "coder")) if m
    ]


async def _count(config: AnthropicConfig, model_id: str) -> None:
    client = build_client(config.model_copy(update={"max_retries": 1}))
    try:
        await client.messages.count_tokens(
            model=model_id,
            messages=PING,  # type: ignore[arg-type]
            extra_body=request_extras(config) or None,
        )
    except Exception as exc:
        raise _as_model_error(_translate(exc, model_id, config), exc) from exc
    finally:
        await client.close()


def _bedrock_count(config: AnthropicConfig, model_id: str) -> None:
    if config.aws_bearer_token is not None:
        return  # an API key signs nothing: boto3 cannot count with it here; the run will tell
    import boto3  # type: ignore[import-untyped]
    from botocore.exceptions import (  # type: ignore[import-untyped]
        BotoCoreError,
        ClientError,
    )

    session = boto3.Session(
        aws_access_key_id=_secret(config.aws_access_key_id),
        aws_secret_access_key=_secret(config.aws_secret_access_key),
        aws_session_token=_secret(config.aws_session_token),
        profile_name=config.aws_profile,
        region_name=config.aws_region,
    )
    client = session.client("bedrock-runtime", endpoint_url=config.bedrock_base_url)
    body: dict[str, Any] = {**request_extras(config), "max_tokens": 1, "messages": PING}
    try:
        client.count_tokens(
            modelId=model_id, input={"invokeModel": {"body": json.dumps(body).encode()}}
        )
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise ModelError(
            f"Bedrock refused {model_id} ({error.get('Code')}: {error.get('Message')}): "
            f"{hint(config)}"
        ) from exc
    except BotoCoreError as exc:
        raise ModelError(f"Bedrock could not be called: {exc}; {hint(config)}") from exc
    finally:
        client.close()


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _as_model_error(translated: Exception, original: Exception) -> ModelError:
    if isinstance(translated, ModelError):
        return translated
    return ModelError(f"{type(original).__name__}: {original}")
