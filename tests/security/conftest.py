"""Security tests reuse the real-sandbox fixtures of the agent tests."""

from tests.agents.conftest import repo, sandbox, sandbox_factory

__all__ = ["repo", "sandbox", "sandbox_factory"]
