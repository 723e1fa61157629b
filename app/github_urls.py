"""Where GitHub's web pages and git live, derived from ``GITHUB_API_URL``.

Fixer is configured with one URL, the REST base. The three forms GitHub has
(https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api):

* github.com: ``https://api.github.com`` → web and git at ``https://github.com``;
* GitHub Enterprise Cloud with data residency (GHE.com): ``https://api.SUB.ghe.com`` →
  ``https://SUB.ghe.com``
  (https://docs.github.com/en/enterprise-cloud@latest/admin/data-residency/network-details-for-ghecom);
* GitHub Enterprise Server: ``https://HOST/api/v3`` → ``https://HOST``
  (https://docs.github.com/en/enterprise-server@latest/rest/quickstart).

Every link Fixer builds (issues, the App's settings, the manifest form) goes through here, so
none is hard-coded to github.com.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from app.errors import ConfigError

GITHUB_COM_API = "https://api.github.com"


def web_url(api_url: str) -> str:
    """The web (and git) base for a REST base, without a trailing slash."""
    parts = urlsplit(api_url.strip().rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"GITHUB_API_URL is {api_url!r}, which is not an http(s) URL: use "
            "https://api.github.com, https://api.SUB.ghe.com or https://HOST/api/v3"
        )
    host = parts.netloc
    if parts.path.endswith("/api/v3"):  # Enterprise Server (and anything mounted like it)
        return urlunsplit((parts.scheme, host, parts.path.removesuffix("/api/v3"), "", ""))
    if parts.path in ("", "/") and host.lower().startswith("api."):
        # api.github.com → github.com; api.SUB.ghe.com → SUB.ghe.com
        return urlunsplit((parts.scheme, host[len("api.") :], "", "", ""))
    # Any other base (a proxy in front of one of the above) serves web and API at one root.
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def is_cloud(api_url: str) -> bool:
    """github.com or GHE.com: GitHub's own servers, which reach only the public Internet."""
    host = (urlsplit(api_url).hostname or "").lower()
    return host == "api.github.com" or (host.startswith("api.") and host.endswith(".ghe.com"))


def issue_url(api_url: str, repo_full_name: str, number: int) -> str:
    return f"{web_url(api_url)}/{repo_full_name}/issues/{number}"


def pull_url(api_url: str, repo_full_name: str, number: int) -> str:
    return f"{web_url(api_url)}/{repo_full_name}/pull/{number}"


def clone_url(api_url: str, repo_full_name: str) -> str:
    """The HTTPS git URL of a repository (GitHub's ``clone_url`` field has the same form)."""
    return f"{web_url(api_url)}/{repo_full_name}.git"


def new_app_url(api_url: str, org: str | None = None) -> str:
    """Where the manifest form is posted: the user's or an organization's new-App page.

    https://docs.github.com/en/apps/sharing-github-apps/registering-a-github-app-from-a-manifest
    """
    base = web_url(api_url)
    if org:
        return f"{base}/organizations/{quote(org, safe='')}/settings/apps/new"
    return f"{base}/settings/apps/new"


def app_url(api_url: str, slug: str) -> str:
    """The App's public page, where people install it."""
    return f"{web_url(api_url)}/apps/{quote(slug, safe='')}"
