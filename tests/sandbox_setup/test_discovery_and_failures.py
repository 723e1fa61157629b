"""Test discovery from a project's files, and what a failed setup tells the user."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.test_discovery import discover
from app.runs.setup_failure import describe


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize(
    ("files", "command", "why"),
    [
        ({"package.json": json.dumps({"scripts": {"test": "jest"}})}, "npm test", "jest"),
        (
            {"package.json": json.dumps({"scripts": {"test": "vitest"}}), "pnpm-lock.yaml": ""},
            "pnpm test",
            "test script",
        ),
        ({"pyproject.toml": "[tool.pytest.ini_options]\n"}, "pytest", "pyproject.toml"),
        ({"setup.cfg": "[metadata]\n", "tox.ini": "[tox]\n"}, "tox", "tox.ini"),
        ({"noxfile.py": ""}, "nox", "noxfile.py"),
        ({"requirements-dev.txt": "pytest==8\n"}, "pytest", "depends on pytest"),
        ({"go.mod": "module x\n"}, "go test ./...", "go.mod"),
        ({"Cargo.toml": "[package]\n"}, "cargo test", "Cargo.toml"),
        ({"pom.xml": "<project/>"}, "mvn -q test", "pom.xml"),
        ({"build.gradle.kts": "", "gradlew": ""}, "./gradlew test", "Gradle"),
        ({"Makefile": "all:\n\ttrue\ntest: all\n\t./run-tests\n"}, "make test", "test target"),
    ],
)
def test_the_projects_own_test_command_is_found_with_its_reason(
    tmp_path: Path, files: dict[str, str], command: str, why: str
) -> None:
    found = discover(tree(tmp_path, files))
    assert found is not None and found.command == command and why in found.reason


def test_npms_placeholder_test_script_is_not_a_test_command(tmp_path: Path) -> None:
    placeholder = 'echo "Error: no test specified" && exit 1'
    files = {"package.json": json.dumps({"scripts": {"test": placeholder}})}
    assert discover(tree(tmp_path, files)) is None


def test_setup_failure_names_the_command_exit_code_last_lines_and_the_missing_ca() -> None:
    output = "\n".join(f"line {n}" for n in range(100)) + (
        "\nCould not fetch URL https://pypi.org/simple/six/: [SSL: CERTIFICATE_VERIFY_FAILED] "
        "certificate verify failed: self-signed certificate in certificate chain"
    )
    text = describe("pip install -e .", 1, output)
    assert "`pip install -e .` failed with exit code 1" in text
    assert "line 99" in text and "line 10\n" not in text
    assert "FIXER_SANDBOX_CA_CERTS" in text


def test_setup_failure_of_a_missing_toolchain_suggests_the_universal_image() -> None:
    text = describe("go mod download", 127, "bash: line 1: go: command not found")
    assert "exit code 127" in text and "image: universal" in text
