"""Run every benchmark one after the other (they share 2 cores badly), print a table of
their figures and write them all to ``bench/results.json``.

    .venv/bin/python bench/run_all.py                 # what `make bench` runs
    .venv/bin/python bench/run_all.py e2e chaos       # a subset, by name

Each benchmark is a script printing one JSON object on its last line; a failing one is
reported with the end of its stderr, and the others still run.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCHES: dict[str, list[str]] = {
    "ingest": ["ingest.py"],
    "sandbox": ["sandbox.py"],
    "setup_cache": ["setup_cache.py"],
    "cache": ["cache.py"],
    "durable_overhead": ["durable_overhead.py"],
    "llm_path": ["llm_path.py"],
    "e2e": ["e2e.py"],
    "chaos": ["chaos.py"],
    "chaos_distributed": ["chaos_distributed.py"],
}


# The figures `make bench` is held to (issue: harness speed), each checked in every run:
# (benchmark, figure, comparison, target).
TARGETS: list[tuple[str, str, str, float]] = [
    ("e2e", "harness_ratio", "<=", 1.5),
    ("llm_path", "added_ms_per_call", "<=", 10),
    ("durable_overhead", "overhead_us_per_step", "<=", 3000),
    ("sandbox", "grep_ratio", "<=", 1.5),
    ("sandbox", "restore_ms", "<=", 2000),
    ("sandbox", "container_start_ratio", "<=", 2),
    ("ingest", "p99_ms", "<", 25),
    ("ingest", "ratio", ">=", 0.5),
]


def judge(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target of a benchmark that ran: its figure, met or not, and by how much it
    is missed (the figure over the target, or the target over it for a floor)."""
    verdicts = []
    for bench, key, op, target in TARGETS:
        if bench not in results:
            continue
        value = results[bench].get(key)
        verdict: dict[str, Any] = {"figure": f"{bench}.{key}", "target": f"{op} {target:g}"}
        if not isinstance(value, int | float):
            verdicts.append({**verdict, "value": None, "met": False, "missed_by": "no figure"})
            continue
        met = {"<=": value <= target, "<": value < target, ">=": value >= target}[op]
        verdict.update(value=value, met=met)
        if not met:
            factor = value / target if op != ">=" else target / max(value, 1e-9)
            verdict["missed_by"] = f"{factor:.2f}x"
        verdicts.append(verdict)
    return verdicts


def run(name: str) -> dict[str, Any]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(HERE / BENCHES[name][0]), *BENCHES[name][1:]],
        capture_output=True,
        text=True,
    )
    took = round(time.monotonic() - started, 1)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": f"exit {done.returncode}: {done.stderr[-2000:]}", "bench_s": took}
    try:
        figures = json.loads(lines[-1])
    except json.JSONDecodeError:
        return {"error": f"last line is not JSON: {lines[-1][:200]}", "bench_s": took}
    return {**figures, "bench_s": took} if isinstance(figures, dict) else {"value": figures}


def flatten(figures: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in figures.items():
        if isinstance(value, dict):
            rows += flatten(value, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = []
    for name, figures in results.items():
        for key, value in flatten(figures):
            shown = value if not isinstance(value, str) else value.splitlines()[-1][:80]
            lines.append(f"{name:<18} {key:<36} {shown}")
    return "\n".join(lines)


def main() -> None:
    names = sys.argv[1:] or list(BENCHES)
    if unknown := [n for n in names if n not in BENCHES]:
        sys.exit(f"unknown benchmark(s) {unknown}: choose from {', '.join(BENCHES)}")
    results: dict[str, dict[str, Any]] = {}
    for name in names:
        print(f"… {name}", file=sys.stderr, flush=True)
        results[name] = run(name)
    print(table(results))
    targets = judge(results)
    for verdict in targets:
        shown = "met" if verdict["met"] else f"MISSED by {verdict['missed_by']}"
        print(f"target {verdict['figure']:<36} {verdict['value']} {verdict['target']}: {shown}")
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.system(),
    }
    (HERE / "results.json").write_text(
        json.dumps({"machine": machine, "targets": targets, "results": results}, indent=2) + "\n"
    )
    failed = [n for n, r in results.items() if "error" in r]
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
