"""`fixer demo`: one issue fixed end to end on this machine, narrated as it happens.

The real `fixer serve` runs against the GitHub and Slack emulations and the scripted model
(devtools/stack.py) with the real Docker sandbox; this module only drives it the way people
would (open an issue, click a Slack button) and prints what each side sees.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import Any

from app.slack.messages import STATUS_BLOCK_ID
from devtools import demo_followup, sample_repo
from devtools.demo_watch import ModelLog, Narrator, Watcher
from devtools.slack_render import render_blocks, render_message
from devtools.stack import CHANNEL, Stack, generate_app_key

RUN = f"{sample_repo.REPO}#1:1"
SANDBOX_IMAGE = "fixer-sandbox:default"
BRANCH = "fixer/issue-1"


def preflight() -> str | None:
    """Why the demo cannot run here, with the command that fixes it; None when it can."""
    import docker
    from docker.errors import DockerException, ImageNotFound

    try:
        client = docker.from_env(timeout=5)
        client.ping()
    except DockerException as exc:
        return f"Docker engine not reachable ({exc}): run `bash scripts/docker-up.sh`"
    try:
        client.images.get(SANDBOX_IMAGE)
    except ImageNotFound:
        return f"{SANDBOX_IMAGE} is missing: run `make sandbox-image` or `fixer sandbox build`"
    finally:
        client.close()
    return None


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    env |= {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "HOME": str(cwd)}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def _tests(out: Narrator, checkout: Path) -> bool:
    result = _run(sample_repo.TEST_COMMAND.split(), checkout)
    out.block(result.stdout + result.stderr)
    return result.returncode == 0


def show_sample(out: Narrator, stack: Stack, checkout: Path) -> None:
    """The repository as its owner sees it: the bug, and its test failing on the host."""
    bare = stack.github.git.repo_path(sample_repo.REPO)
    _run(["git", "clone", "--quiet", str(bare), str(checkout)], checkout.parent).check_returncode()
    files = sorted(str(p.relative_to(checkout)) for p in checkout.rglob("*") if p.is_file())
    out.say(
        f"sample repository {sample_repo.REPO}: {', '.join(f for f in files if '.git/' not in f)}"
    )
    out.say("calc/stats.py (the bug: the mean divides by n - 1):")
    out.block((checkout / "calc/stats.py").read_text())
    out.say(f"its tests on the host: {sample_repo.TEST_COMMAND}")
    if _tests(out, checkout):
        raise RuntimeError("the sample repository's tests pass before the fix; nothing to show")
    out.say("→ FAILED, as the issue says")


def decide(out: Narrator, stack: Stack, watcher: Watcher, interactive: bool) -> str:
    """Approve (or, interactively, what the user types) the newest round; returns the action."""
    round = 1
    while True:
        message = watcher.wait(
            partial(_approval, stack, round), f"the Slack approval message (round {round})"
        )
        # The status comment is edited just after the Slack post: show it first, as it happens.
        with suppress(RuntimeError):
            watcher.wait(partial(_awaiting, watcher, round), "the status comment", 5)
        out.say(f"Slack: approval message in #{CHANNEL} (round {round}):")
        out.block(render_message(message), "  ┃ ")
        choice = _ask(out) if interactive else "a"
        if choice == "r":
            feedback = input("feedback for the coder: ").strip() or "Please document the change."
            response = stack.request_changes(RUN, round, feedback)
            out.say(
                f"Slack → fixer: signed view_submission (Request changes) → {response.status_code}"
            )
            round += 1
            continue
        action = {"a": "fixer_approve", "x": "fixer_reject"}[choice]
        response = stack.click(action, RUN, round)
        label = "Approve & open PR" if choice == "a" else "Reject"
        out.say(f"Slack → fixer: signed block_actions click on [{label}] → {response.status_code}")
        if response.status_code != 200:
            raise RuntimeError(f"Fixer answered the click with {response.status_code}")
        return action


def _awaiting(watcher: Watcher, round: int) -> bool:
    return f"(round {round})" in watcher.comment


def _approval(stack: Stack, round: int) -> dict[str, Any] | None:
    found = stack.approval_messages()
    return next((m for m in found if m["metadata"]["event_payload"]["round"] == round), None)


def _ask(out: Narrator) -> str:
    while True:
        answer = input("[a]pprove, [r]equest changes or reject [x]? ").strip().lower()[:1]
        if answer in ("a", "r", "x"):
            return answer
        out.say("type a, r or x")


def show_pull(out: Narrator, stack: Stack, watcher: Watcher, checkout: Path) -> None:
    """The PR Fixer opened, its diff, and the repository's tests passing on its branch."""
    pull = watcher.wait(lambda: next(iter(stack.github.state.pulls.values()), None), "the PR")
    url = f"{stack.github.site.web_url}/{pull.repo}/pull/{pull.number}"
    out.say(f"GitHub: PR #{pull.number} opened, {pull.head} → {pull.base}: {pull.title}")
    out.say(f"        {url}")
    out.block("\n".join((pull.body or "").splitlines()[:8]))
    git = ["git", "-C", str(checkout)]
    _run([*git, "fetch", "--quiet", "origin", pull.head], checkout).check_returncode()
    out.say(f"the diff ({pull.base}..{pull.head}):")
    out.block(_run([*git, "diff", f"origin/{pull.base}", "FETCH_HEAD"], checkout).stdout)
    _run([*git, "checkout", "--quiet", "FETCH_HEAD"], checkout).check_returncode()
    out.say(f"the tests on {pull.head}, on the host: {sample_repo.TEST_COMMAND}")
    if not _tests(out, checkout):
        raise RuntimeError(f"the tests fail on {pull.head}")
    out.say("→ OK")
    watcher.wait(lambda: "Pull request opened" in watcher.comment, "the status comment's PR line")
    decided = watcher.wait(lambda: _decided(stack), "the Slack message's decision")
    out.say(f"Slack: the approval message now reads: {decided}")


