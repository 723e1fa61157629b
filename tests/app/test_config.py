from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Settings, load_settings
from app.errors import ConfigError

PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----"


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in (
        "GITHUB_APP_ID",
        "GITHUB_APP_PRIVATE_KEY",
        "GITHUB_WEBHOOK_SECRET",
        "FIXER_APPROVERS",
    ):
        monkeypatch.delenv(name, raising=False)


def test_missing_credential_names_the_variable_and_the_fix() -> None:
    settings = load_settings()
    with pytest.raises(ConfigError, match=r"^GITHUB_APP_ID is not set: run `fixer setup`"):
        settings.require("GITHUB_APP_ID", "GITHUB_WEBHOOK_SECRET")


def test_malformed_app_id_is_one_line_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_APP_ID", "my-app")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith("GITHUB_APP_ID is malformed")
    assert "\n" not in str(caught.value)


def test_private_key_with_literal_backslash_n_becomes_pem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_APP_PRIVATE_KEY", PEM.replace("\n", "\\n"))
    assert load_settings().private_key_pem == PEM


def test_private_key_from_env_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        'GITHUB_APP_ID=12\nGITHUB_APP_PRIVATE_KEY="' + PEM.replace("\n", "\\n") + '"\n'
    )
    settings = Settings()
    assert settings.github_app_id == 12
    assert settings.private_key_pem == PEM


def test_something_that_is_not_a_pem_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_APP_PRIVATE_KEY", "ghp_not_a_key")
    with pytest.raises(ConfigError, match="GITHUB_APP_PRIVATE_KEY is not a PEM private key"):
        load_settings().require("GITHUB_APP_PRIVATE_KEY")


def test_key_path_that_does_not_exist_is_named(tmp_path: Path) -> None:
    settings = load_settings(github_app_private_key_path=tmp_path / "nope.pem")
    with pytest.raises(ConfigError, match="GITHUB_APP_PRIVATE_KEY_PATH points to"):
        settings.require("GITHUB_APP_PRIVATE_KEY")


def test_key_read_from_path(tmp_path: Path) -> None:
    (tmp_path / "app.pem").write_text(PEM)
    assert load_settings(github_app_private_key_path=tmp_path / "app.pem").private_key_pem == PEM


def test_approvers_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIXER_APPROVERS", "U111, U222,,U333 ")
    assert load_settings().fixer_approvers == ["U111", "U222", "U333"]


def test_defaults_follow_the_design() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///./fixer.db"
    assert settings.github_api_url == "https://api.github.com"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.fixer_sandbox_image == "fixer-sandbox:default"
    assert settings.fixer_public_url == "http://localhost:8000"
    assert not settings.slack_enabled
