"""The project's own test command, found from its files when fixer.yml names none.

The agents are told which command and why ("package.json has a test script"), so they run
what the project's maintainers run instead of guessing. The rules look at files only, in the
order a newcomer would: the language's own runner first, ``make test`` last.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

NPM_PLACEHOLDER = "no test specified"
PYTHON_CONFIGS = ("pyproject.toml", "setup.cfg", "tox.ini", "pytest.ini", "setup.py")
REQUIREMENTS = (
    "requirements.txt",
    "requirements-dev.txt",
    "requirements-test.txt",
    "dev-requirements.txt",
)


@dataclass(frozen=True)
class TestCommand:
    """A discovered test command and the evidence for it."""

    __test__ = False  # not a pytest test class despite its name

    command: str
    reason: str


def discover(root: Path) -> TestCommand | None:
    """The test command of the checkout at ``root``, or None when nothing says."""
    for rule in (_node, _python, _go, _cargo, _maven, _gradle, _make):
        found = rule(root)
        if found is not None:
            return found
    return None


def _read(root: Path, name: str) -> str:
    try:
        return (root / name).read_text(errors="replace")
    except OSError:
        return ""


def _node(root: Path) -> TestCommand | None:
    try:
        scripts = json.loads(_read(root, "package.json") or "{}").get("scripts") or {}
    except (json.JSONDecodeError, AttributeError):
        return None
    test = scripts.get("test") if isinstance(scripts, dict) else None
    if not isinstance(test, str) or NPM_PLACEHOLDER in test:
        return None
    runner = "npm"
    if (root / "pnpm-lock.yaml").is_file():
        runner = "pnpm"
    elif (root / "yarn.lock").is_file():
        runner = "yarn"
    return TestCommand(f"{runner} test", f"package.json has a test script (`{test}`)")


def _python(root: Path) -> TestCommand | None:
    if (root / "noxfile.py").is_file():
        return TestCommand("nox", "noxfile.py defines the test sessions")
    texts = {name: _read(root, name) for name in (*PYTHON_CONFIGS, *REQUIREMENTS)}
    if (root / "pytest.ini").is_file() or "[tool.pytest" in texts["pyproject.toml"]:
        where = "pytest.ini" if (root / "pytest.ini").is_file() else "pyproject.toml"
        return TestCommand("pytest", f"{where} configures pytest")
    if "[tool:pytest]" in texts["setup.cfg"] or (root / "conftest.py").is_file():
        return TestCommand("pytest", "the project configures pytest (setup.cfg or conftest.py)")
    if texts["tox.ini"]:
        return TestCommand("tox", "tox.ini defines the test environments")
    mentions = [name for name, text in texts.items() if re.search(r"\bpytest\b", text)]
    if mentions:
        return TestCommand("pytest", f"{mentions[0]} depends on pytest")
    has_python = any(texts[name] for name in PYTHON_CONFIGS)
    if has_python and any(root.glob("test*/test_*.py")):
        return TestCommand(
            "python -m unittest discover -s tests",
            "a Python project with tests/test_*.py and no pytest",
        )
    return None


def _go(root: Path) -> TestCommand | None:
    if (root / "go.mod").is_file():
        return TestCommand("go test ./...", "go.mod: a Go module")
    return None


def _cargo(root: Path) -> TestCommand | None:
    if (root / "Cargo.toml").is_file():
        return TestCommand("cargo test", "Cargo.toml: a Rust crate")
    return None


def _maven(root: Path) -> TestCommand | None:
    if (root / "pom.xml").is_file():
        wrapper = "./mvnw" if (root / "mvnw").is_file() else "mvn"
        return TestCommand(f"{wrapper} -q test", "pom.xml: a Maven project")
    return None


def _gradle(root: Path) -> TestCommand | None:
    if (root / "build.gradle").is_file() or (root / "build.gradle.kts").is_file():
        wrapper = "./gradlew" if (root / "gradlew").is_file() else "gradle"
        return TestCommand(f"{wrapper} test", "build.gradle: a Gradle project")
    return None


def _make(root: Path) -> TestCommand | None:
    for name in ("Makefile", "makefile", "GNUmakefile"):
        if re.search(r"^test\s*:", _read(root, name), re.MULTILINE):
            return TestCommand("make test", f"{name} has a test target")
    return None
