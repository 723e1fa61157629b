"""Webhook ingest throughput: `fixer web` against a bare FastAPI endpoint that only says 202.

``wrk`` (bench/wrk_load.py) replays signed deliveries built from the real octokit payloads
(new issues from an owner, which start runs, plus comments and reviews, which are recorded
and ignored) over a fixed number of keep-alive connections for a fixed time, each request
a delivery of its own (a fresh X-GitHub-Delivery), first against the bare endpoint, then
against `fixer web` on SQLite. Every accepted delivery must be in the database afterwards.
Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import hmac
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.wrk_load import load, write_requests  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "github_webhooks"
SECRET = "bench-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def deliveries(count: int) -> list[tuple[dict[str, str], bytes]]:
    opened = json.loads((FIXTURES / "issues__opened.payload.json").read_text())
    comment = json.loads(
        (FIXTURES / "issue_comment__created.with-installation.payload.json").read_text()
    )
    review = json.loads((FIXTURES / "pull_request_review__submitted.payload.json").read_text())
    out = []
    for i in range(count):
        kind = i % 4
        if kind < 2:
            payload, event = copy.deepcopy(opened), "issues"
            payload["installation"] = {"id": 1}
            payload["issue"]["number"] = 10_000 + i  # distinct issues: each one starts a run
        elif kind == 2:
            payload, event = copy.deepcopy(comment), "issue_comment"
        else:
            payload, event = copy.deepcopy(review), "pull_request_review"
        body = json.dumps(payload).encode()
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": signature,
            "Content-Type": "application/json",
        }
        out.append((headers, body))
    return out


def wait_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180  # generous: a loaded machine imports slowly
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=0.5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def serve(argv: list[str], env: dict[str, str], cwd: Path, health: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_up(health, process)
    return process


def wait_drained(database: Path, timeout: float = 300.0) -> float:
    """Seconds until the run intake has started every run the deliveries owe."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with sqlite3.connect(database) as db:
            owed = db.execute(
                "SELECT COUNT(*) FROM webhook_deliveries "
                "WHERE outcome = 'pending' OR outcome LIKE 'starting:%'"
            ).fetchone()[0]
        if owed == 0:
            break
        time.sleep(0.2)
    return time.monotonic() - started


def app_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bodies", type=int, default=2000, help="distinct signed bodies")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="fixer-bench-"))
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(workdir),
        "DATABASE_URL": f"sqlite:///{workdir}/fixer.db",
        "GITHUB_APP_ID": "1",
        "GITHUB_APP_PRIVATE_KEY": app_key().replace("\n", "\\n"),
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "GITHUB_API_URL": "http://127.0.0.1:9/api/v3",
        "FIXER_EXECUTOR_ID": "bench-web",
    }
    requests_file = write_requests(workdir / "requests.bin", deliveries(args.bodies))
    bare_port, fixer_port = free_port(), free_port()

    def measure(port: int) -> dict[str, Any]:
        url = f"http://127.0.0.1:{port}"
        load(url, requests_file, duration_s=2, connections=args.connections)  # warm-up
        return load(url, requests_file, duration_s=args.duration, connections=args.connections)

    bare = serve(
        [sys.executable, str(Path(__file__).parent / "bare_endpoint.py"), str(bare_port)],
        env,
        workdir,
        f"http://127.0.0.1:{bare_port}/healthz",
    )
    try:
        bare_result = measure(bare_port)
    finally:
        bare.terminate()
        bare.wait()

    fixer = serve(
        [sys.executable, "-m", "app", "web", "--port", str(fixer_port)],
        env,
        workdir,
        f"http://127.0.0.1:{fixer_port}/healthz",
    )
    try:
        result = measure(fixer_port)
        drain_s = wait_drained(workdir / "fixer.db")
    finally:
        fixer.terminate()
        fixer.wait()

    with sqlite3.connect(workdir / "fixer.db") as db:
        persisted = db.execute(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE id LIKE ? AND outcome != ''",
            (result["prefix"] + "-%",),
        ).fetchone()[0]
        runs = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    figures = {
        "ingest_rps": round(result["rps"], 1),
        "bare_rps": round(bare_result["rps"], 1),
        "ratio": round(result["rps"] / bare_result["rps"], 3),
        "p50_ms": round(result["p50_ms"], 2),
        "p99_ms": round(result["p99_ms"], 2),
        "max_ms": round(result["max_ms"], 2),
        "bare_p50_ms": round(bare_result["p50_ms"], 2),
        "bare_p99_ms": round(bare_result["p99_ms"], 2),
        "requests": result["requests"],
        "accepted": result["accepted"],
        "errors": result["non_2xx"] + result["socket_errors"],
        "persisted": persisted,
        # wrk counts only answered requests; one stored but not yet answered at the end is
        # not lost, so only a shortfall counts.
        "lost": max(0, result["accepted"] - persisted),
        "runs_started": runs,
        "drain_s": round(drain_s, 2),
        "distinct_bodies": args.bodies,
        "connections": args.connections,
        "duration_s": args.duration,
        "load_tool": "wrk",
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
