"""The whole product on one machine: `fixer serve` as a process, talking HTTP to the GitHub
and Slack emulations and to the scripted model, with the real Docker sandbox.

`fixer demo` and the end-to-end tests both run on this.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import docker
import httpx

from agents.sandbox.run_resources import MANAGED_LABEL, RUN_LABEL, remove_run
from app.config import Settings
from app.config_paths import absolute_database_url
from app.runs.workspace import sandbox_key
from devtools import sample_repo
from devtools.github_api import GitHubEmulation
from devtools.scripted_model import ScriptedModel, ScriptedModelServer
from devtools.slack_api import FakeSlack
from devtools.slack_clicks import button_click, modal_submission, send

WEBHOOK_SECRET = "e2e-webhook-secret"
SIGNING_SECRET = "e2e-signing-secret"
CHANNEL = "C0APPROVALS"
APPROVER = "U0APPROVER"
SHELL_VARIABLES = ("PATH", "LANG", "LC_ALL", "TERM", "USER", "LOGNAME")


def generate_app_key() -> tuple[str, str]:
    """A fresh App key pair (private PEM, public PEM), in memory: `fixer demo` needs no files."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Stack:
    def __init__(self, tmp_path: Path, app_key: tuple[str, str], script: list[Any]) -> None:
        self.tmp = tmp_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.github = GitHubEmulation(
            4242, app_key[0], WEBHOOK_SECRET, f"{self.url}/github/webhook", tmp_path / "github"
        )
        self.github.start()
        self.slack = FakeSlack().start()
        self.slack.state.members[CHANNEL] = [APPROVER]
        self.model = ScriptedModel(script)
        self.model_server: ScriptedModelServer = self.model.serve().start()
        self.process: subprocess.Popen[bytes] | None = None
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        self.workdir = tmp_path / "work"
        """Where the service is started, as a user starts it: ``.env`` here, nothing else."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        # Only credentials and the emulations' addresses: every other setting keeps the
        # default a newcomer gets (SQLite and the cache under the start directory, the
        # public URL and executor id from the port served).
        self.env: dict[str, str] = {
            "GITHUB_APP_ID": "4242",
            "GITHUB_APP_PRIVATE_KEY": app_key[0].replace("\n", "\\n"),
            "GITHUB_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "GITHUB_API_URL": self.github.api_url,
            "SLACK_BOT_TOKEN": self.slack.token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_APPROVAL_CHANNEL": CHANNEL,
            "SLACK_API_URL": self.slack.url,
            "FIXER_APPROVERS": APPROVER,
            "ANTHROPIC_API_KEY": "sk-ant-e2e",
            "ANTHROPIC_BASE_URL": self.model_server.base_url,
        }
        # The process environment of every `fixer` it starts: what a login shell has.
        self.shell_env = {name: os.environ[name] for name in SHELL_VARIABLES if name in os.environ}
        self.shell_env["HOME"] = str(tmp_path)
        self.github.create_repo(sample_repo.REPO, files=sample_repo.FILES)
        # The sample developer may start runs: Fixer asks GitHub for write permission.
        self.github.set_permission(sample_repo.AUTHOR, "write")
        self.installed = False

    # -- the service ------------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        """The database the service uses: ``DATABASE_URL`` or the default, resolved as the
        service resolves it (against the start directory)."""
        url = self.env.get("DATABASE_URL", Settings.model_fields["database_url"].default)
        return absolute_database_url(url, self.workdir)

    def write_env_file(self) -> Path:
        """``self.env`` as the ``.env`` in the start directory (rewritten before each start,
        so settings a test adds to ``self.env`` take effect)."""
        path = self.workdir / ".env"
        lines = [f"{name}={_dotenv_quoted(value)}" for name, value in self.env.items()]
        path.write_text("\n".join(lines) + "\n")
        return path

    def spawn(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """``fixer ARGS`` started in the start directory, its output in a log file.

        ``env`` adds to the process environment (a per-process setting such as one worker's
        FIXER_EXECUTOR_ID), as ``FIXER_EXECUTOR_ID=w1 fixer worker`` would in a shell."""
        self.write_env_file()
        log = self.tmp / f"fixer-{len(self.logs)}.log"
        self.logs.append(log)
        process = subprocess.Popen(
            [sys.executable, "-m", "app", *args],
            cwd=self.workdir,
            env={**self.shell_env, **(env or {})},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def start_fixer(self, command: str = "serve") -> None:
        """``fixer serve`` (or ``fixer web``) on the stack's port, once it answers."""
        self.process = self.spawn(command, "--port", str(self.port))
        log = self.logs[-1]
        deadline = time.monotonic() + 120  # generous: a loaded CI machine imports slowly
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(log.read_text())
            time.sleep(0.1)
        else:
            raise RuntimeError("fixer serve did not come up:\n" + log.read_text())
        if not self.installed:  # GitHub tells the App as soon as it is installed
            self.github.install([sample_repo.REPO])
            self.installed = True

    def kill_fixer(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        # Every process is told at once, so a stack of a web and several workers waits for
        # the slowest shutdown, not for the sum of them.
        running = [process for process in self.processes if process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + 30
        for process in running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        client = docker.from_env()
        for run_key in self._sandbox_runs(client):
            remove_run(client, run_key)
        client.close()
        self.model_server.stop()
        self.slack.stop()
        self.github.stop()

    def _sandbox_runs(self, client: Any) -> set[str]:
        """The run keys of this stack's runs (any attempt, and their follow-up rounds on the
        PR) that still hold a container, volume or network: every key is scoped to the
        stack's database, so one listing per kind of resource finds them all."""
        scope = sandbox_key(self.database_url, "")  # "@<hash of the database URL>"
        managed = {"label": [f"{MANAGED_LABEL}=true"]}
        # sparse: the list answer already carries the labels, no inspect per container.
        listed = [
            *client.containers.list(all=True, sparse=True, filters=managed),
            *client.volumes.list(filters=managed),
            *client.networks.list(filters=managed),
        ]
        found = {(item.attrs.get("Labels") or {}).get(RUN_LABEL, "") for item in listed}
        return {key for key in found if key.endswith(scope)}

    def log_text(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.logs)

    # -- what people do -----------------------------------------------------------------------

    def open_issue(self, author: str = sample_repo.AUTHOR, association: str | None = None) -> int:
        issue = self.github.open_issue(
            sample_repo.REPO, sample_repo.ISSUE_TITLE, sample_repo.ISSUE_BODY, author, association
        )
        return int(issue["number"])

    def approval_messages(self) -> list[dict[str, Any]]:
        return [
            m
            for m in self.slack.state.top_level(CHANNEL)
            if (m.get("metadata") or {}).get("event_type") == "fixer_approval"
        ]

    def click(
        self, action_id: str, run_id: str, round: int, user: str = APPROVER
    ) -> httpx.Response:
        message = next(
            m
            for m in self.approval_messages()
            if m["metadata"]["event_payload"] == {"run_id": run_id, "round": round}
        )
        return send(
            self.url, SIGNING_SECRET, button_click(message, CHANNEL, action_id, user, run_id, round)
        )

    def request_changes(self, run_id: str, round: int, feedback: str) -> httpx.Response:
        views_before = len(self.slack.state.views)
        assert self.click("fixer_request_changes", run_id, round).status_code == 200
        wait_until(lambda: len(self.slack.state.views) > views_before, what="the feedback modal")
        view = self.slack.state.views[-1]["view"]
        return send(
            self.url, SIGNING_SECRET, modal_submission(view["private_metadata"], feedback, APPROVER)
        )


def _dotenv_quoted(value: str) -> str:
    # Inside double quotes python-dotenv reads backslash escapes; escaping backslashes and
    # quotes reads the value back exactly (a one-line PEM keeps its literal "\\n").
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def wait_until(condition: Any, timeout: float = 120.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
