"""``fixer deliveries list|redeliver``: GitHub's delivery log beside what Fixer made of it."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from app.config import Settings, load_settings
from app.errors import ConfigError

if TYPE_CHECKING:
    from app.delivery_recovery import DeliveryView

deliveries_cli = typer.Typer(
    no_args_is_help=True, help="Webhook deliveries as GitHub and Fixer saw them; replay them."
)


def _settings() -> Settings:
    try:
        settings = load_settings()
        settings.require("GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY")
    except ConfigError as exc:
        typer.echo(f"fixer: {exc}", err=True)
        raise typer.Exit(2) from None
    return settings


def _views(settings: Settings) -> list[DeliveryView]:
    from app.db import migrate
    from app.delivery_recovery import delivery_views
    from app.github import GitHubApp

    migrate(settings.database_url)  # a fresh database has no record yet, not no table
    github = GitHubApp(settings)
    try:
        return asyncio.run(delivery_views(github, settings.database_url))
    except Exception as exc:
        typer.echo(
            f"fixer: could not read the App's delivery log from {settings.github_api_url} "
            f"({type(exc).__name__}: {exc}); check GITHUB_APP_ID and the private key "
            "(`fixer doctor`)",
            err=True,
        )
        raise typer.Exit(1) from None


@deliveries_cli.command("list")
def deliveries_list(
    failed: Annotated[
        bool, typer.Option("--failed", help="Only deliveries Fixer never handled.")
    ] = False,
) -> None:
    """Recent deliveries (3 days, newest first): GUID, event, GitHub's status, Fixer's outcome."""
    views = _views(_settings())
    shown = [v for v in views if v.missed()] if failed else views
    if not shown:
        typer.echo("no deliveries in the past 3 days" + (" that Fixer missed" if failed else ""))
        return
    typer.echo(f"{'GUID':36}  {'EVENT':28}  {'GITHUB':>6}  {'TRIES':>5}  FIXER")
    for view in shown:
        status = str(view.latest.status_code or "-")
        outcome = view.outcome or "(no record: never reached Fixer)"
        typer.echo(
            f"{view.guid:36}  {view.label:28}  {status:>6}  {len(view.attempts):>5}  {outcome}"
        )


@deliveries_cli.command("redeliver")
def deliveries_redeliver(
    guid: Annotated[str | None, typer.Argument(help="The X-GitHub-Delivery GUID.")] = None,
    failed: Annotated[
        bool, typer.Option("--failed", help="Every delivery Fixer missed (past 3 days).")
    ] = False,
) -> None:
    """Ask GitHub to send a delivery again (same GUID: a run it started stays single)."""
    from datetime import UTC, datetime

    from app.delivery_recovery import ask_redelivery
    from app.github import GitHubApp

    if (guid is None) == (not failed):
        typer.echo("fixer: give a delivery GUID or --failed (not both)", err=True)
        raise typer.Exit(2)
    settings = _settings()
    views = _views(settings)
    now = datetime.now(UTC)
    if failed:
        chosen = [v for v in views if v.missed() and v.redeliverable(now)]
    else:
        chosen = [v for v in views if v.guid == guid]
        if not chosen:
            typer.echo(f"fixer: no delivery {guid} in GitHub's log of the past 3 days", err=True)
            raise typer.Exit(1)
        if not chosen[0].redeliverable(now):
            typer.echo(f"fixer: {guid} is too old: GitHub redelivers 3 days only", err=True)
            raise typer.Exit(1)
    github = GitHubApp(settings)

    async def ask() -> None:
        for view in chosen:
            await ask_redelivery(github, view)

    asyncio.run(ask())
    for view in chosen:
        typer.echo(f"asked GitHub to redeliver {view.guid} ({view.label})")
    if not chosen:
        typer.echo("nothing to redeliver: Fixer handled every delivery of the past 3 days")
