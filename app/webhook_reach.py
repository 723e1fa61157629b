"""Can GitHub deliver webhooks to this URL? Checked before ``fixer setup`` opens GitHub.

GitHub.com (and GHE.com) deliver webhooks from GitHub's servers, so the App's
``hook_attributes.url`` must be reachable over the public Internet; GitHub refuses a
localhost or private address when the App is created ("Hook url is not supported because it
isn't reachable over the public Internet"), and recommends a relay such as smee.io for local
development: https://docs.github.com/en/webhooks/testing-and-troubleshooting-webhooks/testing-webhooks
and https://docs.github.com/en/apps/creating-github-apps/writing-code-for-a-github-app/quickstart
A GitHub Enterprise Server in a private network can reach private addresses, but never this
machine's loopback, which is the server's own.

The check reads the URL only; it resolves no names (a name that resolves to a private address
is GitHub's to refuse).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from app.github_urls import is_cloud

# Names that never resolve on the public Internet (RFC 6761, RFC 6762, RFC 8375, ICANN .internal).
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".localdomain")


def _host_problem(host: str, cloud: bool) -> str | None:
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return f"{host} is this machine"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if cloud and (host.endswith(_PRIVATE_SUFFIXES) or "." not in host):
            return f"{host} is not a public Internet name"
        return None
    if address.is_loopback or address.is_unspecified:
        return f"{host} is this machine"
    if cloud and (address.is_private or address.is_link_local or address.is_reserved):
        return f"{host} is a private address"
    return None


def unreachable_reason(url: str, api_url: str) -> str | None:
    """Why GitHub (at ``api_url``) cannot deliver to ``url``, or None when it plausibly can."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http(s) URL"
    return _host_problem(parts.hostname, is_cloud(api_url))


def relay_advice(webhook_url: str, reason: str) -> str:
    """The message ``fixer setup`` prints instead of opening GitHub."""
    return (
        f"GitHub cannot deliver webhooks to {webhook_url} ({reason}), and would refuse it as "
        "the App's webhook URL.\n"
        "For a deployment, set FIXER_PUBLIC_URL to the public HTTPS address of `fixer serve`.\n"
        "For local use, go through a webhook relay: open https://smee.io/new for a channel, "
        "then run\n"
        "  fixer setup --relay https://smee.io/CHANNEL\n"
        "  fixer serve --relay https://smee.io/CHANNEL   (or `fixer relay URL` next to "
        "`fixer serve`)"
    )
