"""`fixer demo` as a user runs it: a real subprocess, the real stack, the real sandbox."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from docker.errors import NotFound

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
BUTTONS = "[Approve & open PR] [Request changes] [Reject]"


def demo(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "demo", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


def fixer_pid(output: str) -> int:
    found = re.search(r"fixer serve \(pid (\d+)\)", output)
    assert found, output
    return int(found.group(1))


def container_ids(output: str) -> list[str]:
    return re.findall(r"docker: sandbox container ([0-9a-f]{12}) \(", output)


def assert_nothing_left(docker_client: Any, output: str) -> None:
    """The fixer process and every sandbox container the demo printed are gone."""
    with pytest.raises(ProcessLookupError):
        os.kill(fixer_pid(output), 0)
    for short_id in container_ids(output):
        with pytest.raises(NotFound):
            docker_client.containers.get(short_id)
    tmp = re.search(r"temp dir (\S+)", output)
    assert tmp and not Path(tmp.group(1)).exists()


def test_demo_fixes_the_sample_issue_and_cleans_up(docker_client: Any) -> None:
    process = demo()
    output, _ = process.communicate(timeout=180)
    assert process.returncode == 0, output
    assert "FAILED (failures=1, errors=1)" in output  # the bug, on the host, before
    assert "GitHub → fixer: issues.opened webhook, X-Hub-Signature-256 sha256=" in output
    assert "GitHub: status comment posted:" in output and "Awaiting approval" in output
    assert "model → planner: grep pattern='def mean'" in output
    assert "model → coder: edit calc/stats.py" in output
    assert "Fix ready for review: acme/calc#1" in output and BUTTONS in output
    assert re.search(r"http://127\.0\.0\.1:\d+/acme/calc/pull/\d+", output)
    assert "+    return sum(values) / len(values)" in output
    assert "] → OK" in output
    assert re.search(r"^  │ OK$", output, flags=re.MULTILINE)  # the tests, on the PR branch
    assert container_ids(output), "the demo should show the run's sandbox container"
    assert_nothing_left(docker_client, output)


def test_ctrl_c_while_waiting_for_a_decision_stops_everything(docker_client: Any) -> None:
    process = demo("--interactive", stdin=subprocess.PIPE)
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        assert line, "".join(lines)
        lines.append(line)
        if BUTTONS in line:
            break
    else:
        pytest.fail("no approval message:\n" + "".join(lines))
    time.sleep(0.5)  # let it reach the prompt
    interrupted = time.monotonic()
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=30)
    output = "".join(lines) + rest
    assert time.monotonic() - interrupted < 30
    assert process.returncode == 130, output
    assert "interrupted; stopping everything it started" in output
    assert_nothing_left(docker_client, output)


def test_demo_follow_up_answers_a_review_and_a_failing_check_with_new_commits(
    docker_client: Any,
) -> None:
    process = demo("--follow-up")
    output, _ = process.communicate(timeout=900)
    assert process.returncode == 0, output
    assert "sample-reviewer requests changes on PR #2" in output
    assert output.count("Slack: approval message for follow-up round acme/calc#1:1/pr-2/") == 2
    reviewed, typed = re.findall(r"GitHub: new commit ([0-9a-f]{7}) on fixer/issue-1", output)
    assert reviewed != typed
    assert "+    Raises ZeroDivisionError when ``values`` is empty." in output
    assert "+def mean(values: list[float]) -> float:" in output
    # The review thread and the PR each got a reply naming the commit that answered them.
    assert re.search(rf"replied in the review thread: Addressed in {reviewed}[0-9a-f]+: ", output)
    assert f"on PR #2: ✅ Pushed [{reviewed}]" in output
    assert f"on PR #2: ✅ Pushed [{typed}]" in output
    assert f"CI on {reviewed} → failure (types:" in output and f"CI on {typed} → success" in output
    # One commit per round on the PR branch: the fix, the review's, the check's.
    assert "fixer/issue-1 holds 3 commits on top of main" in output
    assert re.search(rf"\*\*Round 2\*\* · \[`{reviewed}`\]", output)
    assert re.search(rf"\*\*Round 3\*\* · \[`{typed}`\]", output)
    assert_nothing_left(docker_client, output)
