"""The distributed chaos bench's processes: one `fixer web`, two `fixer worker`s, PostgreSQL.

``disrupt`` does one thing a bad day does: SIGKILL one worker (it comes back at once with
its id, or stays dead until the survivor has taken its runs over, and then a fresh worker
joins under a new id), SIGKILL the web process (back a few seconds later: the webhooks of
those seconds fail), SIGKILL both workers at once, or restart PostgreSQL. ``supervise``
notices a process that died without being killed (a product failure: counted, restarted as
a process supervisor would).
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections import Counter
from subprocess import Popen
from typing import Any

import httpx
import psycopg
from chaos_timeline import Timeline

from devtools.stack import Stack

WEB_START_S = 600.0
MOVED = """
SELECT (SELECT taken_over_by FROM executors WHERE id = %(id)s),
       (SELECT count(*) FROM dbos.workflow_status
        WHERE executor_id = %(id)s AND status = 'PENDING')
"""


def postgres_cluster(port: int) -> tuple[str, str]:
    """(version, name) of the cluster on ``port``, as ``pg_lsclusters`` lists it."""
    lines = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for line in lines:
        version, name, on = line.split()[:3]
        if on == str(port):
            return version, name
    raise RuntimeError(f"no PostgreSQL cluster listens on port {port}: {lines}")


class Cluster:
    def __init__(
        self,
        stack: Stack,
        timeline: Timeline,
        rng: random.Random,
        timeout_s: float,
        postgres_port: int = 5432,
    ) -> None:
        self.stack = stack
        self.postgres_port = postgres_port
        self.timeline = timeline
        self.rng = rng
        self.timeout_s = timeout_s
        self.workers: dict[str, Popen[bytes]] = {}
        self.next_worker = 1
        self.awaiting: tuple[str, float] | None = None
        """A worker left dead: its id and when it was killed, until its runs have moved."""
        self.kills: Counter[str] = Counter()
        self.takeover_s: list[float] = []
        self.postgres_restart_s: list[float] = []
        self.unexpected_exits: list[str] = []
        self.clicks_gave_up: list[str] = []
        """Approvals whose answer took longer than Slack's 3 s (clicked again later)."""

    # -- processes --------------------------------------------------------------------------

    def start(self) -> None:
        self.start_web()
        for _ in range(2):
            self.spawn_worker()

    def spawn_worker(self, executor_id: str | None = None) -> None:
        if executor_id is None:
            executor_id = f"worker-{self.next_worker}"
            self.next_worker += 1
        self.workers[executor_id] = self.stack.spawn(
            "worker", env={"FIXER_EXECUTOR_ID": executor_id}
        )

    def kill_worker(self, executor_id: str) -> None:
        process = self.workers.pop(executor_id)
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.kills["worker"] += 1

    def restart_web(self) -> None:
        self.stack.kill_fixer()
        self.kills["web"] += 1
        time.sleep(self.rng.uniform(1.0, 4.0))  # webhooks and clicks of these seconds fail
        self.start_web()

    def start_web(self) -> None:
        """``fixer web`` on the stack's port, once it answers: on a machine shared with other
        test runs, importing alone can take a minute, so wait as a supervisor would."""
        self.stack.process = self.stack.spawn("web", "--port", str(self.stack.port))
        deadline = time.monotonic() + WEB_START_S
        while time.monotonic() < deadline and self.stack.process.poll() is None:
            try:
                if httpx.get(f"{self.stack.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"fixer web did not come up:\n{self.stack.logs[-1].read_text()}")

    def stop(self) -> None:
        pass  # Stack.stop() ends every process it spawned

    # -- disruptions ------------------------------------------------------------------------

    def disrupt(self, kind: str) -> None:
        if kind in ("worker", "worker-back", "worker-dead"):
            victim = self.rng.choice(sorted(self.workers))
            self.kill_worker(victim)
            back = self.rng.random() < 0.5 if kind == "worker" else kind == "worker-back"
            if back:
                self.timeline.mark(f"kill {victim}, back with its id")
                self.spawn_worker(victim)
            else:
                self.timeline.mark(f"kill {victim}, stays dead")
                self.awaiting = (victim, time.monotonic())
        elif kind == "both":
            self.timeline.mark("kill both workers")
            for executor_id in sorted(self.workers):
                self.kill_worker(executor_id)
                self.spawn_worker(executor_id)
        elif kind == "web":
            self.timeline.mark("kill web")
            self.restart_web()
        elif kind == "postgres":
            self.timeline.mark("postgres restart")
            began = time.monotonic()
            version, name = postgres_cluster(self.postgres_port)
            subprocess.run(["pg_ctlcluster", version, name, "restart"], check=True)
            self.postgres_restart_s.append(round(time.monotonic() - began, 1))
        else:
            raise ValueError(
                f"unknown disruption {kind!r}: worker, worker-back, worker-dead, web, both "
                "or postgres"
            )

    def settled(self) -> bool:
        """Ready for the next disruption: no worker waiting to have its runs taken over."""
        return self.awaiting is None

    def supervise(self) -> None:
        for executor_id, process in list(self.workers.items()):
            if process.poll() is not None:
                self.unexpected_exits.append(f"{executor_id} exit {process.returncode}")
                self.spawn_worker(executor_id)
        web = self.stack.process
        if web is not None and web.poll() is not None:
            self.unexpected_exits.append(f"web exit {web.returncode}")
            self.start_web()
        if self.awaiting is not None:
            self._check_moved(*self.awaiting)

    def _check_moved(self, executor_id: str, killed_at: float) -> None:
        """Moved: a survivor claimed the dead worker and none of its runs is left with it."""
        try:
            with psycopg.connect(self.timeline.database_url, connect_timeout=2) as db:
                row = db.execute(MOVED, {"id": executor_id}).fetchone()
        except psycopg.Error:
            return
        if row is not None and row[0] is not None and row[1] == 0:
            self.takeover_s.append(round(time.monotonic() - killed_at, 1))
            self.timeline.mark(f"takeover of {executor_id} by {row[0]}")
            self.awaiting = None
            self.spawn_worker()  # a fresh host joins under a new id

    def counts(self) -> dict[str, Any]:
        return {
            "kills": sum(self.kills.values()),
            "kills_by_kind": dict(self.kills),
            "postgres_restarts": len(self.postgres_restart_s),
            "postgres_restart_s": self.postgres_restart_s,
            "takeovers": len(self.takeover_s),
            "takeover_s": self.takeover_s,
            "unexpected_exits": self.unexpected_exits,
            "clicks_slack_gave_up": len(self.clicks_gave_up),
            "events": self.timeline.events,
        }
