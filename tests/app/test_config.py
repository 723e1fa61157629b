from __future__ import annotations

import os
import socket
import typing
from pathlib import Path

import pytest

from app.config import Settings, export_telemetry_variables, load_settings
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
        "DATABASE_URL",
        "FIXER_CACHE_DIR",
        "FIXER_PUBLIC_URL",
        "FIXER_EXECUTOR_ID",
        "FIXER_HOST",
        "FIXER_PORT",
        "GITHUB_APP_PRIVATE_KEY_PATH",
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
    assert settings.database_url == f"sqlite:///{Path.cwd()}/fixer.db"  # ./fixer.db, resolved
    assert settings.github_api_url == "https://api.github.com"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.fixer_sandbox_image == "fixer-sandbox:default"
    assert settings.fixer_public_url == "http://localhost:8000"
    assert not settings.slack_enabled


def test_relative_paths_resolve_against_the_start_directory_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        "DATABASE_URL=sqlite:///./data/fixer.db\n"
        "FIXER_CACHE_DIR=cache\n"
        "GITHUB_APP_PRIVATE_KEY_PATH=keys/app.pem\n"
    )
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "app.pem").write_text(PEM)
    settings = load_settings()
    # Moving elsewhere afterwards (as git does inside the mirror) changes nothing.
    monkeypatch.chdir(tmp_path / "keys")
    assert settings.database_url == f"sqlite:///{tmp_path}/data/fixer.db"
    assert settings.fixer_cache_dir == tmp_path / "cache"
    assert settings.github_app_private_key_path == tmp_path / "keys" / "app.pem"
    assert settings.private_key_pem == PEM


def test_every_path_setting_is_resolved_against_the_start_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [
        name
        for name, field in Settings.model_fields.items()
        if field.annotation is Path or Path in typing.get_args(field.annotation)
    ]
    assert "fixer_cache_dir" in names and "github_app_private_key_path" in names
    for name in names:
        monkeypatch.setenv(name.upper(), f"relative/{name}")
    settings = load_settings()
    for name in names:
        assert getattr(settings, name) == tmp_path / "relative" / name, name


def test_default_cache_dir_is_under_the_start_directory(tmp_path: Path) -> None:
    assert load_settings().fixer_cache_dir == tmp_path / ".fixer-cache"


def test_home_relative_key_path_is_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GITHUB_APP_PRIVATE_KEY_PATH", "~/app.pem")
    assert load_settings().github_app_private_key_path == tmp_path / "app.pem"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////var/lib/fixer/fixer.db",
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql://fixer:secret@db:5432/fixer",
    ],
)
def test_absolute_memory_and_server_databases_are_left_as_given(url: str) -> None:
    assert load_settings(database_url=url).database_url == url


def test_public_url_defaults_to_the_port_served(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().fixer_public_url == "http://localhost:8000"
    assert load_settings(fixer_port=8123).fixer_public_url == "http://localhost:8123"
    monkeypatch.setenv("FIXER_PORT", "9000")
    assert load_settings().fixer_public_url == "http://localhost:9000"
    assert load_settings(fixer_host="10.1.2.3").fixer_public_url == "http://10.1.2.3:9000"
    monkeypatch.setenv("FIXER_PUBLIC_URL", "https://fixer.example.com/")
    assert load_settings(fixer_port=8123).fixer_public_url == "https://fixer.example.com"


def test_executor_id_defaults_to_host_and_port_served_and_is_stable() -> None:
    first = load_settings(fixer_port=8123)
    assert first.executor_id == f"{socket.gethostname()}:8123"
    assert load_settings(fixer_port=8123).executor_id == first.executor_id  # a restart
    assert load_settings(fixer_port=8124).executor_id != first.executor_id  # a second process
    assert load_settings(fixer_executor_id="worker-a").executor_id == "worker-a"


def test_telemetry_variables_in_env_file_reach_the_sdk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")  # recorded, so undone after the test
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "from-the-shell")
    (tmp_path / ".env").write_text(
        "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318\nOTEL_SERVICE_NAME=from-env-file\n"
    )
    export_telemetry_variables()
    assert os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://127.0.0.1:4318"
    assert os.environ["OTEL_SERVICE_NAME"] == "from-the-shell"  # the environment wins
