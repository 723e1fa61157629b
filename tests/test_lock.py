"""The lock is what runs: `.venv` holds exactly its versions, and a drift from pyproject.toml
fails `make test` with a sentence that says what to do."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
CHECK = ROOT / "scripts" / "lock_check.py"
LOCK = "requirements.txt"
DEV_LOCK = "requirements-dev.txt"


def locked(name: str) -> dict[str, str]:
    """name -> version of every pin in a lock file."""
    pins: dict[str, str] = {}
    for line in (ROOT / name).read_text().splitlines():
        if line and not line[0].isspace() and not line.startswith(("#", "-")):
            package, _, version = line.split(" ")[0].partition("==")
            pins[canonicalize_name(package)] = version
    return pins


def frozen() -> tuple[dict[str, str], list[str]]:
    """`pip freeze --all` of the interpreter running the tests: pins, and every other line."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--all", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pins: dict[str, str] = {}
    other: list[str] = []
    for line in out.splitlines():
        if "==" in line and not line.startswith(("#", "-e")):
            package, _, version = line.partition("==")
            pins[canonicalize_name(package)] = version
        elif line and not line.startswith("#"):
            other.append(line)
    return pins, other


def run_check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECK), "--root", str(root)], capture_output=True, text=True
    )


def copy_project(tmp_path: Path, pyproject_edit: tuple[str, str]) -> Path:
    for name in ("pyproject.toml", LOCK, DEV_LOCK):
        shutil.copy(ROOT / name, tmp_path / name)
    pyproject = tmp_path / "pyproject.toml"
    old, new = pyproject_edit
    text = pyproject.read_text()
    assert old in text, f"pyproject.toml no longer has {old!r}: update this test"
    pyproject.write_text(text.replace(old, new))
    return tmp_path


def test_venv_holds_exactly_the_locked_versions() -> None:
    want = locked(DEV_LOCK)
    have, other = frozen()
    have.pop("fixer", None)  # the project itself, installed editable from the work tree
    wrong = {name: (want[name], have[name]) for name in want.keys() & have.keys()}
    wrong = {name: pair for name, pair in wrong.items() if pair[0] != pair[1]}
    assert not wrong, f"locked != installed (run `make setup`): {wrong}"
    assert not want.keys() - have.keys(), f"locked but not installed: {want.keys() - have.keys()}"
    assert not have.keys() - want.keys(), f"installed but not locked: {have.keys() - want.keys()}"
    # The one unpinned line is the project itself, editable: pip names it by its folder (or by
    # ``egg=fixer`` when it reads the git remote), and a fresh clone may live in any folder.
    editable = [line for line in other if line.startswith("-e ")]
    assert other == editable and len(editable) <= 1, f"installed from elsewhere: {other}"
    assert all(str(ROOT) in line or "egg=fixer" in line for line in editable), editable


def test_committed_lock_matches_pyproject() -> None:
    result = run_check(ROOT)
    assert result.returncode == 0, result.stderr


def test_image_lock_pins_the_same_versions_as_the_dev_lock() -> None:
    runtime, dev = locked(LOCK), locked(DEV_LOCK)
    assert {name: dev.get(name) for name in runtime} == runtime
    assert {"pytest", "mypy", "ruff", "pip-tools", "pip-audit"} <= dev.keys() - runtime.keys()


def test_lock_names_no_package_index() -> None:
    options = ("-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host")
    for name in (LOCK, DEV_LOCK):
        text = (ROOT / name).read_text()
        lines = [line.split("=")[0].split(" ")[0] for line in text.splitlines()]
        assert not set(options) & set(lines), f"{name} names a package index"
        assert "://" not in text, f"{name} names a URL"


def test_dependency_added_to_pyproject_fails_the_check(tmp_path: Path) -> None:
    root = copy_project(tmp_path, ('"pyyaml>=6",', '"pyyaml>=6",\n  "tabulate>=0.9",'))
    result = run_check(root)
    assert result.returncode == 1
    assert "pyproject.toml asks for tabulate>=0.9 but requirements.txt does not lock" in (
        result.stderr
    )
    assert "make lock" in result.stderr


def test_range_that_excludes_the_locked_version_fails_the_check(tmp_path: Path) -> None:
    root = copy_project(
        tmp_path, ('"anthropic[bedrock,vertex]>=2.15,<3",', '"anthropic[bedrock,vertex]>=999",')
    )
    result = run_check(root)
    assert result.returncode == 1
    wanted = "asks for anthropic[bedrock,vertex]>=999"
    assert f"{wanted} but {LOCK} locks anthropic==" in result.stderr
    assert f"{wanted} but {DEV_LOCK} locks anthropic==" in result.stderr


def test_dependency_removed_from_pyproject_fails_the_check(tmp_path: Path) -> None:
    root = copy_project(tmp_path, ('  "prometheus-client>=0.20",\n', ""))
    result = run_check(root)
    assert result.returncode == 1
    assert "locks prometheus-client==" in result.stderr
    assert "which pyproject.toml no longer asks for" in result.stderr


def test_dev_tool_added_to_pyproject_fails_only_the_dev_lock(tmp_path: Path) -> None:
    root = copy_project(tmp_path, ('"pytest>=8",', '"pytest>=8",\n  "pytest-timeout>=2",'))
    result = run_check(root)
    assert result.returncode == 1
    assert f"but {DEV_LOCK} does not lock pytest-timeout" in result.stderr
    assert f"but {LOCK} does not lock" not in result.stderr
