"""The model clients of this process: built from Settings, one per configuration, closed at
shutdown.

A client owns a connection pool. Built per call, every model call paid for a new TCP (and
TLS) connection and left the client unclosed; shared, a run's calls reuse one connection.
The key and base URL come from Settings, so a key that lives only in ``.env`` works.

Clients are also kept per event loop: a pooled connection belongs to the loop that opened it,
and DBOS runs a workflow on the service's loop or, before that one runs, on a loop of its own.
"""

from __future__ import annotations

import asyncio

from agents.llm import AnthropicModel, anthropic_client
from agents.model_providers import AnthropicConfig, AnyClient
from app.config import Settings


def anthropic_config(settings: Settings) -> AnthropicConfig:
    """The model client's configuration: FIXER_MODEL_PROVIDER and that provider's credentials
    (ANTHROPIC_API_KEY; AWS_*; ANTHROPIC_VERTEX_PROJECT_ID, CLOUD_ML_REGION,
    GOOGLE_APPLICATION_CREDENTIALS; ANTHROPIC_FOUNDRY_*), each passed to the SDK explicitly."""
    credentials = settings.google_application_credentials
    return AnthropicConfig(
        provider=settings.fixer_model_provider,
        api_key=settings.anthropic_api_key,
        base_url=settings.anthropic_base_url,
        aws_region=settings.aws_region,
        aws_access_key_id=settings.aws_access_key_id,
        aws_secret_access_key=settings.aws_secret_access_key,
        aws_session_token=settings.aws_session_token,
        aws_profile=settings.aws_profile,
        aws_bearer_token=settings.aws_bearer_token_bedrock,
        bedrock_base_url=settings.anthropic_bedrock_base_url,
        bedrock_inference_profile=settings.fixer_bedrock_inference_profile,
        vertex_project_id=settings.anthropic_vertex_project_id,
        vertex_region=settings.cloud_ml_region,
        vertex_base_url=settings.anthropic_vertex_base_url,
        google_credentials_file=str(credentials) if credentials else None,
        foundry_api_key=settings.anthropic_foundry_api_key,
        foundry_resource=settings.anthropic_foundry_resource,
        foundry_base_url=settings.anthropic_foundry_base_url,
    )


class ModelClients:
    """One client per (provider, configuration, event loop) for the life of the process."""

    def __init__(self, settings: Settings) -> None:
        self.config = anthropic_config(settings)
        self._clients: dict[
            tuple[str, AnthropicConfig, asyncio.AbstractEventLoop | None],
            AnyClient,
        ] = {}
        self.built = 0
        """Clients constructed so far (one per process and loop is the point)."""

    def anthropic(self) -> AnyClient:
        """The shared client (of the configured provider) for the running event loop."""
        key = (self.config.provider, self.config, _running_loop())
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = anthropic_client(self.config)
            self.built += 1
        return client

    def model(self, name: str) -> AnthropicModel:
        """``name`` on the shared client (cheap: the model object holds no connection)."""
        return AnthropicModel(name, self.config, client=self.anthropic())

    async def aclose(self) -> None:
        """Close the clients of the running loop; those of a loop already gone are dropped
        (their connections went with it)."""
        loop = _running_loop()
        clients, self._clients = self._clients, {}
        for (_, _, owner), client in clients.items():
            if owner is loop:
                await client.close()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
