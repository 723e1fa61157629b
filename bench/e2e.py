"""End-to-end benchmark: one full run (issue → plan → code → approval → PR) with the scripted
model and the real sandbox, its time split by phase, then the same run killed mid-coding.

The script is ``sample_repo.fix_script()`` lengthened to about 20 tool calls (extra ``read``,
``grep``, ``glob`` and ``shell`` calls in both agents), so the agent loops weigh what they
would in a real run. Step timings come from DBOS's ``operation_outputs`` table.

The bare baseline (``bench/bare_loop.py``): the same clone, container, scripted model and
tool calls driven directly through the agents library, with no database, queue or DBOS,
in the same process run; ``harness_ratio`` is the full run's issue → approval time over the
bare loop's (the target is ≤ 1.5). Full and bare runs alternate ``--pairs`` times (3) and the
ratio is of their medians, so one slow moment of a shared machine does not decide it; the
breakdown is the median full run's. Each full run's service has been up for a few seconds
before its issue arrives, as a deployed one has (its first second after a start goes to
DBOS's launch, which a bare loop has none of).

The kill: SIGKILL `fixer serve` when the coder is half way, restart, finish. Model calls
that finished before the kill are replayed from the database; only the one in flight (if
any) is made again (``made_again``, the scripted model's ``repeated``).

    .venv/bin/python bench/e2e.py        # last line: one JSON object
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bare_loop import bare_run  # noqa: E402
from devtools import sample_repo  # noqa: E402
from devtools.scripted_model import Message, reply, tool_use  # noqa: E402
from devtools.stack import Stack, generate_app_key, wait_until  # noqa: E402

RUN = f"{sample_repo.REPO}#1:1"
SETTLE_S = 3.0
"""Seconds a full run's service is up before its issue is opened."""

EXTRA_PLANNER = [
    tool_use("glob", {"pattern": "**/*.py"}),
    tool_use("read", {"path": "README.md"}),
    tool_use("read", {"path": "AGENTS.md"}),
    tool_use("grep", {"pattern": "mean\\(", "path": "tests"}),
    tool_use("read", {"path": "tests/test_stats.py"}),
    tool_use("glob", {"pattern": "calc/*.py"}),
    tool_use("grep", {"pattern": "import", "path": "calc"}),
    tool_use("read", {"path": ".github/fixer.yml"}),
]
EXTRA_CODER = [
    tool_use("read", {"path": "calc/stats.py"}),
    tool_use("grep", {"pattern": "len\\(values\\)"}),
    tool_use("glob", {"pattern": "tests/*.py"}),
    tool_use("shell", {"command": "git status --short"}),
    tool_use("shell", {"command": sample_repo.TEST_COMMAND}),
]
AFTER_EDIT = [
    tool_use("read", {"path": "calc/stats.py"}),
    tool_use("shell", {"command": "git diff --stat"}),
]


def long_script() -> tuple[list[Message], int]:
    """The lengthened script, and how many of its replies are the planner's."""
    base = sample_repo.fix_script()
    planner = [reply(call) for call in EXTRA_PLANNER] + base[:3]
    coder = (
        [reply(call) for call in EXTRA_CODER]
        + base[3:4]
        + [reply(c) for c in AFTER_EDIT]
        + base[4:]
    )
    return planner + coder, len(planner)


GITHUB_STEPS = {
    "load_repo",
    "actor_permission",
    "app_bot_login",
    "acknowledge",
    "status_comment",
}
"""Steps that are GitHub calls (reads of the repository, the status comment)."""


def phase_of(name: str) -> str | None:
    """The bench's phase for a DBOS step name."""
    if name == "fetch_base":
        return "clone_fetch"
    if name == "start_sandbox":
        return "sandbox_start"
    if name in ("push_branch", "open_pull_request"):
        return "pull_request"
    if name.startswith(("snapshot", "patch")):
        return "patch"
    if name == "model_call":
        return "llm_model"
    if name == "llm_wait":
        return name
    if ".tool." in name or name.startswith("tool"):
        return "tools"
    if name in GITHUB_STEPS:
        return "github"
    if name.startswith("slack_"):
        return "slack"
    if name in ("record_run", "set_state"):
        return "run_state"
    return None


