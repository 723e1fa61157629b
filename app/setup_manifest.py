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


def build_manifest(
    public_url: str, redirect_url: str, app_yml: Path = MANIFEST_PATH
) -> dict[str, Any]:
    """The manifest JSON GitHub wants, from ``app.yml`` plus this deployment's URLs."""
    manifest: dict[str, Any] = yaml.safe_load(app_yml.read_text())
    manifest["hook_attributes"] = {
        "url": f"{public_url.rstrip('/')}/github/webhook",
        "active": True,
    }
    manifest["redirect_url"] = redirect_url
    manifest.setdefault("public", False)
    return manifest


def github_web_url(api_url: str) -> str:
    """The web host for an API base (github.com, or a GitHub Enterprise Server)."""
    if api_url.rstrip("/") == "https://api.github.com":
        return "https://github.com"
    return api_url.rstrip("/").removesuffix("/api/v3")


def form_page(manifest: dict[str, Any], web_url: str, state: str, org: str | None) -> str:
    """A page that posts the manifest to GitHub as soon as it loads."""
    target = (
        f"{web_url}/organizations/{org}/settings/apps/new"
        if org
        else f"{web_url}/settings/apps/new"
    )
    return (
        "<!doctype html><title>Create the Fixer GitHub App</title>"
        f'<form id="f" method="post" action="{html.escape(target)}?state={state}">'
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
