"""What a durable step costs: N steps of a trivial async function in a DBOS workflow (SQLite in
a temporary directory, as `fixer serve` runs by default) against N plain awaits of it.

Each durable step writes its output row before the workflow goes on, so the difference per
step is the price of "a finished LLM or tool call is never made again".

    .venv/bin/python bench/durable_overhead.py --steps 500   # last line: one JSON object
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from dbos import DBOS, DBOSConfig


async def trivial(n: int) -> int:
    return n + 1


@DBOS.step()
async def durable_trivial(n: int) -> int:
    return await trivial(n)


@DBOS.workflow()
async def many_steps(steps: int) -> int:
    total = 0
    for n in range(steps):
        total += await durable_trivial(n)
    return total


async def plain(steps: int) -> int:
    total = 0
    for n in range(steps):
        total += await trivial(n)
    return total


async def measure(steps: int, database: Path) -> dict[str, float | int]:
    config: DBOSConfig = {
        "name": "fixer-bench",
        "system_database_url": f"sqlite:///{database}",
        "log_level": "WARNING",
    }
    DBOS(config=config)
    DBOS.launch()
    try:
        warm = await DBOS.start_workflow_async(many_steps, 3)  # tables, caches, pools
        await warm.get_result()
        started = time.perf_counter()
        expected = await plain(steps)
        plain_s = time.perf_counter() - started
        started = time.perf_counter()
        handle = await DBOS.start_workflow_async(many_steps, steps)
        got = await handle.get_result()
        durable_s = time.perf_counter() - started
    finally:
        DBOS.destroy()
    if got != expected:
        raise AssertionError(f"durable sum {got} != plain sum {expected}")
    plain_us = plain_s / steps * 1e6
    durable_us = durable_s / steps * 1e6
    return {
        "steps": steps,
        "plain_us": round(plain_us, 2),
        "durable_us": round(durable_us, 1),
        "overhead_us_per_step": round(durable_us - plain_us, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fixer-durable-") as tmp:
        result = asyncio.run(measure(args.steps, Path(tmp) / "bench.db"))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
