"""What `fixer demo` prints while the run moves: the model's tool calls, the status comment,
the run's state. Everything is read from the emulations' side, as an onlooker would see it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import docker
import httpx
from docker.errors import NotFound
from githubkit.webhooks import sign

from agents.sandbox.run_resources import RUN_LABEL
from app.runs.workspace import sandbox_key
from devtools import sample_repo
from devtools.stack import WEBHOOK_SECRET, Stack

T = TypeVar("T")
WAIT_S = 120.0


class Narrator:
    """Lines stamped with the seconds since the demo started."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def say(self, text: str) -> None:
        print(f"[{self.elapsed():5.1f}s] {text}", flush=True)

    def block(self, text: str, prefix: str = "  │ ") -> None:
        for line in text.rstrip("\n").splitlines():
            print(prefix + line, flush=True)


def describe(call: dict[str, Any]) -> str:
    """A tool call as one line: ``grep pattern='def mean'``, ``edit calc/stats.py``."""
    name, args = str(call["name"]), dict(call.get("input") or {})
    if name.startswith("submit_"):
        return f"{name}: {args.get('summary', '')}"
    if name == "shell":
        return f"shell {args.get('command', '')}"
    if "path" in args and name in ("read", "write", "edit"):
        return f"{name} {args['path']}"
    return f"{name} " + " ".join(f"{key}={value!r}" for key, value in args.items())


def _results(body: dict[str, Any]) -> list[str]:
    """The tool results a request sends back, each cut to its first and last line."""
    messages = body.get("messages") or [{}]
    content = messages[-1].get("content")
    found: list[str] = []
    for block in content if isinstance(content, list) else []:
        if block.get("type") != "tool_result":
            continue
        raw = block.get("content", "")
        if isinstance(raw, list):
            raw = "\n".join(str(part.get("text", "")) for part in raw)
        lines = [line for line in str(raw).splitlines() if line.strip()] or ["(empty)"]
        shown = lines[0] if len(lines) == 1 else f"{lines[0]} … {lines[-1]}"
        found.append(shown if len(shown) <= 110 else shown[:109] + "…")
    return found


class ModelLog:
    """The model script, wrapped so each reply is noted as the scripted model sends it."""

    def __init__(self, script: list[Any]) -> None:
        self.events: list[tuple[str, str]] = []
        """(agent, line), appended from the model server's thread."""
        self.script = [self._wrap(item) if isinstance(item, dict) else item for item in script]

    def _wrap(self, item: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def answer(body: dict[str, Any]) -> dict[str, Any]:
            tools = {str(tool.get("name")) for tool in body.get("tools") or []}
            agent = "planner" if "submit_plan" in tools else "coder"
            self.events.extend((agent, f"  ⤷ {result}") for result in _results(body))
            calls = [b for b in item["content"] if b["type"] == "tool_use"]
            self.events.extend((agent, describe(call)) for call in calls)
            return item

        return answer


class Watcher:
    """Prints each change since the last look; :meth:`wait` polls it until a condition holds."""

    def __init__(self, out: Narrator, stack: Stack, model: ModelLog, run_id: str) -> None:
        self.out, self.stack, self.model, self.run_id = out, stack, model, run_id
        self.comment = ""
        self.run_url = f"{stack.url}/runs/{quote(run_id, safe='')}"
        self._events = 0
        self._state: str | None = None
        self._has_state = True
        self._shown: set[str] = set()
        self._docker = docker.from_env()
        self.containers: dict[str, str] = {}
        """Sandbox containers seen for the run: id → name."""
        self.followed: list[str] = [run_id]
        """Runs whose sandboxes are shown: the issue's run, then each follow-up round."""

    def follow(self, run_id: str) -> None:
        """Show the sandbox containers of ``run_id`` too (a follow-up round's)."""
        if run_id not in self.followed:
            self.followed.append(run_id)

    def close(self) -> None:
        self._docker.close()

    def show_delivery(self, number: int) -> None:
        delivery = self.stack.github.state.deliveries[-1]
        body = json.dumps(delivery.payload).encode()
        signature = sign(WEBHOOK_SECRET, body, method="sha256")
        self.out.say(
            f"GitHub: issue #{number} opened by {sample_repo.AUTHOR}: {sample_repo.ISSUE_TITLE}"
        )
        self.out.say(
            f"GitHub → fixer: {delivery.event}.{delivery.payload['action']} webhook, "
            f"X-Hub-Signature-256 {signature[:19]}… → HTTP {delivery.status}"
        )

    def poll(self) -> None:
        while self._events < len(self.model.events):
            agent, line = self.model.events[self._events]
            self._events += 1
            self.out.say(f"model → {agent}: {line}")
        self._poll_comment()
        self._poll_containers()
        self._poll_state()

    def _poll_comment(self) -> None:
        found = self.stack.github.state.comments_on(sample_repo.REPO, 1)
        if not found:
            return
        body = found[0].body.split("<!-- fixer-run:")[0].rstrip()
        if body == self.comment:
            return
        self.out.say("GitHub: status comment " + ("edited:" if self.comment else "posted:"))
        self.comment = body
        # Every later edit carries the plan again: print it once.
        for details in re.findall(r"<details>.*?</details>", body, flags=re.DOTALL):
            if details in self._shown:
                body = body.replace(details, "<details>(the plan, as above)</details>")
            self._shown.add(details)
        self.out.block(body)

    def _poll_containers(self) -> None:
        found = []
        for run_id in self.followed:
            label = f"{RUN_LABEL}={sandbox_key(self.stack.database_url, run_id)}"
            try:
                found += self._docker.containers.list(
                    all=True, filters={"label": [label]}, ignore_removed=True
                )
            except NotFound:  # listed, then removed before the SDK read it: look next poll
                return
        current = {str(c.id): str(c.name) for c in found}
        for cid, name in current.items():
            if cid not in self.containers:
                self.containers[cid] = name
                self.out.say(f"docker: sandbox container {cid[:12]} ({name}) created")
        for cid, name in self.containers.items():
            if cid not in current and name:
                self.out.say(f"docker: sandbox container {cid[:12]} removed")
                self.containers[cid] = ""

    def _poll_state(self) -> None:
        # The run page may not exist (or may be HTML only): then the state is not shown.
        if not self._has_state:
            return
        try:
            response = httpx.get(self.run_url, headers={"Accept": "application/json"}, timeout=2)
            state = str(response.json()["state"]) if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            state = None
        if state is None:
            self._has_state = False
        elif state != self._state:
            self.out.say(f"fixer: run {self.run_id} is {state}")
            self._state = state

    def wait(self, condition: Callable[[], T | None], what: str, timeout: float = WAIT_S) -> T:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.poll()
            value = condition()
            if value:
                self.poll()
                return value
            time.sleep(0.2)
        raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
