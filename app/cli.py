"""The ``fixer`` command (DESIGN §3): serve, web, worker, doctor, runs, sandbox, setup."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli_deliveries import deliveries_cli
from app.config import Settings, export_telemetry_variables, load_settings
from app.errors import ConfigError

cli = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Fixer: issues in, reviewed pull requests out."
)
runs_cli = typer.Typer(no_args_is_help=True, help="Inspect and steer runs.")
sandbox_cli = typer.Typer(no_args_is_help=True, help="Sandbox images.")
cli.add_typer(runs_cli, name="runs")
cli.add_typer(sandbox_cli, name="sandbox")
cli.add_typer(deliveries_cli, name="deliveries")


def _settings(**overrides: object) -> Settings:
    export_telemetry_variables()
    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        typer.echo(f"fixer: {exc}", err=True)
        raise typer.Exit(2) from None


RelayOption = Annotated[
    str | None,
    typer.Option(
        "--relay",
        metavar="URL",
        help="Also forward this webhook relay channel (smee.io protocol, e.g. "
        "https://smee.io/CHANNEL) to this server: for local use, where GitHub cannot reach you.",
    ),
]


def _serve(
    execute_runs: bool, host: str | None, port: int | None, relay: str | None = None
) -> None:
    import uvicorn

    from app.web import create_app

    # The address actually served feeds the defaults derived from it (public URL, executor id).
    served = {"fixer_host": host, "fixer_port": port}
    settings = _settings(**{name: value for name, value in served.items() if value is not None})
    try:
        application = create_app(settings, execute_runs=execute_runs)
    except ConfigError as exc:
        typer.echo(f"fixer: {exc}", err=True)
        raise typer.Exit(2) from None
    if relay:
        _start_relay(relay, settings, host, port)
    uvicorn.run(
        application,
        host=settings.fixer_host,
        port=settings.fixer_port,
        log_level="info",
        access_log=False,
    )


def _start_relay(source: str, settings: Settings, host: str | None, port: int | None) -> None:
    import logging

    from app.relay import Relay, local_target, start_in_background

    secret = settings.github_webhook_secret
    target = local_target(host or settings.fixer_host, port or settings.fixer_port)
    relay = Relay(
        source,
        target,
        secret=secret.get_secret_value() if secret else None,
        log=logging.getLogger("fixer.relay").info,
    )
    start_in_background(relay)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (FIXER_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (FIXER_PORT).")] = None,
    relay: RelayOption = None,
) -> None:
    """Web and worker in one process (the embedded default, SQLite)."""
    _serve(True, host, port, relay)


@cli.command()
def web(
    host: Annotated[str | None, typer.Option(help="Bind address (FIXER_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (FIXER_PORT).")] = None,
    relay: RelayOption = None,
) -> None:
    """Web only: receives webhooks and Slack, enqueues runs for workers."""
    _serve(False, host, port, relay)


@cli.command()
def worker() -> None:
    """Worker only: executes runs from the queues (several may share one PostgreSQL)."""
    from app.worker import run_worker

    try:
        asyncio.run(run_worker(_settings()))
    except ConfigError as exc:
        typer.echo(f"fixer: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        pass


@cli.command()
def doctor() -> None:
    """Check every credential and dependency, and say how to fix each."""
    from app.doctor import run_checks

    checks = asyncio.run(run_checks(_settings()))
    for check in checks:
        typer.echo(check.line())
    if any(not check.ok and check.needed for check in checks):
        raise typer.Exit(1)


@cli.command()
def setup(
    port: Annotated[int, typer.Option(help="Local port for GitHub's redirect.")] = 3000,
    org: Annotated[str | None, typer.Option(help="Create the App in this organization.")] = None,
    public: Annotated[
        bool,
        typer.Option("--public", help="Let any account install the App (default: only yours)."),
    ] = False,
    relay: Annotated[
        str | None,
        typer.Option(
            "--relay",
            metavar="URL",
            help="Webhook relay channel (https://smee.io/CHANNEL) as the App's webhook URL, "
            "for a Fixer GitHub cannot reach; then run `fixer serve --relay URL`.",
        ),
    ] = None,
    env_file: Annotated[Path, typer.Option(help="Where to write the credentials.")] = Path(".env"),
) -> None:
    """Create the GitHub App from app.yml (manifest flow) and write its credentials to .env.

    GitHub delivers webhooks only to a public URL: with FIXER_PUBLIC_URL on localhost or a
    private address, this stops and explains the relay (`--relay`)."""
    from app.setup_flow import run_setup

    settings = _settings()
    run_setup(settings, port=port, org=org, env_file=env_file, public=public, relay=relay)


@cli.command()
def relay(
    url: Annotated[
        str, typer.Argument(metavar="URL", help="The relay channel, e.g. https://smee.io/CHANNEL.")
    ],
    to: Annotated[
        str | None,
        typer.Option(
            "--to", metavar="URL", help="Where to forward (default: this machine's FIXER_PORT)."
        ),
    ] = None,
) -> None:
    """Forward a webhook relay channel (smee.io protocol) to the local /github/webhook.

    Run it beside `fixer serve` (or use `fixer serve --relay URL`); deliveries keep their
    headers and signature. It reconnects when the stream drops."""
    from app.relay import Relay, local_target

    settings = _settings()
    secret = settings.github_webhook_secret
    forwarder = Relay(
        url,
        to or local_target(settings.fixer_host, settings.fixer_port),
        secret=secret.get_secret_value() if secret else None,
        log=lambda line: typer.echo(line, err=True),
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how it stops
        asyncio.run(forwarder.run())


@cli.command()
def demo(
    interactive: Annotated[
        bool, typer.Option(help="Wait for you to approve, request changes or reject.")
    ] = False,
    keep: Annotated[bool, typer.Option(help="Keep the temporary directory.")] = False,
    follow_up: Annotated[
        bool,
        typer.Option(
            "--follow-up",
            help="After the PR opens: a reviewer requests a change and CI fails; Fixer "
            "answers both with new commits.",
        ),
    ] = False,
) -> None:
    """The whole flow offline: local GitHub, Slack and model; no account anywhere.

    Against the real GitHub from this machine, webhooks come in through a relay:
    `fixer serve --relay https://smee.io/CHANNEL` (see `fixer setup --help`)."""
    from devtools.demo import run_demo

    raise typer.Exit(run_demo(interactive=interactive, keep=keep, follow_up=follow_up))


@runs_cli.command("list")
def runs_list(
    repo: Annotated[str | None, typer.Option(help="Only this owner/repo.")] = None,
    state: Annotated[str | None, typer.Option(help="Only runs in this state.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """List runs, newest first."""
    from app.db import migrate
    from app.runs.store import list_runs

    settings = _settings()
    migrate(settings.database_url)
    rows = list_runs(settings.database_url, repo=repo, state=state)
    if as_json:
        typer.echo(json.dumps([row.model_dump(mode="json") for row in rows], indent=2))
        return
    typer.echo(
        f"{'RUN':<40} {'STATE':<18} {'ROUND':>5} {'COST':>8}  {'CREATED':<16}  {'TRIGGER':<18}  WHY"
    )
    for row in rows:
        created = row.created_at.strftime("%Y-%m-%d %H:%M")
        # Why a run ended without a PR (skipped, failed), on one line: the full text is in
        # `fixer runs show`.
        why = " ".join((row.error or "").split())
        why = why if len(why) <= 80 else why[:79] + "…"
        cost = f"{row.cost_usd:>8.2f}"
        # A follow-up round on a PR: its trigger's kind, and the feedback keys it answers.
        if row.trigger.startswith("followup") and not why:
            why = f"answers {row.instructions}"
        line = f"{row.id:<40} {row.state:<18} {row.round:>5} {cost}  {created:<16}  "
        typer.echo(f"{line}{row.trigger:<18}  {why}")


@runs_cli.command("show")
def runs_show(
    run_id: str,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of text.")] = False,
) -> None:
    """Show one run."""
    from app.db import migrate
    from app.runs.store import get_run

    settings = _settings()
    migrate(settings.database_url)
    run = get_run(settings.database_url, run_id)
    if run is None:
        typer.echo(
            f"fixer: no run {run_id!r}; `fixer runs list` shows the runs there are", err=True
        )
        raise typer.Exit(1)
    data = run.model_dump(mode="json")
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        typer.echo(f"{key:>18}: {value}")


def _operate(coroutine: Any) -> None:
    from app.runs.operator import OperatorError

    try:
        typer.echo(asyncio.run(coroutine))
    except OperatorError as exc:
        typer.echo(f"fixer: {exc}", err=True)
        raise typer.Exit(1) from None


def _decide(run_id: str, action: str, feedback: str = "") -> None:
    from app.runs.operator import OperatorError, decide

    try:
        outcome = asyncio.run(decide(_settings(), run_id, action, feedback))  # type: ignore[arg-type]
    except OperatorError as exc:
        typer.echo(f"fixer: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(outcome.message)
    if not outcome.accepted:
        raise typer.Exit(1)


@runs_cli.command("approve")
def runs_approve(run_id: str) -> None:
    """Approve the run's current round: Fixer pushes the branch and opens the PR."""
    _decide(run_id, "approve")


