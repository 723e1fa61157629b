"""The run page in a real browser (Debian's headless Chromium, driven by Playwright): plan,
timeline and diff are visible, and a screenshot lands in ``tests/artifacts/``."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from app.config import load_settings
from app.pages.routes import build_pages_router
from devtools.stack import free_port
from tests.observability.seed import RUN_ID, seed_run

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def served_run(database_url: str) -> Iterator[str]:
    """The pages of a demo-like run, served by uvicorn on loopback; yields the base URL."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: run scripts/browser-up.sh")
        pytest.skip("chromium is missing: run scripts/browser-up.sh")
    seed_run(database_url)
    app = FastAPI()
    app.include_router(build_pages_router(load_settings(database_url=database_url)))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/runs", timeout=0.5)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("width,name", [(1100, "run-page.png"), (390, "run-page-phone.png")])
def test_run_page_shows_plan_timeline_and_diff_in_chromium(
    served_run: str, width: int, name: str
) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(f"{served_run}/runs/{quote(RUN_ID, safe='')}")
            assert page.get_by_role("heading", name="Plan").is_visible()
            assert page.get_by_text("mean() divides by len(values) - 1").first.is_visible()
            assert page.get_by_role("heading", name="Timeline").is_visible()
            assert page.get_by_text("Let me find mean().").is_visible()
            assert page.get_by_text("edited calc/stats.py").first.is_visible()
            added = page.locator(".diff tr.add").first
            assert added.is_visible() and "len(values)" in added.inner_text()
            assert page.locator(".diff .file").first.inner_text().startswith("calc/stats.py")
            # Syntax highlighting really happened on the server: Python keywords are marked.
            assert page.locator(".diff code .hl-k").count() > 0
            page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / name).stat().st_size > 10_000
