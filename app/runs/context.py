"""The service-wide objects a workflow's steps use (set once per process at start-up).

Workflow arguments must be serialisable, so settings and clients cannot travel with the
run; every process that runs steps installs them here when it starts (and closes the
clients when it stops).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.config import Settings
from app.github import GitHubApp
from app.model_clients import ModelClients


@dataclass
class ServiceContext:
    settings: Settings
    github: GitHubApp
    models: ModelClients = field(init=False)
    """The process's model clients, from ``settings``; closed by the lifespan at shutdown."""

    def __post_init__(self) -> None:
        self.models = ModelClients(self.settings)


_current: ServiceContext | None = None


def install(context: ServiceContext) -> None:
    global _current
    _current = context


def current() -> ServiceContext:
    if _current is None:
        raise RuntimeError("the service context is not installed: start the service first")
    return _current
