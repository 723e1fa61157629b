"""Distributed chaos: `fixer web` and two `fixer worker`s on PostgreSQL, any of them SIGKILLed,
PostgreSQL itself restarted, while issues keep arriving.

M issues over R repositories (``acme/calc-1..R``) arrive a few seconds apart against the
conversation-aware scripted model, with faults on everywhere (model 429/529/500/slow, GitHub
502 and Slack 500 before or after calls). At seeded points of the expected work the bench
SIGKILLs one worker, the web process, or both workers at once, and restarts PostgreSQL
(``pg_ctlcluster <version> main restart``). A killed worker either comes back at once with
its ``FIXER_EXECUTOR_ID`` or stays dead until the survivor has taken its runs over (then a
fresh worker joins under a new id). Each run is approved when its approval message appears.

Webhooks are sent as GitHub sends them: once. A delivery that fails (the web process dead,
the database restarting) is never retried by GitHub
(https://docs.github.com/en/webhooks/using-webhooks/handling-failed-webhook-deliveries); it
is Fixer's own recovery (``app/delivery_recovery.py``: the App's delivery log, then
``POST /app/hook/deliveries/{id}/attempts``) that must get it redelivered.

    .venv/bin/python bench/chaos_distributed.py                  # 100 runs, the target
    .venv/bin/python bench/chaos_distributed.py --runs 4 \
        --events worker-dead,web,postgres,both,worker-back     # the `make test` variant

Writes ``bench/results/chaos_distributed.json`` and ``.png`` (runs in flight, queue depth and
PRs over time, with the disruptions marked). Target: every run completes, zero duplicates,
``llm_repeated <= kills``. Last line: JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from chaos import RECLICK_AFTER_S, duplicates  # noqa: E402
from chaos_cluster import Cluster  # noqa: E402
from chaos_timeline import Timeline, draw  # noqa: E402

from devtools import sample_repo  # noqa: E402
from devtools.conversation_model import ConversationModel, ModelFaults  # noqa: E402
from devtools.slack_clicks import SlackGaveUp  # noqa: E402
from devtools.stack import Stack, generate_app_key  # noqa: E402

SERVER = "postgresql://fixer:fixer@127.0.0.1:5432/postgres"
KINDS = ("worker", "web", "both")


def schedule(rng: random.Random, runs: int, events: list[str] | None, kills: int) -> list[str]:
    """The disruptions, in order: ``events`` as given, or ``kills`` seeded ones with two
    PostgreSQL restarts among them (never first, so the cluster is warm)."""
    if events is not None:
        return events
    drawn = [rng.choice(KINDS) for _ in range(kills)]
    for at in sorted(rng.sample(range(1, kills), 2), reverse=True):
        drawn.insert(at, "postgres")
    return drawn


def open_issues(stack: Stack, names: list[str], runs: int, every_s: float) -> threading.Thread:
    """The issues, ``every_s`` apart, from a thread: deliveries go on while processes die."""

    def send() -> None:
        for n in range(runs):
            stack.github.open_issue(
                names[n % len(names)], sample_repo.ISSUE_TITLE, sample_repo.ISSUE_BODY, "sample-dev"
            )
            time.sleep(every_s)

    thread = threading.Thread(target=send, daemon=True, name="issues")
    thread.start()
    return thread


def approve_new(stack: Stack, clicked: dict[tuple[str, int], float], gave_up: list[str]) -> None:
    """Click approve on every approval message not clicked yet (or clicked long ago, no PR).

    A click fails while the web process is down, or when its answer takes longer than
    Slack's 3 s (the person sees an error): the person clicks again a little later."""
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
            pass  # the web process is down (killed): click again once it is back
        except SlackGaveUp:
            gave_up.append(key[0])
            clicked[key] = time.monotonic()  # recorded or not, the PR tells; else again


