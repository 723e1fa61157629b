"""Settings, from the environment and ``.env`` (names fixed by DESIGN §3).

Credentials are optional at load time because not every command needs every one
(``fixer doctor`` must start without them). Commands declare what they need with
:meth:`Settings.require`, which fails with one line naming the variable and the fix.
"""

from __future__ import annotations

import os
import socket
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app import __version__
from app.config_paths import absolute_database_url, absolute_path, served_url
from app.errors import ConfigError

DEFAULT_MODEL = "claude-sonnet-4-6"

# How to fix each credential, quoted in error messages and by `fixer doctor`.
HOW_TO_SET: dict[str, str] = {
    "GITHUB_APP_ID": "run `fixer setup` or set it in .env (the App ID on the App's settings page)",
    "GITHUB_APP_PRIVATE_KEY": "run `fixer setup`, or set GITHUB_APP_PRIVATE_KEY (PEM text) "
    "or GITHUB_APP_PRIVATE_KEY_PATH in .env",
    "GITHUB_WEBHOOK_SECRET": "run `fixer setup` or set it in .env (the App's webhook secret)",
    "SLACK_BOT_TOKEN": "set it in .env (Slack app → OAuth & Permissions → Bot User OAuth Token)",
    "SLACK_SIGNING_SECRET": "set it in .env (Slack app → Basic Information → Signing Secret)",
    "SLACK_APPROVAL_CHANNEL": "set it in .env (the id of the channel where approvals are posted)",
    "ANTHROPIC_API_KEY": "set it in .env (console.anthropic.com → API keys)",
}


