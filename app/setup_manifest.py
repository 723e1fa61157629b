"""``fixer setup``: create the GitHub App from ``app.yml`` and write its credentials to .env.

GitHub's manifest flow: a form on a local page posts the manifest to GitHub; GitHub
redirects back with a one-time code; the code is exchanged at
``POST /app-manifests/{code}/conversions`` for the App id, private key and webhook secret.
"""

from __future__ import annotations

import html
import json
import secrets
from pathlib import Path
from typing import Any

import yaml
from githubkit import GitHub

MANIFEST_PATH = Path(__file__).resolve().parent.parent / "app.yml"


def webhook_url_for(public_url: str, relay: str | None = None) -> str:
    """Where GitHub should send webhooks: the relay channel, or this deployment's endpoint."""
    return relay.rstrip("/") if relay else f"{public_url.rstrip('/')}/github/webhook"


def build_manifest(
    webhook_url: str,
    redirect_url: str,
    app_yml: Path = MANIFEST_PATH,
    *,
    public: bool | None = None,
    homepage: str | None = None,
) -> dict[str, Any]:
    """The manifest JSON GitHub wants, from ``app.yml`` plus this deployment's URLs.

    Fields: https://docs.github.com/en/apps/sharing-github-apps/registering-a-github-app-from-a-manifest#github-app-manifest-parameters
    ``public`` decides who may install the App: only the owning account (false), or any
    account (true).
    """
    manifest: dict[str, Any] = yaml.safe_load(app_yml.read_text())
    manifest["hook_attributes"] = {"url": webhook_url, "active": True}
    manifest["redirect_url"] = redirect_url
    if homepage is not None:
        manifest["url"] = homepage  # required by GitHub; derived, so GHES gets its own host
    if public is not None:
        manifest["public"] = public
    manifest.setdefault("public", False)
    return manifest


def form_page(manifest: dict[str, Any], target: str) -> str:
    """A page that posts the manifest to ``target`` (GitHub's new-App page, with ``?state=``)
    as soon as it loads."""
    return (
        "<!doctype html><title>Create the Fixer GitHub App</title>"
        f'<form id="f" method="post" action="{html.escape(target)}">'
        f'<input type="hidden" name="manifest" value="{html.escape(json.dumps(manifest))}">'
        "<button>Create the GitHub App</button></form>"
        "<script>document.getElementById('f').submit()</script>"
    )


async def exchange_code(api_url: str, code: str) -> dict[str, Any]:
    """Trade the redirect's one-time code for the new App's credentials."""
    async with GitHub(base_url=api_url.rstrip("/") + "/") as gh:
        response = await gh.arequest("POST", f"/app-manifests/{code}/conversions")
        return dict(response.json())


def write_env(env_path: Path, values: dict[str, str]) -> None:
    """Set ``values`` in the .env file, replacing earlier lines for the same names."""
    lines = env_path.read_text().splitlines() if env_path.exists() else []
    kept = [line for line in lines if line.split("=", 1)[0].strip() not in values]
    for name, value in values.items():
        # Double quotes keep spaces; the PEM's newlines are already written as \n.
        quoted = '"' + value.replace('"', '\\"') + '"' if (" " in value or "#" in value) else value
        kept.append(f"{name}={quoted}")
    env_path.write_text("\n".join(kept) + "\n")
    env_path.chmod(0o600)


def credentials_from_conversion(conversion: dict[str, Any]) -> dict[str, str]:
    pem = str(conversion["pem"]).strip().replace("\n", "\\n")
    return {
        "GITHUB_APP_ID": str(conversion["id"]),
        "GITHUB_APP_PRIVATE_KEY": pem,
        "GITHUB_WEBHOOK_SECRET": str(conversion["webhook_secret"]),
    }


def new_state() -> str:
    return secrets.token_urlsafe(16)
