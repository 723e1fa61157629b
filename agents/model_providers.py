"""Where Claude runs: Anthropic's API, Amazon Bedrock, Google Vertex AI or Microsoft Foundry,
each through the Anthropic SDK's own client, and how a model id reads on each.

Every credential arrives explicitly in an ``AnthropicConfig`` (the caller reads them from its
settings), so a key that lives only in ``.env`` works. Two provider rules the SDK leaves to us:

* Bedrock and Vertex take the API version in the request body, and the SDK now defaults it to
  the first-party ``2026-10-21``, which Bedrock's ARN-versioned models refuse with a 400
  (https://platform.claude.com/docs/en/build-with-claude/claude-on-amazon-bedrock-legacy,
  the warning at the top: "The Boto3 examples set ``anthropic_version`` in the request body,
  so they're not affected"). We send each platform's documented version:
  ``bedrock-2023-05-31`` and ``vertex-2023-10-16``
  (https://platform.claude.com/docs/en/build-with-claude/claude-on-vertex-ai).
* Model ids differ: ``claude-sonnet-4-5`` is ``anthropic.claude-sonnet-4-5-20250929-v1:0``
  on Bedrock (``us.``/``eu.``/``global.``… in front for a cross-region inference profile)
  and ``claude-sonnet-4-5@20250929`` on Vertex; ``agents/models.json`` lists them.
"""

from __future__ import annotations

from typing import Any, Literal

import anthropic
from pydantic import BaseModel, ConfigDict, SecretStr

from agents.errors import ModelError
from agents.model_catalog import catalog, is_geo_prefixed

Provider = Literal["anthropic", "bedrock", "vertex", "foundry"]
PROVIDERS: tuple[Provider, ...] = ("anthropic", "bedrock", "vertex", "foundry")

BEDROCK_VERSION = "bedrock-2023-05-31"
VERTEX_VERSION = "vertex-2023-10-16"
VERTEX_SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)

AnyClient = (
    anthropic.AsyncAnthropic
    | anthropic.AsyncAnthropicBedrock
    | anthropic.AsyncAnthropicVertex
    | anthropic.AsyncAnthropicFoundry
)


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


class AnthropicConfig(BaseModel):
    """Which provider the client talks to, where, with what credentials, and how it behaves."""

    model_config = ConfigDict(frozen=True)  # hashable: a process keys its shared clients by it

    provider: Provider = "anthropic"
    api_key: SecretStr | None = None
    """Anthropic's API key; unset leaves the SDK's own lookup (its environment variables)."""
    base_url: str | None = None
    """The Messages API base URL; unset = the SDK's (``ANTHROPIC_BASE_URL`` or the public API)."""
    max_retries: int = 4
    """SDK retries on 408/409/429/5xx/529 and connection errors, waiting as the API asks."""
    timeout_s: float = 600.0

    aws_region: str | None = None
    aws_access_key_id: SecretStr | None = None
    aws_secret_access_key: SecretStr | None = None
    aws_session_token: SecretStr | None = None
    aws_profile: str | None = None
    aws_bearer_token: SecretStr | None = None
    """A Bedrock API key (``AWS_BEARER_TOKEN_BEDROCK``), instead of SigV4-signed requests."""
    bedrock_base_url: str | None = None
    bedrock_inference_profile: str | None = None
    """``us``, ``eu``, ``apac``, ``jp``, ``global``…: prefixed to catalog Bedrock ids."""

    vertex_project_id: str | None = None
    vertex_region: str | None = None
    vertex_base_url: str | None = None
    google_credentials_file: str | None = None
    """A service-account (or other google-auth) JSON file; unset = Application Default
    Credentials."""
    vertex_access_token: SecretStr | None = None
    """A ready OAuth access token (short-lived; for tests and scripts)."""

    foundry_api_key: SecretStr | None = None
    foundry_resource: str | None = None
    foundry_base_url: str | None = None


def build_client(config: AnthropicConfig) -> AnyClient:
    """The SDK client for ``config.provider``; construction errors say what to set."""
    common: dict[str, Any] = {"max_retries": config.max_retries, "timeout": config.timeout_s}
    try:
        if config.provider == "bedrock":
            return _bedrock(config, common)
        if config.provider == "vertex":
            return _vertex(config, common)
        if config.provider == "foundry":
            return anthropic.AsyncAnthropicFoundry(
                api_key=_secret(config.foundry_api_key),
                **(
                    {"base_url": config.foundry_base_url}
                    if config.foundry_base_url
                    else {"resource": config.foundry_resource}
                ),
                **common,
            )
        return anthropic.AsyncAnthropic(
            api_key=_secret(config.api_key), base_url=config.base_url, **common
        )
    except anthropic.CredentialsError as exc:
        raise ModelError(
            "no Anthropic credentials: set ANTHROPIC_API_KEY (in the environment or .env)"
        ) from exc
    except (ValueError, anthropic.AnthropicError) as exc:
        raise ModelError(
            f"cannot set up the {config.provider} client: {exc}. {hint(config)}"
        ) from exc


