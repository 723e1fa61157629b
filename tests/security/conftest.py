"""Security tests reuse the real-sandbox fixtures of the agent tests and the end-to-end stack."""

from tests.agents.conftest import repo, sandbox, sandbox_factory
from tests.e2e.conftest import make_stack

__all__ = ["make_stack", "repo", "sandbox", "sandbox_factory"]
