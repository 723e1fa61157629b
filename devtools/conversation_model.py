"""A scripted model for many concurrent runs: each reply is chosen from the request alone.

``ScriptedModel`` consumes its script in arrival order, which only works for one run at a
time. With many runs interleaving, the answer must depend on the conversation instead:
the agent (planner if ``submit_plan`` is offered, coder if ``submit_result`` is), the turn
(assistant messages already in ``messages``) and the run (repository and issue named in the
first user message). ``ConversationModel`` is a script item, so the scripted model still
does the wire format, usage and memoizing of answered conversations:

    responder = ConversationModel(faults=ModelFaults(rate=0.2, seed=7))
    model = ScriptedModel([responder] * 10_000)

Faults are decided by hashing (seed, request, how often that request was seen), not by a
shared random stream, so the same runs get the same faults however their requests interleave.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devtools import sample_repo
from devtools.scripted_model import (
    Message,
    ScriptedError,
    overloaded,
    rate_limited,
    server_error,
)

FAULT_KINDS = ("rate_limited", "overloaded", "server_error", "slow")
_TASK = re.compile(r"issue #(\d+) in the repository ([\w.-]+/[\w.-]+)")


@dataclass(frozen=True)
class ModelFaults:
    """Which requests fail, and how; the four kinds share ``rate`` equally."""

    rate: float = 0.0
    """Share of requests answered with a fault (429, 529, 500, or a slow answer)."""
    seed: int = 0
    retry_after_s: float = 0.2
    """``retry-after`` on the 429, so the SDK's retry waits briefly."""
    slow_s: float = 0.3
    """How long a slow answer sleeps. The scripted model holds its lock while a script item
    runs, so this stalls every request for that long: keep it short."""


@dataclass(frozen=True)
class RunKey:
    repo: str
    issue: int


def split_script(script: list[Message]) -> tuple[list[Message], list[Message]]:
    """A planner-then-coder script cut after the reply that calls ``submit_plan``."""
    for index, item in enumerate(script):
        if any(block.get("name") == "submit_plan" for block in item["content"]):
            return script[: index + 1], script[index + 1 :]
    raise ValueError("the script has no submit_plan reply: it cannot be split into agents")


@dataclass
class ConversationModel:
    """A script item answering from the request body; see the module docstring."""

    script_for: Callable[[RunKey], list[Message]] = lambda _: sample_repo.fix_script()
    """The planner-then-coder replies for a run (``fix_script()`` for every run by default)."""
    faults: ModelFaults = field(default_factory=ModelFaults)
    answered: Counter[tuple[RunKey, str]] = field(default_factory=Counter)
    """Replies given, per run and agent."""
    injected: Counter[str] = field(default_factory=Counter)
    """Faults given, per kind."""
    _seen: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, body: dict[str, Any]) -> Message | ScriptedError:
        agent = agent_of(body)
        run = run_of(body)
        if agent is None or run is None:
            return ScriptedError(
                400,
                "invalid_request_error",
                "conversation model: neither submit_plan nor submit_result is offered, or the "
                "first user message names no 'issue #N in the repository OWNER/NAME'",
            )
        fault = self._fault(body)
        if fault == "slow":
            time.sleep(self.faults.slow_s)
        elif fault is not None:
            return self._error(fault)
        planner, coder = split_script(self.script_for(run))
        replies = planner if agent == "planner" else coder
        turn = sum(1 for m in body.get("messages") or [] if m.get("role") == "assistant")
        if turn >= len(replies):
            return ScriptedError(
                400,
                "invalid_request_error",
                f"conversation model: the {agent} of {run.repo}#{run.issue} is at turn "
                f"{turn + 1}, the script has {len(replies)} {agent} replies",
            )
        with self._lock:
            self.answered[(run, agent)] += 1
        return replies[turn]

    def script(self, length: int = 10_000) -> list[ConversationModel]:
        """``length`` items of this responder, for ``ScriptedModel(model.script())``."""
        return [self] * length

    def _fault(self, body: dict[str, Any]) -> str | None:
        if self.faults.rate <= 0:
            return None
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        with self._lock:
            seen = self._seen[digest]
            self._seen[digest] += 1
        draw = hashlib.sha256(f"{self.faults.seed}:{digest}:{seen}".encode()).digest()
        share = int.from_bytes(draw[:8], "big") / 2**64
        if share >= self.faults.rate:
            return None
        kind = FAULT_KINDS[int(share / self.faults.rate * len(FAULT_KINDS))]
        with self._lock:
            self.injected[kind] += 1
        return kind

    def _error(self, kind: str) -> ScriptedError:
        if kind == "rate_limited":
            return rate_limited(retry_after=self.faults.retry_after_s)
        if kind == "overloaded":
            return overloaded(retry_after=self.faults.retry_after_s)
        return server_error(retry_after=self.faults.retry_after_s)


def agent_of(body: dict[str, Any]) -> str | None:
    """``planner`` or ``coder``, from the submit tool the request offers."""
    names = {tool.get("name") for tool in body.get("tools") or []}
    if "submit_plan" in names:
        return "planner"
    if "submit_result" in names:
        return "coder"
    return None


def run_of(body: dict[str, Any]) -> RunKey | None:
    """The repository and issue named in the request's first user message."""
    for message in body.get("messages") or []:
        if message.get("role") != "user":
            continue
        content = message["content"]
        texts = [content] if isinstance(content, str) else [b.get("text", "") for b in content]
        for value in texts:
            if found := _TASK.search(value or ""):
                return RunKey(found.group(2).rstrip("."), int(found.group(1)))
        return None
    return None
