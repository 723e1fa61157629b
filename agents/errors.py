"""The agent library's exceptions: one short hierarchy, one line of meaning each."""

from __future__ import annotations


class AgentLibraryError(Exception):
    """Base class of every error raised by ``agents``."""


class SandboxError(AgentLibraryError):
    """The sandbox could not do what was asked (container missing, Docker error, bad path)."""


class SandboxImageMissing(SandboxError):
    """The sandbox image is not present on the Docker engine."""


class CommandTimeout(SandboxError):
    """A command in the sandbox ran past its timeout and was killed."""


class SnapshotTooLarge(SandboxError):
    """A workspace snapshot is bigger than the configured cap."""


class SnapshotMismatch(SandboxError):
    """A restored workspace does not hash to the snapshot it was restored from."""


class SandboxLost(AgentLibraryError):
    """The sandbox's container is gone (removed, stopped, lost with its host): the run
    rebuilds it from its snapshot. Not a ``SandboxError`` on purpose: tools turn those into
    results the model can act on, and no tool call can bring a container back."""


class LimitExceeded(AgentLibraryError):
    """An agent hit one of its limits; the loop stops cleanly."""


class BudgetExceeded(LimitExceeded):
    """The next model call could push the run's spend past its USD budget."""


class TurnLimitExceeded(LimitExceeded):
    """The agent used all the turns it was allowed."""


class WallClockExceeded(LimitExceeded):
    """The agent ran longer than its wall-clock limit."""


class AgentGaveUp(AgentLibraryError):
    """The model ended without submitting the required structured result."""


class ModelRefused(AgentGaveUp):
    """The model declined to go on (stop reason ``refusal``); nothing it sent was run."""


class ModelError(AgentLibraryError):
    """The model API refused the request in a way retries cannot fix (auth, bad request)."""
