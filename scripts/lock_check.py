"""Does the lock still say what pyproject.toml asks for? Offline and in well under a second.

`make setup` installs `requirements-dev.txt` and the service image `requirements.txt`, never
pyproject's ranges, so an edit to pyproject.toml without `make lock` would silently install
the old set. This check reads the three files only (no index, no network): every dependency
pyproject.toml names must be locked at a version its range allows, nothing may be locked as a
direct dependency that pyproject.toml no longer names, every pin carries hashes, both locks pin
the same versions, and no lock names a package index (the machine's pip configuration picks
the index). It runs with the standard library and `packaging` (pip's own copy in a bare venv).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import Version
except ImportError:  # a venv fresh from `python -m venv` has pip, and pip vendors packaging
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef,assignment,unused-ignore]
    from pip._vendor.packaging.utils import canonicalize_name  # type: ignore[no-redef,assignment,unused-ignore]
    from pip._vendor.packaging.version import Version  # type: ignore[no-redef,assignment,unused-ignore]

RUNTIME_LOCK = "requirements.txt"
DEV_LOCK = "requirements-dev.txt"
# pip-compile marks a dependency of ours with "fixer (pyproject.toml)" and a build dependency
# with "fixer (pyproject.toml::build-system.requires)" in its "# via" annotation.
DIRECT_MARK = "(pyproject.toml"
INDEX_OPTIONS = ("-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host")
FIX = "run `make lock` and commit the lock files"


@dataclass
class Pin:
    version: str
    hashes: int = 0
    via: list[str] = field(default_factory=list)


def read_lock(path: Path) -> tuple[dict[str, Pin], list[str]]:
    """The pins of a pip-compile output (name -> Pin) and its option lines."""
    pins: dict[str, Pin] = {}
    options: list[str] = []
    current: Pin | None = None
    for raw in path.read_text().splitlines():
        line = raw.strip().removesuffix("\\").strip()
        if not line:
            continue
        if line.startswith("--hash="):
            if current is not None:
                current.hashes += 1
        elif line.startswith("-"):
            options.append(line)
        elif line.startswith("#"):
            text = line.lstrip("#").strip()
            if current is not None and text:
                current.via.append(text.removeprefix("via").strip())
        elif not raw[0].isspace():
            name, _, version = line.partition("==")
            current = Pin(version=version.split(";")[0].strip())
            pins[canonicalize_name(name.split("[")[0])] = current
    return pins, options


def wanted(pyproject: dict[str, object], extras: tuple[str, ...]) -> dict[str, Requirement]:
    """What pyproject.toml asks for with these extras, build backend included."""
    project = pyproject["project"]
    assert isinstance(project, dict)
    lines = list(project.get("dependencies", []))
    for extra in extras:
        lines += project.get("optional-dependencies", {}).get(extra, [])
    build = pyproject.get("build-system", {})
    assert isinstance(build, dict)
    lines += build.get("requires", [])
    found: dict[str, Requirement] = {}
    for line in lines:
        req = Requirement(line)
        if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in ("", *extras)):
            found[canonicalize_name(req.name)] = req
    return found


def check_lock(
    name: str, pins: dict[str, Pin], options: list[str], asks: dict[str, Requirement]
) -> list[str]:
    problems: list[str] = []
    for key, req in sorted(asks.items()):
        pin = pins.get(key)
        if pin is None:
            problems.append(f"pyproject.toml asks for {req} but {name} does not lock {req.name}")
        elif not req.specifier.contains(Version(pin.version), prereleases=True):
            problems.append(
                f"pyproject.toml asks for {req} but {name} locks {req.name}=={pin.version}"
            )
    for key, pin in sorted(pins.items()):
        if key not in asks and any(DIRECT_MARK in via for via in pin.via):
            problems.append(
                f"{name} locks {key}=={pin.version} for fixer, "
                "which pyproject.toml no longer asks for"
            )
        if pin.hashes == 0:
            problems.append(f"{name} pins {key}=={pin.version} without a --hash")
    for option in options:
        if option.split("=")[0].split()[0] in INDEX_OPTIONS:
            problems.append(
                f"{name} names a package index ({option}); the machine's pip config does"
            )
    return problems


def check(root: Path) -> list[str]:
    """Every disagreement between pyproject.toml and the two locks, as sentences."""
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    problems: list[str] = []
    locks: dict[str, dict[str, Pin]] = {}
    for name, extras in ((RUNTIME_LOCK, ()), (DEV_LOCK, ("dev",))):
        path = root / name
        if not path.is_file():
            problems.append(f"{name} is missing")
            continue
        pins, options = read_lock(path)
        locks[name] = pins
        problems += check_lock(name, pins, options, wanted(pyproject, extras))
    if len(locks) == 2:
        dev = locks[DEV_LOCK]
        for key, pin in sorted(locks[RUNTIME_LOCK].items()):
            if key not in dev:
                problems.append(f"{RUNTIME_LOCK} locks {key}=={pin.version}, {DEV_LOCK} not at all")
            elif dev[key].version != pin.version:
                problems.append(
                    f"{RUNTIME_LOCK} locks {key}=={pin.version} "
                    f"but {DEV_LOCK} locks {key}=={dev[key].version}"
                )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    problems = check(args.root)
    if not problems:
        print(f"{RUNTIME_LOCK} and {DEV_LOCK} match pyproject.toml")
        return 0
    print("pyproject.toml and the lock disagree:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    print(FIX, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
