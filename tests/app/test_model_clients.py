"""The process's model clients: built from Settings (so `.env` works), one per process,
closed at shutdown."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.llm import ModelRequest
from app.config import load_settings
from app.model_clients import ModelClients
from devtools.scripted_model import ScriptedModel, reply, text


def asking(question: str) -> ModelRequest:
    message = {"role": "user", "content": [{"type": "text", "text": question}]}
    return ModelRequest(system=[], tools=[], messages=[message], max_tokens=64)


@pytest.fixture(autouse=True)
def no_anthropic_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))


async def test_key_only_in_env_file_reaches_the_model(tmp_path: Path) -> None:
    fake = ScriptedModel([reply(text("from .env"))])
    with fake.serve() as server:
        (tmp_path / ".env").write_text(
            f"ANTHROPIC_API_KEY=sk-ant-dotenv\nANTHROPIC_BASE_URL={server.base_url}\n"
        )
        clients = ModelClients(load_settings())
        try:
            answer = await clients.model("claude-haiku-4-5").complete(asking("hi"))
        finally:
            await clients.aclose()
    assert answer.content == [{"type": "text", "text": "from .env"}]
    assert fake.requests[0].headers["authorization"] == "Bearer sk-ant-dotenv"


async def test_many_model_calls_build_one_client_on_one_connection_closed_at_shutdown() -> None:
    calls = 8
    fake = ScriptedModel([reply(text(str(n))) for n in range(calls)])
    with fake.serve() as server:
        settings = load_settings(
            anthropic_api_key="sk-ant-test", anthropic_base_url=server.base_url
        )
        clients = ModelClients(settings)
        for n in range(calls):  # as the run's steps do: a model object per call
            await clients.model("claude-haiku-4-5").complete(asking(str(n)))
        client = clients.anthropic()
        await clients.aclose()
        assert client.is_closed()
    assert len(fake.requests) == calls
    assert clients.built == 1
    assert server.connections == 1
