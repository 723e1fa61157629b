"""Webhook ingest throughput: `fixer web` against a bare FastAPI endpoint that only says 202.

Replays N distinct signed deliveries built from the real octokit payloads (new issues from
an owner, which start runs, plus comments and reviews, which are recorded and ignored) at
a fixed concurrency, first against the bare endpoint, then against `fixer web` on SQLite.
Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import hashlib
import hmac
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
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


async def replay(
    url: str, items: list[tuple[dict[str, str], bytes]], concurrency: int
) -> dict[str, Any]:
    latencies: list[float] = []
    accepted = 0
    queue: asyncio.Queue[tuple[dict[str, str], bytes]] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal accepted
        while not queue.empty():
            headers, body = queue.get_nowait()
            start = time.perf_counter()
            response = await client.post(url, content=body, headers=headers)
            latencies.append((time.perf_counter() - start) * 1000)
            accepted += response.status_code == 202

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(items) / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
        "accepted": accepted,
    }


def wait_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
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
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
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
    items = deliveries(args.count)
    bare_port, fixer_port = free_port(), free_port()

    bare = serve(
        [sys.executable, str(Path(__file__).parent / "bare_endpoint.py"), str(bare_port)],
        env,
        workdir,
        f"http://127.0.0.1:{bare_port}/healthz",
    )
    try:
        asyncio.run(
            replay(f"http://127.0.0.1:{bare_port}/github/webhook", items[:200], args.concurrency)
        )
        bare_result = asyncio.run(
            replay(f"http://127.0.0.1:{bare_port}/github/webhook", items, args.concurrency)
        )
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
        warm = deliveries(200)
        asyncio.run(replay(f"http://127.0.0.1:{fixer_port}/github/webhook", warm, args.concurrency))
        result = asyncio.run(
            replay(f"http://127.0.0.1:{fixer_port}/github/webhook", items, args.concurrency)
        )
        drain_s = wait_drained(workdir / "fixer.db")
    finally:
        fixer.terminate()
        fixer.wait()

    ids = {headers["X-GitHub-Delivery"] for headers, _ in items}
    with sqlite3.connect(workdir / "fixer.db") as db:
        stored = {
            row[0] for row in db.execute("SELECT id FROM webhook_deliveries WHERE outcome != ''")
        }
        runs = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    persisted = len(ids & stored)
    figures = {
        "ingest_rps": round(result["rps"], 1),
        "bare_rps": round(bare_result["rps"], 1),
        "ratio": round(result["rps"] / bare_result["rps"], 3),
        "p50_ms": round(result["p50_ms"], 2),
        "p99_ms": round(result["p99_ms"], 2),
        "bare_p50_ms": round(bare_result["p50_ms"], 2),
        "bare_p99_ms": round(bare_result["p99_ms"], 2),
        "accepted": result["accepted"],
        "persisted": persisted,
        "lost": result["accepted"] - persisted,
        "runs_started": runs,
        "drain_s": round(drain_s, 2),
        "count": args.count,
        "concurrency": args.concurrency,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