def step_times(database: Path, window: tuple[float, float] | None = None) -> dict[str, Any]:
    """Milliseconds per phase, summed over the steps of every workflow of the run; with
    ``window`` (epoch ms), only steps that started in it, and ``other_ms``: the window's time
    in no step at all (webhook and intake, queue polls, DBOS and timeline bookkeeping between
    steps, the sandbox's removal when the round ends)."""
    with sqlite3.connect(database) as db:
        # Runs started before model calls became steps of the run wait on each call as a
        # child workflow on the LLM queue: the parent's DBOS.getResult on an llm_call child
        # is the call as the agent sees it. Now the model_call step of the round is.
        rows = db.execute(
            "SELECT CASE WHEN s.name = 'llm_call' THEN 'llm_wait' ELSE o.function_name END, "
            "o.started_at_epoch_ms, o.completed_at_epoch_ms, "
            "o.workflow_uuid LIKE '%/round-%.llm.%' FROM operation_outputs o "
            "LEFT JOIN workflow_status s ON s.workflow_uuid = o.child_workflow_id "
            "AND o.function_name = 'DBOS.getResult' "
            "WHERE o.completed_at_epoch_ms IS NOT NULL"
        ).fetchall()
    phases: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for name, started, completed, in_llm_child in rows:
        if started is None or (window and not window[0] <= started <= window[1]):
            continue
        phase = phase_of(str(name))
        if phase == "llm_model" and not in_llm_child:
            counts["llm_wait"] += 1  # a direct call: the step is what the agent waits for
            phases["llm_wait"] += completed - started
        if phase is not None:
            phases[phase] += completed - started
            counts[phase] += 1
    spans = {f"{p}_ms": round(v) for p, v in sorted(phases.items())}
    spans["agent_loops_ms"] = round(phases["llm_wait"] + phases["tools"])
    if window is not None:
        # llm_model is inside llm_wait (the same step, or the child the wait is on).
        covered = sum(v for p, v in phases.items() if p not in ("llm_model", "pull_request"))
        spans["other_ms"] = round(window[1] - window[0] - covered)
    return {**spans, "tool_steps": counts["tools"], "llm_calls": counts["llm_wait"]}


def full_run(tmp: Path) -> dict[str, Any]:
    script, _ = long_script()
    stack = Stack(tmp, generate_app_key(), script)
    try:
        stack.start_fixer()
        time.sleep(SETTLE_S)
        started, opened_ms = time.monotonic(), time.time() * 1000
        stack.open_issue()
        wait_until(lambda: stack.approval_messages(), timeout=300, what="the approval message")
        to_approval = time.monotonic() - started
        window = (opened_ms, time.time() * 1000)
        clicked = time.monotonic()
        assert stack.click("fixer_approve", RUN, 1).status_code == 200
        wait_until(lambda: stack.github.state.pulls, timeout=120, what="the pull request")
        to_pr = time.monotonic() - clicked
        if stack.model.remaining:
            raise AssertionError(f"{stack.model.remaining} scripted replies left unused")
        return {
            "script_replies": len(script),
            "issue_to_approval_s": round(to_approval, 2),
            "approval_to_pr_s": round(to_pr, 2),
            **step_times(stack.workdir / "fixer.db"),
            "to_approval": step_times(stack.workdir / "fixer.db", window),
        }
    finally:
        stack.stop()


def killed_run(tmp: Path) -> dict[str, Any]:
    script, planner_replies = long_script()
    stack = Stack(tmp, generate_app_key(), script)
    try:
        stack.start_fixer()
        stack.open_issue()
        half_coder = planner_replies + (len(script) - planner_replies) // 2
        wait_until(lambda: len(stack.model.requests) >= half_coder, timeout=300, what="mid-coding")
        stack.kill_fixer()
        before_kill = len(stack.model.requests)
        stack.start_fixer()
        wait_until(lambda: stack.approval_messages(), timeout=300, what="the approval message")
        assert stack.click("fixer_approve", RUN, 1).status_code == 200
        wait_until(lambda: stack.github.state.pulls, timeout=120, what="the pull request")
        made_again = stack.model.repeated
        return {
            "kill_after_requests": before_kill,
            "requests": len(stack.model.requests),
            "replayed_from_db": before_kill - made_again,
            "made_again": made_again,
            "pulls": len(stack.github.state.pulls),
        }
    finally:
        stack.stop()


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda run: float(run["issue_to_approval_s"]))
    return ordered[len(ordered) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3, help="full and bare runs, alternated")
    args = parser.parse_args()
    fulls, bares = [], []
    for _ in range(args.pairs):
        with tempfile.TemporaryDirectory(prefix="fixer-e2e-bare-") as tmp:
            bares.append(bare_run(Path(tmp), long_script()[0]))
        with tempfile.TemporaryDirectory(prefix="fixer-e2e-") as tmp:
            fulls.append(full_run(Path(tmp)))
    full, bare = median_run(fulls), median_run(bares)
    ratio = full["issue_to_approval_s"] / bare["issue_to_approval_s"]
    with tempfile.TemporaryDirectory(prefix="fixer-e2e-kill-") as tmp:
        killed = killed_run(Path(tmp))
    samples = {
        "full_s": [run["issue_to_approval_s"] for run in fulls],
        "bare_s": [run["issue_to_approval_s"] for run in bares],
    }
    result = {**full, "harness_ratio": round(ratio, 2), "bare": bare, "samples": samples}
    print(json.dumps({**result, "kill": killed}))


if __name__ == "__main__":
    main()