def _bedrock(config: AnthropicConfig, common: dict[str, Any]) -> AnyClient:
    if not config.aws_region:
        raise ModelError("AWS_REGION is not set: Amazon Bedrock needs the region to call")
    keys: dict[str, Any] = {
        "aws_access_key": _secret(config.aws_access_key_id),
        "aws_secret_key": _secret(config.aws_secret_access_key),
        "aws_session_token": _secret(config.aws_session_token),
        "aws_profile": config.aws_profile,
    }
    if config.aws_bearer_token is not None:
        if any(keys.values()):
            raise ModelError(
                "both AWS_BEARER_TOKEN_BEDROCK and AWS keys or a profile are set: keep one"
            )
        return anthropic.AsyncAnthropicBedrock(
            api_key=_secret(config.aws_bearer_token),
            aws_region=config.aws_region,
            base_url=config.bedrock_base_url,
            **common,
        )
    return anthropic.AsyncAnthropicBedrock(
        **keys, aws_region=config.aws_region, base_url=config.bedrock_base_url, **common
    )


def _vertex(config: AnthropicConfig, common: dict[str, Any]) -> AnyClient:
    if not config.vertex_region:
        raise ModelError("CLOUD_ML_REGION is not set: Vertex AI needs the region (or `global`)")
    credentials: Any = None
    project = config.vertex_project_id
    if config.vertex_access_token is None and config.google_credentials_file:
        import google.auth

        credentials, found = google.auth.load_credentials_from_file(  # type: ignore[no-untyped-call]
            config.google_credentials_file, scopes=list(VERTEX_SCOPES)
        )
        project = project or found
    options: dict[str, Any] = {"project_id": project} if project else {}
    return anthropic.AsyncAnthropicVertex(
        region=config.vertex_region,
        access_token=_secret(config.vertex_access_token),
        credentials=credentials,
        base_url=config.vertex_base_url,
        **options,
        **common,
    )


def provider_model_id(config: AnthropicConfig, model: str) -> str:
    """``model`` (a Claude API id, or already the provider's form) as ``config.provider``
    names it."""
    if config.provider == "bedrock":
        if "anthropic." in model or model.startswith("arn:"):
            return model  # already a Bedrock id, inference profile or ARN
        facts = catalog().find(model)
        if facts is None or facts.bedrock is None:
            raise ModelError(
                f"no Amazon Bedrock id is known for model {model!r}: give its Bedrock id "
                "(anthropic.…) in FIXER_MODEL or the repository's model setting, or add it to "
                "agents/models.json"
            )
        profile = config.bedrock_inference_profile
        return f"{profile}.{facts.bedrock}" if profile else facts.bedrock
    if config.provider == "vertex":
        if "@" in model:
            return model
        facts = catalog().find(model)
        if facts is None or facts.vertex is None:
            raise ModelError(
                f"no Vertex AI id is known for model {model!r}: give its Vertex id "
                "(claude-…@date) in FIXER_MODEL or the repository's model setting"
            )
        return facts.vertex
    return model


def request_extras(config: AnthropicConfig) -> dict[str, Any]:
    """Body fields a provider needs beyond the Messages API's (the API version)."""
    if config.provider == "bedrock":
        return {"anthropic_version": BEDROCK_VERSION}
    if config.provider == "vertex":
        return {"anthropic_version": VERTEX_VERSION}
    return {}


def is_regional(config: AnthropicConfig, provider_id: str) -> bool:
    """Whether calls go to a regional (not global) endpoint, which costs more on Bedrock and
    Vertex (https://platform.claude.com/docs/en/docs/about-claude/pricing
    #third-party-platform-pricing)."""
    if config.provider == "bedrock":
        return is_geo_prefixed(provider_id)
    if config.provider == "vertex":
        return config.vertex_region not in (None, "global")
    return False


def hint(config: AnthropicConfig) -> str:
    """What to check when the provider refuses the credentials."""
    return {
        "anthropic": "check ANTHROPIC_API_KEY",
        "bedrock": "check AWS_REGION and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY "
        "(+ AWS_SESSION_TOKEN), AWS_PROFILE or AWS_BEARER_TOKEN_BEDROCK, and that they may "
        "call bedrock:InvokeModel",
        "vertex": "check ANTHROPIC_VERTEX_PROJECT_ID, CLOUD_ML_REGION and "
        "GOOGLE_APPLICATION_CREDENTIALS (or `gcloud auth application-default login`)",
        "foundry": "check ANTHROPIC_FOUNDRY_API_KEY and ANTHROPIC_FOUNDRY_RESOURCE "
        "(or ANTHROPIC_FOUNDRY_BASE_URL)",
    }[config.provider]


PROVIDER_NAMES: dict[Provider, str] = {
    "anthropic": "Anthropic",
    "bedrock": "Amazon Bedrock",
    "vertex": "Vertex AI",
    "foundry": "Microsoft Foundry",
}