class Settings(BaseSettings):
    """Every setting of the service. Field names are the environment variable names."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = "sqlite:///./fixer.db"
    """App data and the DBOS system database (PostgreSQL for several workers). A relative
    SQLite file is resolved against the start directory, like every configured path."""

    github_app_id: int | None = None
    github_app_private_key: SecretStr | None = None
    """PEM text; literal ``\\n`` sequences (as GitHub's UI and many .env files give it) work."""
    github_app_private_key_path: Path | None = None
    github_webhook_secret: SecretStr | None = None
    github_api_url: str = "https://api.github.com"

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_approval_channel: str | None = None
    slack_api_url: str = "https://slack.com/api/"

    fixer_approvers: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Slack user ids allowed to approve; empty = any member of the approval channel."""

    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None

    fixer_model_provider: Literal["anthropic", "bedrock", "vertex", "foundry"] = "anthropic"
    """Where Claude runs; each provider reads its usual credential variables below."""
    aws_region: str | None = None
    aws_access_key_id: SecretStr | None = None
    aws_secret_access_key: SecretStr | None = None
    aws_session_token: SecretStr | None = None
    aws_profile: str | None = None
    aws_bearer_token_bedrock: SecretStr | None = None
    """A Bedrock API key, instead of AWS keys or a profile."""
    anthropic_bedrock_base_url: str | None = None
    fixer_bedrock_inference_profile: str | None = None
    """``us``, ``eu``, ``apac``, ``jp`` or ``global``: the cross-region inference profile put in
    front of Bedrock ids mapped from Claude ids (most current models need one)."""
    anthropic_vertex_project_id: str | None = None
    cloud_ml_region: str | None = None
    google_application_credentials: Path | None = None
    anthropic_vertex_base_url: str | None = None
    anthropic_foundry_api_key: SecretStr | None = None
    anthropic_foundry_resource: str | None = None
    anthropic_foundry_base_url: str | None = None

    fixer_model: str = DEFAULT_MODEL
    fixer_planner_model: str | None = None
    """The planner's model; unset = FIXER_MODEL (a repository's `planner_model`/`model` wins)."""
    fixer_coder_model: str | None = None
    """The coder's model; unset = FIXER_MODEL (a repository's `coder_model`/`model` wins)."""
    fixer_thinking_budget: int = Field(default=0, ge=0, le=128_000)
    """Extended-thinking tokens per model call for both agents (at least 1024); 0 = off.
    A repository's `thinking` wins."""
    fixer_public_url: str = ""
    """Base of links to run pages; unset = the address served (``http://localhost:PORT``
    for a loopback or wildcard bind, with the port ``--port`` or FIXER_PORT gives)."""
    fixer_sandbox_image: str = "fixer-sandbox:default"
    fixer_executor_id: str | None = None
    """Unset = host name + served port: stable across restarts, so a restarted process
    recovers its own pending runs at once."""
    fixer_ui_token: SecretStr | None = None

    fixer_host: str = "127.0.0.1"
    fixer_port: int = 8000
    """Port served; ``fixer serve --port`` / ``fixer web --port`` override it."""
    fixer_application_version: str = __version__
    """Pinned explicitly so runs waiting for approval survive a deploy of the same version."""
    fixer_log_format: Literal["text", "json"] = "text"
    fixer_cache_dir: Path = Path(".fixer-cache")
    """Mirror clones of the repositories Fixer works on (host side, never in a sandbox)."""
    fixer_runs_per_repo: int = Field(default=1, ge=1)
    """Agent phases running at once per repository, across all workers."""
    fixer_max_sandboxes: int = Field(default=2, ge=1)
    """Live sandboxes (agent phases) per worker process."""
    fixer_executor_timeout_s: float = Field(default=30.0, gt=0)
    """A worker silent this long is presumed dead; another resumes its pending runs."""
    fixer_llm_rpm: int = Field(default=50, ge=1)
    """Model requests per minute, across all workers (the shared LLM queue's rate limit)."""
    fixer_llm_itpm: int | None = Field(default=None, gt=0)
    """Input tokens per minute, across all workers, as the API counts them (cache reads are
    free for current models); unset = no limit."""
    fixer_llm_otpm: int | None = Field(default=None, gt=0)
    """Output tokens per minute, across all workers; unset = no limit."""
    fixer_model_retry_window_s: float = Field(default=1800.0, gt=0)
    """How long a model call keeps waiting for capacity (429, 529, an error event after a
    200) before the run fails; refusals (auth, bad request, unknown model) fail at once."""
    fixer_sandbox_ca_certs: Path | None = None
    """PEM file, or directory of them, that sandboxes trust during setup (a TLS-inspecting
    proxy's CA); exported to SSL_CERT_FILE, PIP_CERT, NODE_EXTRA_CA_CERTS, Java's trust store."""
    fixer_sandbox_proxy: str | None = None
    """HTTP(S) proxy for setup commands (HTTP_PROXY/HTTPS_PROXY inside the sandbox)."""
    fixer_sandbox_no_proxy: str | None = None
    """Hosts setup reaches without the proxy (NO_PROXY); default localhost,127.0.0.1."""
    fixer_sandbox_pip_index_url: str | None = None
    """A PyPI mirror for setup (pip and uv)."""
    fixer_sandbox_npm_registry: str | None = None
    """An npm registry mirror for setup (npm, pnpm, yarn)."""
    fixer_sandbox_cache: bool = True
    """Keep a dependency cache per repository between runs (``fixer sandbox prune`` clears)."""

    @field_validator("fixer_approvers", mode="before")
    @classmethod
    def _split_approvers(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("github_app_private_key", mode="before")
    @classmethod
    def _unescape_pem(cls, value: object) -> object:
        if isinstance(value, str):
            return value.replace("\\n", "\n").strip() or None
        return value

    @field_validator("github_api_url", "fixer_public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack_sdk joins method names onto the base URL, so it must end with a slash.
        return value if value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _resolve_at_start(self) -> Settings:
        # Once, here: everything after load (git in the mirror, DBOS, subprocesses) sees
        # the same absolute paths whatever its own working directory is.
        start_dir = Path.cwd()
        self.database_url = absolute_database_url(self.database_url, start_dir)
        for name, value in self:  # every Path setting, including ones added later
            if isinstance(value, Path):
                setattr(self, name, absolute_path(value, start_dir))
        if self.google_application_credentials is not None:
            self.google_application_credentials = absolute_path(
                self.google_application_credentials, start_dir
            )
        if not self.fixer_public_url:
            self.fixer_public_url = served_url(self.fixer_host, self.fixer_port)
        return self

    @property
    def executor_id(self) -> str:
        return self.fixer_executor_id or f"{socket.gethostname()}:{self.fixer_port}"

    @cached_property
    def private_key_pem(self) -> str | None:
        """The App's private key as PEM text, from the variable or the file it names."""
        if self.github_app_private_key is not None:
            pem = self.github_app_private_key.get_secret_value()
            source = "GITHUB_APP_PRIVATE_KEY"
        elif self.github_app_private_key_path is not None:
            path = self.github_app_private_key_path
            if not path.is_file():
                raise ConfigError(
                    f"GITHUB_APP_PRIVATE_KEY_PATH points to {path}, which is not a file: "
                    "give the path of the .pem file GitHub gave you"
                )
            pem = path.read_text()
            source = "GITHUB_APP_PRIVATE_KEY_PATH"
        else:
            return None
        if "-----BEGIN" not in pem or "PRIVATE KEY-----" not in pem:
            raise ConfigError(
                f"{source} is not a PEM private key (no '-----BEGIN ... PRIVATE KEY-----' "
                "line): paste the whole .pem file GitHub gave you"
            )
        return pem

    def missing(self, *names: str) -> list[str]:
        """The names among ``names`` that are not set."""
        present = {
            "GITHUB_APP_ID": self.github_app_id is not None,
            "GITHUB_APP_PRIVATE_KEY": self.github_app_private_key is not None
            or self.github_app_private_key_path is not None,
            "GITHUB_WEBHOOK_SECRET": self.github_webhook_secret is not None,
            "SLACK_BOT_TOKEN": self.slack_bot_token is not None,
            "SLACK_SIGNING_SECRET": self.slack_signing_secret is not None,
            "SLACK_APPROVAL_CHANNEL": bool(self.slack_approval_channel),
            "ANTHROPIC_API_KEY": self.anthropic_api_key is not None,
        }
        return [name for name in names if not present[name]]

    def require(self, *names: str) -> None:
        """Raise :class:`ConfigError` for the first of ``names`` that is not set."""
        for name in self.missing(*names):
            raise ConfigError(f"{name} is not set: {HOW_TO_SET[name]}")
        if "GITHUB_APP_PRIVATE_KEY" in names:
            _ = self.private_key_pem  # validates the PEM shape

    @property
    def slack_enabled(self) -> bool:
        return not self.missing("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")


GITHUB_SERVICE_NEEDS = ("GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET")


def export_telemetry_variables(env_file: Path = Path(".env")) -> None:
    """``OTEL_*`` lines of ``.env`` into the process environment, where the OpenTelemetry
    SDK reads them; the environment wins where both set one, as for every setting."""
    if not env_file.is_file():
        return
    for name, value in dotenv_values(env_file).items():
        if name.upper().startswith("OTEL_") and value is not None:
            os.environ.setdefault(name.upper(), value)


def load_settings(**overrides: object) -> Settings:
    """Load settings, turning validation errors into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "settings"
            given = error.get("input")
            lines.append(f"{name} is malformed ({error['msg']}); got {given!r}")
        raise ConfigError("; ".join(lines)) from None