def chaos(tmp: Path, args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    rng = random.Random(args.seed)
    responder = ConversationModel(faults=ModelFaults(rate=0.2, seed=args.seed, retry_after_s=0.2))
    stack = Stack(tmp, generate_app_key(), responder.script(100_000))
    stack.env["DATABASE_URL"] = database_url
    stack.env["FIXER_EXECUTOR_TIMEOUT_S"] = str(args.executor_timeout)
    stack.env["FIXER_LLM_RPM"] = "600"  # the scripted model has no limit; the cores are it
    names = [f"acme/calc-{n}" for n in range(1, args.repos + 1)]
    started = time.monotonic()
    timeline = Timeline(database_url, started, lambda: len(stack.github.state.pulls))
    port = make_url(database_url).port or 5432
    cluster = Cluster(stack, timeline, rng, args.executor_timeout, postgres_port=port)
    try:
        for name in names:
            stack.github.create_repo(name, files=sample_repo.FILES)
        stack.installed = True
        cluster.start()
        stack.github.install([sample_repo.REPO, *names])
        timeline.start()
        stack.github.faults.fail_rate = stack.github.faults.fail_after_rate = 0.1
        stack.github.faults.seed = args.seed
        stack.slack.fail_rate = stack.slack.fail_after_rate = 0.1
        stack.slack.seed = args.seed
        sender = open_issues(stack, names, args.runs, args.every)
        plan = schedule(rng, args.runs, args.events, args.kills)
        # Disruptions at seeded points of the expected work (6 model calls, an approval and
        # a PR per run), each after a seeded extra delay so it lands mid-step.
        total = 8 * args.runs
        # A given list of events (the short test) lands in the first half of the work, and
        # every one of them happens: the loop below waits for the last one even when the
        # runs are done, since a slow takeover can hold the next disruption back.
        span = total // 2 if args.events else total
        points = sorted(rng.sample(range(1, span), min(len(plan), span - 1)))
        done = 0
        clicked: dict[tuple[str, int], float] = {}
        deadline = started + args.timeout
        while (
            sender.is_alive()
            or len(stack.github.state.pulls) < args.runs
            or (args.events and done < len(points))
        ):
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{len(stack.github.state.pulls)}/{args.runs} PRs after {args.timeout:.0f}s, "
                    f"{len(stack.approval_messages())} approval messages, "
                    f"{done}/{len(plan)} disruptions; end of the logs:\n"
                    f"{stack.log_text()[-6000:]}"
                )
            cluster.supervise()
            progress = (
                len(stack.model.requests)
                + len(stack.approval_messages())
                + len(stack.github.state.pulls)
            )
            if done < len(points) and progress >= points[done] and cluster.settled():
                time.sleep(rng.uniform(0.0, 1.5))
                cluster.disrupt(plan[done])
                done += 1
            approve_new(stack, clicked, cluster.clicks_gave_up)
            time.sleep(0.2)
        wall = time.monotonic() - started
        timeline.stop()
        return figures(stack, responder, cluster, args, wall, done)
    except BaseException:
        # The service logs and DBOS's view of every workflow, kept for the post-mortem.
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".log").write_text(stack.log_text() + workflows(database_url))
        raise
    finally:
        cluster.stop()
        stack.stop()
        draw(timeline, args.png, f"fixer web + 2 workers on PostgreSQL: {args.runs} runs")


def workflows(database_url: str) -> str:
    try:
        with psycopg.connect(database_url, connect_timeout=5) as db:
            rows = db.execute(
                "SELECT workflow_uuid, name, status, executor_id, queue_name, recovery_attempts"
                " FROM dbos.workflow_status ORDER BY created_at"
            ).fetchall()
    except psycopg.Error as exc:
        return f"\n(no workflow list: {exc})\n"
    return "\n== dbos.workflow_status\n" + "\n".join(" | ".join(map(str, r)) for r in rows)


