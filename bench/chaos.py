"""Chaos benchmark: many runs over several repositories while `fixer serve` is SIGKILLed.

M issues across R repositories (``acme/calc-1..R``, the sample bug in each) run against the
conversation-aware scripted model; `fixer serve` (SQLite) is killed with SIGKILL at seeded
random moments and restarted at once; each run is approved when its approval message
appears; the bench waits for every pull request and then counts duplicates of each side
effect. Optional faults: the model answers 429/529/500 or slowly on a share of requests,
GitHub answers 502 before or after a call, Slack answers 500 before or after a call.

    .venv/bin/python bench/chaos.py                 # 12 runs, a few minutes on 2 cores
    .venv/bin/python bench/chaos.py --runs 50       # the target: all complete, no duplicates
    .venv/bin/python bench/chaos.py --runs 3 --kills 4 --faults   # the CI variant

Target: every run completes, zero duplicates, ``llm_repeated <= kills``. Last line: JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools import sample_repo  # noqa: E402
from devtools.conversation_model import ConversationModel, ModelFaults  # noqa: E402
from devtools.stack import Stack, generate_app_key  # noqa: E402

RECLICK_AFTER_S = 30.0
"""An approval whose PR has not appeared this long after the click is clicked again: a kill
can land between Slack's ack and the durable send (the second click must be harmless)."""


def progress(stack: Stack) -> int:
    """Work done so far, in steps the kill schedule is drawn over (model calls, approvals, PRs)."""
    return (
        len(stack.model.requests) + len(stack.approval_messages()) + len(stack.github.state.pulls)
    )


def approve_new(stack: Stack, clicked: dict[tuple[str, int], float]) -> None:
    """Click approve on every approval message not clicked yet (or clicked long ago, no PR)."""
    opened = {(p.repo, p.head) for p in list(stack.github.state.pulls.values())}
    for message in stack.approval_messages():
        payload = message["metadata"]["event_payload"]
        key = (str(payload["run_id"]), int(payload["round"]))
        repo, rest = key[0].split("#", 1)
        if (repo, f"fixer/issue-{rest.split(':')[0]}") in opened:
            continue
        if key in clicked and time.monotonic() - clicked[key] < RECLICK_AFTER_S:
            continue
        try:
            if stack.click("fixer_approve", key[0], key[1]).status_code == 200:
                clicked[key] = time.monotonic()
        except httpx.HTTPError:
            pass  # the service is down (killed): click again once it is back


def duplicates(counts: Counter[Any]) -> int:
    return sum(n - 1 for n in counts.values() if n > 1)


def chaos(
    tmp: Path, runs: int, repos: int, kills: int, seed: int, faults: bool, timeout_s: float
) -> dict[str, Any]:
    rng = random.Random(seed)
    responder = ConversationModel(
        faults=ModelFaults(rate=0.2 if faults else 0.0, seed=seed, retry_after_s=0.2)
    )
    stack = Stack(tmp, generate_app_key(), responder.script(100_000))
    names = [f"acme/calc-{n}" for n in range(1, repos + 1)]
    started = time.monotonic()
    try:
        for name in names:
            stack.github.create_repo(name, files=sample_repo.FILES)
        stack.installed = True  # installed below, on every repository at once
        stack.start_fixer()
        stack.github.install([sample_repo.REPO, *names])
        for n in range(runs):
            stack.github.open_issue(
                names[n % repos], sample_repo.ISSUE_TITLE, sample_repo.ISSUE_BODY, "sample-dev"
            )
        # Faults start once the issues are in: webhook intake is not what this measures.
        if faults:
            stack.github.faults.fail_rate = 0.1
            stack.github.faults.fail_after_rate = 0.1
            stack.github.faults.seed = seed
            stack.slack.fail_rate = stack.slack.fail_after_rate = 0.1
            stack.slack.seed = seed
        # Kills at seeded points of the expected work (6 model calls, an approval and a PR
        # per run), each after a seeded extra delay so it lands mid-step, not on a boundary.
        total = 8 * runs
        schedule = sorted(rng.sample(range(1, total), min(kills, total - 1)))
        delays = [rng.uniform(0.0, 1.5) for _ in schedule]
        killed = 0
        clicked: dict[tuple[str, int], float] = {}
        deadline = started + timeout_s
        while len(stack.github.state.pulls) < runs:
            if time.monotonic() > deadline:
                approved = sorted(f"{run}/round-{n}" for run, n in clicked)
                raise TimeoutError(
                    f"{len(stack.github.state.pulls)}/{runs} PRs after {timeout_s:.0f}s, "
                    f"{len(stack.approval_messages())} approval messages, clicked {approved}, "
                    f"{killed} kills; end of the service logs:\n{stack.log_text()[-4000:]}"
                )
            if killed < len(schedule) and progress(stack) >= schedule[killed]:
                time.sleep(delays[killed])
                stack.kill_fixer()
                killed += 1
                stack.start_fixer()
            approve_new(stack, clicked)
            time.sleep(0.2)
        wall = time.monotonic() - started
        state = stack.github.state
        status_comments = Counter(
            (c.repo, c.issue) for c in list(state.comments.values()) if "fixer-run:" in c.body
        )
        approvals = Counter(
            json.dumps(m["metadata"]["event_payload"], sort_keys=True)
            for m in stack.approval_messages()
        )
        return {
            "runs": runs,
            "completed": len({(p.repo, p.head) for p in state.pulls.values()}),
            "kills": killed,
            "duplicate_comments": duplicates(status_comments),
            "duplicate_approval_messages": duplicates(approvals),
            "duplicate_prs": duplicates(Counter((p.repo, p.head) for p in state.pulls.values())),
            "llm_requests": len(stack.model.requests),
            "llm_repeated": stack.model.repeated,
            "llm_faults": sum(responder.injected.values()),
            "slack_faults": stack.slack.injected,
            "wall_s": round(wall, 1),
        }
    finally:
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=12, help="issues to fix (target: 50)")
    parser.add_argument("--repos", type=int, default=4, help="repositories they spread over")
    parser.add_argument("--kills", type=int, help="SIGKILLs (default: max(4, runs // 3))")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faults", action="store_true", help="model, GitHub, Slack faults on")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds for all PRs")
    args = parser.parse_args()
    kills = args.kills if args.kills is not None else max(4, args.runs // 3)
    with tempfile.TemporaryDirectory(prefix="fixer-chaos-") as tmp:
        result = chaos(
            Path(tmp),
            args.runs,
            min(args.repos, args.runs),
            kills,
            args.seed,
            args.faults,
            args.timeout,
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
