"""The distributed chaos bench, short: `fixer web` and two `fixer worker`s on PostgreSQL, with
faults everywhere, through one disruption of each kind: a worker killed and left dead (the
survivor takes its runs over), the web process killed, PostgreSQL restarted, both workers
killed at once, a worker killed and back with its id. Every run still ends with one status
comment, one approval message and one PR, and no accepted webhook is lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[2] / "bench" / "chaos_distributed.py"
EVENTS = "worker-dead,web,postgres,both,worker-back"


def test_runs_on_postgres_survive_every_kind_of_kill_and_a_database_restart_exactly_once(
    tmp_path: Path, postgres_url: str, docker_client: Any
) -> None:
    # postgres_url: the server must answer (the bench makes its own database on it).
    out = tmp_path / "chaos.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--runs",
            "4",
            "--repos",
            "2",
            "--events",
            EVENTS,
            "--executor-timeout",
            "4",
            "--every",
            "1",
            "--seed",
            "7",
            "--timeout",
            "360",  # ~100 s on a quiet 2-core machine; starting 5 processes under load is slow
            "--cluster",
            "fixer-chaos",  # its own cluster: the restart must not cut other tests' databases
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=480,
    )
    assert done.returncode == 0, done.stderr[-6000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["completed"] == result["runs"] == 4, result
    assert result["disruptions"] == 5, result
    assert result["kills_by_kind"] == {"worker": 4, "web": 1}, result
    assert result["postgres_restarts"] == 1, result
    # The dead worker's runs moved to the survivor: heartbeat timeout plus a few beats.
    assert result["takeovers"] == 1 and result["takeover_s"][0] < 4 + 20, result
    assert result["accepted_deliveries_lost"] == 0, result
    assert result["duplicate_comments"] == 0, result
    assert result["duplicate_approval_messages"] == 0, result
    assert result["duplicate_prs"] == 0, result
    assert result["unexpected_exits"] == [], result
    # Only a call in flight at a kill may be made again.
    assert result["llm_repeated"] <= result["kills"], result
    assert out.with_suffix(".png").read_bytes().startswith(b"\x89PNG"), "no timeline picture"