def figures(
    stack: Stack,
    responder: ConversationModel,
    cluster: Cluster,
    args: argparse.Namespace,
    wall: float,
    disruptions: int,
) -> dict[str, Any]:
    state = stack.github.state
    pulls = list(state.pulls.values())
    comments = Counter(
        (c.repo, c.issue) for c in list(state.comments.values()) if "fixer-run:" in c.body
    )
    approvals = Counter(
        json.dumps(m["metadata"]["event_payload"], sort_keys=True)
        for m in stack.approval_messages()
    )
    opened = [d for d in state.deliveries if d.event == "issues"]
    accepted = {d.id for d in opened if 200 <= d.status < 300 and not d.redelivery}
    first_failed = {d.id for d in opened if not d.redelivery and not 200 <= d.status < 300}
    with_pr = {(p.repo, p.head) for p in pulls}

    def issue_of(guid: str) -> tuple[str, str]:
        payload = next(d.payload for d in opened if d.id == guid)
        return payload["repository"]["full_name"], f"fixer/issue-{payload['issue']['number']}"

    return {
        "runs": args.runs,
        "repos": args.repos,
        "completed": len(with_pr),
        "disruptions": disruptions,
        **cluster.counts(),
        "deliveries_failed_first_time": len(first_failed),
        "deliveries_redelivered": sum(1 for d in opened if d.redelivery),
        "accepted_deliveries_lost": sum(1 for g in accepted if issue_of(g) not in with_pr),
        "duplicate_comments": duplicates(comments),
        "duplicate_approval_messages": duplicates(approvals),
        "duplicate_prs": duplicates(Counter((p.repo, p.head) for p in pulls)),
        "llm_requests": len(stack.model.requests),
        "llm_repeated": stack.model.repeated,
        "llm_faults": sum(responder.injected.values()),
        "slack_faults": stack.slack.injected,
        "executor_timeout_s": args.executor_timeout,
        "wall_s": round(wall, 1),
    }


def _server_url(printed: str) -> str:
    """The URL the cluster script prints last; a line PostgreSQL's tools add is not it."""
    urls = [line for line in printed.splitlines() if line.startswith("postgresql://")]
    if not urls:
        raise SystemExit(f"postgres-cluster-up.sh printed no server URL: {printed!r}")
    return urls[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--repos", type=int, default=6)
    parser.add_argument("--kills", type=int, default=14, help="process disruptions drawn")
    parser.add_argument(
        "--events",
        help="comma-separated worker|worker-back|worker-dead|web|both|postgres, in order",
    )
    parser.add_argument("--every", type=float, default=2.0, help="seconds between issues")
    parser.add_argument(
        "--executor-timeout",
        type=float,
        default=30.0,
        help="FIXER_EXECUTOR_TIMEOUT_S (the default)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cluster",
        default="",
        help="run on (and restart) a PostgreSQL cluster of this name, created if missing, "
        "instead of the machine's cluster on 5432 (tests use one, so others' databases stay up)",
    )
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds for all PRs")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "chaos_distributed.json")
    args = parser.parse_args()
    args.events = args.events.split(",") if args.events else None
    args.repos = min(args.repos, args.runs)
    args.png = args.out.with_suffix(".png")
    name = f"fixer_chaos_{uuid.uuid4().hex[:10]}"
    server, up = SERVER, [str(HERE.parent / "scripts" / "postgres-up.sh")]
    if args.cluster:
        # A cluster of the bench's own: restarting it cannot break anyone else's database.
        up = [str(HERE.parent / "scripts" / "postgres-cluster-up.sh"), args.cluster]
        printed = subprocess.run(["bash", *up], check=True, capture_output=True, text=True)
        server = _server_url(printed.stdout)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="fixer-chaos-pg-") as tmp:
            result = chaos(Path(tmp), args, server.rsplit("/", 1)[0] + f"/{name}")
    finally:
        subprocess.run(["bash", *up], check=False, capture_output=True)  # a cut-short restart
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
