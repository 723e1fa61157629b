"""Resource limits hold and are reported: timeouts, pids, memory, output size."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agents.sandbox.config import DockerSandboxConfig
from agents.sandbox.docker import DockerSandbox
from agents.tools.shell import ShellTool

Factory = Callable[..., DockerSandbox]
PIDS_LIMIT = 64

FORK_UP_TO_200 = """python3 - <<'PY'
import os, sys, time
forked = 0
for _ in range(200):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    forked += 1
print("forked", forked, flush=True)
time.sleep(60)
PY"""


@pytest.fixture(scope="module")
def small(sandbox_factory: Factory) -> DockerSandbox:
    """A sandbox with tight limits, so the tests hit them fast."""
    return sandbox_factory(
        DockerSandboxConfig(memory="256m", pids_limit=PIDS_LIMIT, output_cap=4000), label="lim"
    )


def test_timeout_leaves_no_process_behind(small: DockerSandbox) -> None:
    result = small.exec("sleep 400 & nohup sleep 401 >/dev/null 2>&1 & sleep 402", timeout=1)
    assert result.timed_out and result.exit_code == -1
    assert "sleep 40" not in small.exec("ps -eo args").output


def test_process_ignoring_sigterm_is_killed_after_grace(small: DockerSandbox) -> None:
    result = small.exec("trap '' TERM; sleep 403", timeout=1)
    assert result.timed_out
    assert "sleep 403" not in small.exec("ps -eo args").output


def test_fork_bomb_is_contained_by_pids_limit(small: DockerSandbox) -> None:
    result = ShellTool().run(small, {"command": FORK_UP_TO_200, "timeout": 4})
    forked = int(result.content.split("forked ")[1].split()[0])
    assert 0 < forked < PIDS_LIMIT
    assert result.meta["timed_out"]
    assert small.exec("ps -e --no-headers | wc -l").output.strip() in {"3", "4", "5", "6"}
    assert small.exec("echo alive").output == "alive\n"


def test_memory_exhaustion_is_reported_not_hung(small: DockerSandbox) -> None:
    hog = 'python3 -c "x = []\nwhile True: x.append(bytearray(16 * 1024 * 1024))"'
    result = ShellTool().run(small, {"command": hog, "timeout": 60})
    assert result.is_error and result.meta["exit_code"] == 137
    assert "out of memory" in result.content
    assert result.meta["duration_ms"] < 30_000
    assert small.exec("echo alive").output == "alive\n"


def test_output_cap_keeps_head_and_tail(small: DockerSandbox) -> None:
    result = small.exec("seq 1 20000")
    assert result.output.startswith("1\n2\n") and result.output.endswith("19999\n20000\n")
    assert result.truncated_bytes > 100_000
    assert "lines) cut from the middle" in result.output
    assert len(result.output) < 4_300
