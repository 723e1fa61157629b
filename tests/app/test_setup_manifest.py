"""``fixer setup``: the manifest, and the code exchange against GitHub (respx)."""

from __future__ import annotations

from pathlib import Path

import httpx
import respx
import yaml

from app.config import Settings
from app.setup_manifest import (
    MANIFEST_PATH,
    build_manifest,
    credentials_from_conversion,
    exchange_code,
    form_page,
    webhook_url_for,
    write_env,
)

PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"


def test_app_yml_asks_for_what_fixer_needs_and_no_more() -> None:
    manifest = yaml.safe_load(MANIFEST_PATH.read_text())
    assert set(manifest["default_events"]) == {
        "issues",
        "issue_comment",
        "pull_request",
        "pull_request_review",
        "pull_request_review_comment",
        "check_suite",
        "workflow_run",
    }
    assert manifest["default_permissions"] == {
        "issues": "write",
        "contents": "write",
        "pull_requests": "write",
        "checks": "read",
        "actions": "read",
        "metadata": "read",
    }


# What each webhook event needs the App to hold, at least read
# (https://docs.github.com/en/webhooks/webhook-events-and-payloads): GitHub refuses a
# manifest subscribing to an event whose permission it does not ask for.
EVENT_PERMISSION = {
    "issues": "issues",
    "issue_comment": "issues",
    "pull_request": "pull_requests",
    "pull_request_review": "pull_requests",
    "pull_request_review_comment": "pull_requests",
    "check_suite": "checks",
    "check_run": "checks",
    "workflow_run": "actions",
}


def test_every_event_the_app_subscribes_to_has_its_permission() -> None:
    manifest = yaml.safe_load(MANIFEST_PATH.read_text())
    permissions = manifest["default_permissions"]
    missing = {
        event: EVENT_PERMISSION[event]
        for event in manifest["default_events"]
        if EVENT_PERMISSION[event] not in permissions
    }
    assert missing == {}


def test_manifest_points_webhooks_and_redirect_at_this_deployment() -> None:
    hook = webhook_url_for("https://fixer.example.org/")
    manifest = build_manifest(hook, "http://localhost:3000/callback")
    assert manifest["hook_attributes"]["url"] == "https://fixer.example.org/github/webhook"
    assert manifest["redirect_url"] == "http://localhost:3000/callback"
    assert manifest["public"] is False


def test_relay_channel_becomes_the_apps_webhook_url_and_public_is_honoured() -> None:
    hook = webhook_url_for("http://localhost:8000", relay="https://smee.io/AbC123/")
    manifest = build_manifest(hook, "http://localhost:3000/callback", public=True)
    assert manifest["hook_attributes"]["url"] == "https://smee.io/AbC123"
    assert manifest["public"] is True


def test_manifest_homepage_is_on_the_configured_github_not_github_com() -> None:
    from app.github_urls import app_url

    homepage = app_url("https://ghe.acme.test/api/v3", "fixer")
    manifest = build_manifest(
        "https://fixer.acme.test/github/webhook", "http://x/cb", homepage=homepage
    )
    assert manifest["url"] == "https://ghe.acme.test/apps/fixer"
    assert "github.com" not in str(manifest)


def test_form_posts_the_manifest_to_the_page_it_is_given() -> None:
    page = form_page(
        {"name": "Fixer"}, "https://github.com/organizations/acme/settings/apps/new?state=s1"
    )
    assert 'action="https://github.com/organizations/acme/settings/apps/new?state=s1"' in page
    assert "&quot;name&quot;: &quot;Fixer&quot;" in page


async def test_code_exchange_writes_credentials_that_settings_read_back(
    tmp_path: Path, monkeypatch: object
) -> None:
    conversion = {
        "id": 31337,
        "slug": "fixer-acme",
        "html_url": "https://github.com/apps/fixer-acme",
        "pem": PEM,
        "webhook_secret": "e340154128314309424b7c8e90325147d99fdafa",
        "client_id": "Iv1.8a61f9b3a7aba766",
        "client_secret": "1726be1638095a19edd134c77bde3aa2ece1e5d8",
    }
    with respx.mock(assert_all_called=True) as router:
        route = router.post(
            "https://ghe.corp.example/api/v3/app-manifests/abc123/conversions"
        ).mock(return_value=httpx.Response(201, json=conversion))
        result = await exchange_code("https://ghe.corp.example/api/v3", "abc123")
    assert route.called and "authorization" not in route.calls[0].request.headers
    env = tmp_path / ".env"
    env.write_text("DATABASE_URL=sqlite:///x.db\nGITHUB_APP_ID=1\n")
    write_env(env, credentials_from_conversion(result))
    text = env.read_text()
    assert text.count("GITHUB_APP_ID=") == 1 and "DATABASE_URL=sqlite:///x.db" in text
    assert oct(env.stat().st_mode & 0o777) == "0o600"
    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    assert settings.github_app_id == 31337
    assert settings.private_key_pem == PEM.strip()
    assert settings.github_webhook_secret is not None
    assert settings.github_webhook_secret.get_secret_value() == conversion["webhook_secret"]