def _remove_sandboxes(stack: Stack, run_ids: list[str]) -> None:
    """The follow-up rounds' sandboxes too, should one outlive the service."""
    import docker

    from agents.sandbox.run_resources import remove_run
    from app.runs.workspace import sandbox_key

    client = docker.from_env()
    try:
        for run_id in run_ids:
            remove_run(client, sandbox_key(stack.database_url, run_id))
    finally:
        client.close()


def _decided(stack: Stack) -> str | None:
    """The decision line that replaced the buttons on the approval message, once it has."""
    [message] = stack.approval_messages()[-1:]
    blocks = message.get("blocks") or []
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    status = [b for b in blocks if b.get("block_id") == STATUS_BLOCK_ID]
    return render_blocks(status) if status else None


def script(interactive: bool, follow_up: bool = False) -> list[Any]:
    # Each "request changes" round replays the canned second round (max_rounds is 3).
    extra = sample_repo.feedback_script() * 2 if interactive else []
    return sample_repo.fix_script() + extra + (demo_followup.script() if follow_up else [])


def run_demo(interactive: bool = False, keep: bool = False, follow_up: bool = False) -> int:
    """Run the whole flow once; 0 on success, 1 with the reason (and the fixer log) if not."""
    out = Narrator()
    if interactive and follow_up:
        # The scripted model answers in order: rounds asked for by hand would take the
        # replies meant for the follow-ups.
        print("fixer demo: --follow-up runs unattended; leave out --interactive", file=sys.stderr)
        return 1
    if (problem := preflight()) is not None:
        print(f"fixer demo: {problem}", file=sys.stderr)
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="fixer-demo-"))
    stack: Stack | None = None
    watcher: Watcher | None = None
    try:
        model = ModelLog(script(interactive, follow_up))
        stack = Stack(tmp, generate_app_key(), model.script)
        out.say(f"GitHub emulation {stack.github.api_url} · Slack {stack.slack.url}")
        out.say(f"scripted model {stack.model_server.base_url} · temp dir {tmp}")
        show_sample(out, stack, tmp / "checkout")
        stack.start_fixer()
        assert stack.process is not None
        out.say(
            f"fixer serve (pid {stack.process.pid}) on {stack.url}, started in {stack.workdir} "
            "(.env there; SQLite fixer.db and .fixer-cache beside it)"
        )
        watcher = Watcher(out, stack, model, RUN)
        number = stack.open_issue()
        watcher.show_delivery(number)
        if decide(out, stack, watcher, interactive) == "fixer_reject":
            watcher.wait(lambda: "Rejected" in watcher.comment, "the rejection on the issue")
            out.say("rejected: nothing was pushed, no PR")
        else:
            show_pull(out, stack, watcher, tmp / "checkout")
            if follow_up:
                demo_followup.run_follow_up(out, stack, watcher, tmp / "checkout", RUN)
        watcher.poll()
        out.say(f"run page: {watcher.run_url} (served while the demo runs)")
        out.say(f"done in {out.elapsed():.1f} s")
        return 0
    except KeyboardInterrupt:
        print("\nfixer demo: interrupted; stopping everything it started", file=sys.stderr)
        return 130
    except Exception as exc:  # any failure ends the demo with its reason and the service's log
        print(f"\nfixer demo failed: {exc}", file=sys.stderr)
        if stack is not None:
            tail = stack.log_text().splitlines()[-40:]
            print("last lines of the fixer log:\n" + "\n".join(tail), file=sys.stderr)
        return 1
    finally:
        # A second Ctrl-C must not cut the clean-up short and leave a container behind.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            if watcher is not None:
                watcher.close()
            if stack is not None:
                stack.stop()
                if watcher is not None:
                    _remove_sandboxes(stack, watcher.followed)
            if keep:
                print(f"kept {tmp}", file=sys.stderr)
            else:
                shutil.rmtree(tmp, ignore_errors=True)
        finally:
            signal.signal(signal.SIGINT, previous)
