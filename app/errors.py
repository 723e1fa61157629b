"""The service's exceptions: one short hierarchy, one line of meaning each."""

from __future__ import annotations


class FixerError(Exception):
    """Base class of every error the service raises on purpose."""


class ConfigError(FixerError):
    """A setting is missing or malformed; the message names the variable and the fix."""


class RepoConfigError(FixerError):
    """A repository's ``.github/fixer.yml`` is invalid; the message quotes the wrong line."""


class GitHubError(FixerError):
    """GitHub refused or failed a call the service needed."""


class ExternalServiceError(FixerError):
    """GitHub, Slack or git failed a call; carries only text, so DBOS can record it."""


class PermanentError(FixerError):
    """A refusal that retrying cannot fix: the step is not retried and the run ends as failed."""


class GitHubRefused(GitHubError, PermanentError):
    """GitHub said no for good (a 4xx: permission, validation, archived, gone, push declined)."""
