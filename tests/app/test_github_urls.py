"""Web, git and App-page URLs for github.com, GHE.com and GitHub Enterprise Server."""

from __future__ import annotations

import pytest

from app.errors import ConfigError
from app.github_urls import (
    app_url,
    clone_url,
    is_cloud,
    issue_url,
    new_app_url,
    pull_url,
    web_url,
)


@pytest.mark.parametrize(
    ("api", "web"),
    [
        ("https://api.github.com", "https://github.com"),
        ("https://api.github.com/", "https://github.com"),
        ("https://api.octocorp.ghe.com", "https://octocorp.ghe.com"),
        ("https://ghe.corp.example/api/v3", "https://ghe.corp.example"),
        ("https://ghe.corp.example:8443/api/v3/", "https://ghe.corp.example:8443"),
        ("http://127.0.0.1:5001/api/v3", "http://127.0.0.1:5001"),
    ],
)
def test_web_url_follows_each_form_of_github_api_url(api: str, web: str) -> None:
    assert web_url(api) == web


def test_links_and_git_urls_point_at_the_enterprise_host_not_github_com() -> None:
    api = "https://ghe.corp.example/api/v3"
    assert issue_url(api, "octo/app", 7) == "https://ghe.corp.example/octo/app/issues/7"
    assert pull_url(api, "octo/app", 9) == "https://ghe.corp.example/octo/app/pull/9"
    assert clone_url(api, "octo/app") == "https://ghe.corp.example/octo/app.git"
    assert app_url(api, "fixer-acme") == "https://ghe.corp.example/apps/fixer-acme"


def test_ghe_com_links_use_the_subdomain() -> None:
    api = "https://api.octocorp.ghe.com"
    assert issue_url(api, "octo/app", 7) == "https://octocorp.ghe.com/octo/app/issues/7"
    assert new_app_url(api) == "https://octocorp.ghe.com/settings/apps/new"


def test_manifest_goes_to_the_organization_page_when_an_org_is_given() -> None:
    assert new_app_url("https://api.github.com") == "https://github.com/settings/apps/new"
    assert (
        new_app_url("https://api.github.com", "acme")
        == "https://github.com/organizations/acme/settings/apps/new"
    )


def test_only_githubs_own_clouds_count_as_cloud() -> None:
    assert is_cloud("https://api.github.com")
    assert is_cloud("https://api.octocorp.ghe.com")
    assert not is_cloud("https://ghe.corp.example/api/v3")


def test_a_url_that_is_not_http_is_a_config_error_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match="GITHUB_API_URL"):
        web_url("api.github.com")
