"""The chaos bench, short: 3 runs, 4 SIGKILLs of `fixer serve`, and faults everywhere
(model 429/529/500/slow on 20% of requests, GitHub 502 before or after 10% of calls,
Slack 500 before or after 10%): every run still ends with one PR and no duplicates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "bench" / "chaos.py"


def test_three_runs_through_kills_and_faults_finish_exactly_once(docker_client: Any) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--runs",
            "3",
            "--repos",
            "3",
            "--kills",
            "4",
            "--faults",
            "--seed",
            "7",
            "--timeout",
            "150",
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-6000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["completed"] == result["runs"] == 3, result
    assert result["kills"] == 4, result
    assert result["duplicate_comments"] == 0, result
    assert result["duplicate_approval_messages"] == 0, result
    assert result["duplicate_prs"] == 0, result
    assert result["llm_faults"] > 0 and result["slack_faults"] > 0, result
    # Only a call in flight at a kill may be made again.
    assert result["llm_repeated"] <= result["kills"], result
