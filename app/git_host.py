"""Host-side git: run ``git`` with a GitHub installation token that never touches disk.

GitHub tokens never enter the sandbox (DESIGN §5): the host clones into a mirror cache
(:mod:`app.git_mirror`) and pushes the approved patch (:mod:`app.git_push`). This module holds
what both share: the error hierarchy and :class:`GitRunner`, which runs one git command with
the token as an HTTP header passed through the environment (``GIT_CONFIG_*``), so it is not
in the command line (gitpython logs that; ``ps`` shows it), not in a remote URL written to
``config``, and scrubbed from every error message.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from git.cmd import Git
from git.exc import GitCommandError

from app.errors import FixerError

SCRUBBED = "***"


class GitHostError(FixerError):
    """A git operation on the host failed; the message has every token replaced by ``***``."""


class RepositoryUnreachable(GitHostError):
    """The repository could not be read: wrong or expired token, no access, or no network."""


class PatchDoesNotApply(GitHostError):
    """The approved patch does not apply to the base commit it was made on."""


class PushRefused(GitHostError):
    """The remote refused the branch push (token without write access, protected branch)."""


def basic_auth_header(token: str) -> str:
    """The header GitHub accepts for an installation token over HTTPS."""
    credentials = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return f"Authorization: Basic {credentials}"


def scrub(text: str, token: str | None) -> str:
    """``text`` with the token and its Basic-auth encoding replaced by ``***``."""
    if not token:
        return text
    encoded = basic_auth_header(token).removeprefix("Authorization: Basic ")
    return text.replace(encoded, SCRUBBED).replace(token, SCRUBBED)


# Hermetic: an operator's ~/.gitconfig (gpg signing, hooks path, credential helpers, url
# rewrites) must not change what the service commits or where it sends the token.
_BASE_ENV: Mapping[str, str] = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
}


def ca_bundle_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The CA bundle git should trust: ``GIT_SSL_CAINFO``, else ``SSL_CERT_FILE``.

    An Enterprise Server with an internal CA, or a TLS-inspecting proxy, is trusted by
    githubkit through ``SSL_CERT_FILE`` (httpx reads it), but git's libcurl keeps its built-in
    bundle unless told (https://git-scm.com/docs/git-config#Documentation/git-config.txt-httpsslCAInfo);
    and the hermetic environment below ignores the system gitconfig where it might be set.
    """
    source = os.environ if environ is None else environ
    bundle = source.get("GIT_SSL_CAINFO") or source.get("SSL_CERT_FILE")
    env = {"GIT_SSL_CAINFO": bundle} if bundle else {}
    if source.get("SSL_CERT_DIR") and "GIT_SSL_CAPATH" not in source:
        env["GIT_SSL_CAPATH"] = source["SSL_CERT_DIR"]
    return env


class GitRunner:
    """Runs git commands in one directory, optionally authenticated with one token."""

    def __init__(self, cwd: Path, token: str | None = None) -> None:
        self.cwd = cwd
        self.token = token

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {**_BASE_ENV, **ca_bundle_env()}
        config = {"credential.helper": "", "core.hooksPath": os.devnull}
        if self.token is not None:
            config["http.extraHeader"] = basic_auth_header(self.token)
        env["GIT_CONFIG_COUNT"] = str(len(config))
        for index, (key, value) in enumerate(config.items()):
            env[f"GIT_CONFIG_KEY_{index}"] = key
            env[f"GIT_CONFIG_VALUE_{index}"] = value
        env.update(extra or {})
        return env

    def run(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        error: type[GitHostError] = GitHostError,
        what: str = "",
    ) -> str:
        """stdout of ``git <args>``; on failure ``error`` naming ``what`` with git's stderr."""
        command: Sequence[str] = ["git", *args]
        try:
            out = Git(str(self.cwd)).execute(
                command, env=self.env(env), with_extended_output=False, stdout_as_string=True
            )
        except GitCommandError as exc:
            stderr = exc.stderr.strip() if isinstance(exc.stderr, str) else ""
            detail = stderr.removeprefix("stderr: ").strip("'\n ")
            message = f"{what or 'git ' + args[0]} failed: {detail or exc.status}"
        else:
            assert isinstance(out, str)
            return out
        # Raised outside the `except` so the GitCommandError (whose command and environment
        # may carry the header) is not even kept as __context__.
        raise error(scrub(message, self.token))
