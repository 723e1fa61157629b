"""The local web page and redirect handler behind ``fixer setup``."""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import typer

from app.config import Settings
from app.github_urls import app_url, new_app_url
from app.setup_manifest import (
    build_manifest,
    credentials_from_conversion,
    exchange_code,
    form_page,
    new_state,
    webhook_url_for,
    write_env,
)
from app.webhook_reach import relay_advice, unreachable_reason


def check_webhook_url(settings: Settings, relay: str | None) -> str:
    """The App's webhook URL, or exit 2 with the relay advice when GitHub cannot reach it."""
    hook = webhook_url_for(settings.fixer_public_url, relay)
    reason = unreachable_reason(hook, settings.github_api_url)
    if reason is not None:
        typer.echo(f"fixer setup: {relay_advice(hook, reason)}", err=True)
        raise typer.Exit(2)
    return hook


def run_setup(
    settings: Settings,
    *,
    port: int,
    org: str | None,
    env_file: Path,
    public: bool = False,
    relay: str | None = None,
) -> None:
    # Before anything opens GitHub: a refused webhook URL there is a dead end for the user.
    hook = check_webhook_url(settings, relay)
    state = new_state()
    redirect = f"http://localhost:{port}/callback"
    homepage = app_url(settings.github_api_url, "fixer")
    manifest = build_manifest(hook, redirect, public=public, homepage=homepage)
    target = f"{new_app_url(settings.github_api_url, org)}?state={state}"
    page = form_page(manifest, target)
    done = threading.Event()
    result: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:  # keep the terminal for our own lines
            pass

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/":
                self._reply(200, page)
                return
            if url.path != "/callback":
                self._reply(404, "not found")
                return
            query = parse_qs(url.query)
            if query.get("state", [""])[0] != state:
                self._reply(400, "state does not match: start `fixer setup` again")
                return
            code = query.get("code", [""])[0]
            try:
                conversion = asyncio.run(exchange_code(settings.github_api_url, code))
            except Exception as exc:
                self._reply(502, f"GitHub refused the code: {exc}")
                return
            write_env(env_file, credentials_from_conversion(conversion))
            result["slug"] = str(conversion.get("slug", ""))
            result["html_url"] = str(conversion.get("html_url", ""))
            self._reply(200, f"Done: the App {result['slug']} was created. You can close this tab.")
            done.set()

        def _reply(self, status: int, body: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = HTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    typer.echo(f"Open http://localhost:{port}/ in a browser signed in to GitHub.")
    try:
        done.wait()
    finally:
        server.shutdown()
    typer.echo(f"Created {result['html_url']}; credentials written to {env_file}.")
    install = app_url(settings.github_api_url, result["slug"]) + "/installations/new"
    typer.echo(f"Next: install the App on a repository at {install}, then run `fixer doctor`")
    serve = f"fixer serve --relay {relay}" if relay else "fixer serve"
    typer.echo(f"and `{serve}`.")
