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

import anthropic

from agents.llm import AnthropicConfig, AnthropicModel, anthropic_client
from app.config import Settings


def anthropic_config(settings: Settings) -> AnthropicConfig:
    """The Anthropic client's configuration, from ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL."""
    return AnthropicConfig(api_key=settings.anthropic_api_key, base_url=settings.anthropic_base_url)


class ModelClients:
    """One client per (provider, configuration, event loop) for the life of the process."""

    def __init__(self, settings: Settings) -> None:
        self.config = anthropic_config(settings)
        self._clients: dict[
            tuple[str, AnthropicConfig, asyncio.AbstractEventLoop | None],
            anthropic.AsyncAnthropic,
        ] = {}
        self.built = 0
        """Clients constructed so far (one per process and loop is the point)."""

    def anthropic(self) -> anthropic.AsyncAnthropic:
        """The shared Anthropic client for the running event loop."""
        key = ("anthropic", self.config, _running_loop())
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
