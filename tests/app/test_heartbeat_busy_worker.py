"""A worker whose threads are all busy (DBOS polls, steps) still beats on time, so no other
worker mistakes it for dead and runs its workflows a second time."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.db import dispose_engines, migrate, session_scope
from app.models import ExecutorHeartbeat
from app.runs.heartbeat import Heartbeat


async def test_a_worker_with_every_shared_thread_busy_still_beats(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path}/fixer.db"
    migrate(database_url)
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
    release = threading.Event()
    busy = asyncio.ensure_future(asyncio.to_thread(release.wait, 30))  # the only shared thread
    heartbeat = Heartbeat(database_url, "worker-a", timeout_s=30)
    try:
        started = time.monotonic()
        await asyncio.wait_for(heartbeat.tick(), timeout=10)
        assert time.monotonic() - started < 10
        with session_scope(database_url) as session:
            assert session.get(ExecutorHeartbeat, "worker-a") is not None
    finally:
        release.set()
        await busy
        await heartbeat.stop()
        dispose_engines()
