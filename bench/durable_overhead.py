"""What a durable step costs: N steps of a trivial async function in a DBOS workflow against N
plain awaits of it, on SQLite in a temporary directory, split into its parts.

Each durable step looks for its recorded output, runs, then writes its output row (committed
and fsynced) before the workflow goes on: the price of "a finished LLM or tool call is never
made again". Three ways of opening the database, each in the same run:

- ``dbos_default``: DBOS opening a fresh file itself (SQLite's rollback journal): what this
  benchmark measured before it opened the database as Fixer does;
- ``fixer``: as ``fixer serve`` opens it (``app.db.migrate`` puts the file in WAL mode, DBOS
  keeps SQLite's ``synchronous=FULL``, so each step's commit is on disk before the next);
- ``fixer_tool_step``: the same, plus the two timeline rows the agent loop writes per tool
  call (``tool_call``, ``tool_output``). Spans cost nothing unless an OTLP endpoint is set.

Parts (per step): ``lookup`` (DBOS's read of a recorded output), ``record`` (its insert and
commit, the fsync included), ``timeline`` (Fixer's rows), ``rest`` (DBOS's own work: threads,
serialisation); ``fsync_floor_us`` is one 4 KB write + fsync on the same disk.

    .venv/bin/python bench/durable_overhead.py --steps 500   # last line: one JSON object
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dbos import DBOS, DBOSConfig  # noqa: E402
from dbos._sys_db import SystemDatabase  # noqa: E402  (timed, never changed)

from app.db import dispose_engines, migrate  # noqa: E402
from app.timeline import store  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)
TIMELINE: dict[str, str] = {}
"""The database the ``fixer_tool_step`` variant writes its timeline rows to."""


def timed(part: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[part] += time.perf_counter() - started

    return wrapper


SystemDatabase.check_operation_execution = timed(  # type: ignore[method-assign]
    "lookup", SystemDatabase.check_operation_execution
)
SystemDatabase.record_operation_result = timed(  # type: ignore[method-assign]
    "record", SystemDatabase.record_operation_result
)


async def trivial(n: int) -> int:
    return n + 1


@DBOS.step()
async def durable_trivial(n: int) -> int:
    return await trivial(n)


def timeline_rows(n: int) -> None:
    """What the agent loop's ``on_event`` writes around one tool step."""
    url = TIMELINE["url"]
    started = time.perf_counter()
    for kind in ("tool_call", "tool_output"):
        store.record(url, "bench#1:1", f"round1.coder.t{n}.{kind}", kind, agent="coder")
    SPENT["timeline"] += time.perf_counter() - started


@DBOS.workflow()
async def many_steps(steps: int, with_timeline: bool) -> int:
    total = 0
    for n in range(steps):
        total += await durable_trivial(n)
        if with_timeline:
            await asyncio.to_thread(timeline_rows, n)
    return total


async def plain(steps: int) -> int:
    total = 0
    for n in range(steps):
        total += await trivial(n)
    return total


async def measure(variant: str, steps: int, database: Path) -> dict[str, float]:
    url = f"sqlite:///{database}"
    if variant != "dbos_default":
        migrate(url)  # as every Fixer entry point does before DBOS launches: WAL mode
        TIMELINE["url"] = url
    config: DBOSConfig = {"name": "fixer-bench", "system_database_url": url, "log_level": "WARNING"}
    DBOS(config=config)
    DBOS.launch()
    try:
        warm = await DBOS.start_workflow_async(many_steps, 3, False)  # tables, caches, pools
        await warm.get_result()
        started = time.perf_counter()
        expected = await plain(steps)
        plain_s = time.perf_counter() - started
        SPENT.clear()
        started = time.perf_counter()
        handle = await DBOS.start_workflow_async(many_steps, steps, variant == "fixer_tool_step")
        got = await handle.get_result()
        durable_s = time.perf_counter() - started
    finally:
        DBOS.destroy()
        dispose_engines()
    if got != expected:
        raise AssertionError(f"durable sum {got} != plain sum {expected}")
    per_step = (durable_s - plain_s) / steps * 1e6
    parts = {part: SPENT[part] / steps * 1e6 for part in ("lookup", "record", "timeline")}
    return {
        "us_per_step": round(per_step, 1),
        **{f"{part}_us": round(value, 1) for part, value in parts.items()},
        "rest_us": round(per_step - sum(parts.values()), 1),
    }


def journal_of(database: Path) -> str:
    """The file's journal mode, read without Fixer's engine (which would set WAL)."""
    with closing(sqlite3.connect(database)) as connection:
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0])


def fsync_floor_us(directory: Path, times: int = 200) -> float:
    """The median of one 4 KB append + fsync: what durability on this disk costs at least."""
    spent = []
    fd = os.open(directory / "fsync.bin", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for _ in range(times):
            os.write(fd, b"x" * 4096)
            started = time.perf_counter()
            os.fsync(fd)
            spent.append(time.perf_counter() - started)
    finally:
        os.close(fd)
    return round(sorted(spent)[times // 2] * 1e6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2, help="each variant's best round counts")
    args = parser.parse_args()
    result: dict[str, Any] = {"steps": args.steps}
    with tempfile.TemporaryDirectory(prefix="fixer-durable-") as tmp:
        result["fsync_floor_us"] = fsync_floor_us(Path(tmp))
        for round in range(args.rounds):  # interleaved, so a busy moment hits every variant
            for variant in ("dbos_default", "fixer", "fixer_tool_step"):
                database = Path(tmp) / f"{variant}-{round}.db"
                figures: dict[str, Any] = asyncio.run(measure(variant, args.steps, database))
                figures["journal"] = journal_of(database)
                best = result.get(variant)
                if best is None or figures["us_per_step"] < best["us_per_step"]:
                    result[variant] = figures
    # The headline figure, as before: one DBOS step on SQLite, now opened as Fixer opens it.
    result["overhead_us_per_step"] = result["fixer"]["us_per_step"]
    result["target_us_per_step"] = 3000
    print(json.dumps(result))


if __name__ == "__main__":
    main()