@runs_cli.command("reject")
def runs_reject(run_id: str) -> None:
    """Reject the run's current round: nothing is pushed, the run ends."""
    _decide(run_id, "reject")


@runs_cli.command("request-changes")
def runs_request_changes(
    run_id: str,
    feedback: Annotated[str, typer.Option("--feedback", "-m", help="What should change.")],
) -> None:
    """Send the coder back to work with your feedback (a new approval round)."""
    _decide(run_id, "request_changes", feedback)


@runs_cli.command("cancel")
def runs_cancel(run_id: str) -> None:
    """Stop an active run and remove its sandbox."""
    from app.runs.operator import cancel

    _operate(cancel(_settings(), run_id))


@runs_cli.command("resume")
def runs_resume(run_id: str) -> None:
    """Resume a cancelled or stuck run from its last recorded step."""
    from app.runs.operator import resume

    _operate(resume(_settings(), run_id))


@runs_cli.command("retry")
def runs_retry(run_id: str) -> None:
    """Retry a failed run from the step that failed; recorded work is reused."""
    from app.runs.operator import retry

    _operate(retry(_settings(), run_id))


@sandbox_cli.command("build")
def sandbox_build(
    name: Annotated[str, typer.Argument(help="Image directory under sandbox_images/.")] = "default",
    offline_base: Annotated[
        bool, typer.Option(help="Build debian:bookworm-slim with debootstrap first (no registry).")
    ] = False,
) -> None:
    """Build a sandbox image (fixer-sandbox:NAME)."""
    from agents.sandbox.images import build_image

    tag = build_image(name, offline_base=offline_base)
    typer.echo(f"built {tag}")


@sandbox_cli.command("prune")
def sandbox_prune() -> None:
    """Remove the per-repository dependency caches (the next setup downloads again)."""
    import docker

    from agents.sandbox.dependency_cache import prune_caches

    removed, busy = prune_caches(docker.from_env())
    typer.echo(f"removed {removed} dependency cache(s)")
    for name in busy:
        typer.echo(f"kept {name}: a running sandbox uses it", err=True)


def main() -> None:
    try:
        cli()
    except ConfigError as exc:
        typer.echo(f"fixer: {exc}", err=True)
        sys.exit(2)
