"""Drive an HTTP endpoint with ``wrk`` (Debian's package, installed by ``make bench``) so the
figure is the server's, not a Python client's.

Signed deliveries are written once to a file that ``signed_requests.lua`` replays, a fresh
delivery id per request. Loopback only, and every run is bounded by ``duration_s``.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "signed_requests.lua"


def write_requests(path: Path, items: list[tuple[dict[str, str], bytes]]) -> Path:
    """The deliveries in the script's record format (event, signature, length, body)."""
    with path.open("wb") as out:
        for headers, body in items:
            out.write(headers["X-GitHub-Event"].encode() + b"\n")
            out.write(headers["X-Hub-Signature-256"].encode() + b"\n")
            out.write(str(len(body)).encode() + b"\n" + body + b"\n")
    return path


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: run `make bench` (scripts/bench-deps.sh)")
    return found


def load(
    base_url: str,
    requests_file: Path,
    *,
    duration_s: float,
    connections: int,
    threads: int = 1,
) -> dict[str, Any]:
    """One bounded wrk run against ``base_url``; figures, and the delivery-id prefix used."""
    if not base_url.startswith(("http://127.", "http://localhost")):
        raise ValueError(f"{base_url}: load tests aim at loopback only")
    prefix = secrets.token_hex(4)
    done = subprocess.run(
        [
            wrk_binary(),
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={duration_s:g}s",
            "--timeout=10s",
            f"--script={SCRIPT}",
            base_url,
            "--",
            str(requests_file),
            prefix,
        ],
        capture_output=True,
        text=True,
        timeout=duration_s + 60,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"wrk failed (exit {done.returncode}): {done.stderr or done.stdout}")
    raw = json.loads(lines[-1])
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    return {
        "rps": raw["requests"] / seconds,
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "requests": raw["requests"],
        "accepted": raw["requests"] - raw["non_2xx"] - errors,
        "non_2xx": raw["non_2xx"],
        "socket_errors": errors,
        "prefix": prefix,
    }
