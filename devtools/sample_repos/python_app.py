"""A Python project as most are today: pyproject.toml (setuptools), src layout, pytest.

README: ``pip install -e ".[test]"`` then ``pytest``. fixer.yml names the same setup and no
``test:``, so Fixer discovers pytest from the files.
"""

from __future__ import annotations

from pathlib import Path

from devtools import wheel_repack
from devtools.sample_repos import SampleRepo, fixer_yml

SETUP = ['pip install -e ".[test]"']
# What `pip install -e ".[test]"` needs from an index: the build backend, pytest and its deps.
WHEELS = ("setuptools", "pytest", "iniconfig", "pluggy", "packaging", "pygments")


def publish(wheels_dir: Path) -> None:
    """Put the wheels this repository installs into a local index's ``wheels/``."""
    for name in WHEELS:
        wheel_repack.repack(name, wheels_dir)


def sample() -> SampleRepo:
    files = {
        "README.md": (
            "# temperature\n\nUnit conversions.\n\n## Development\n\n"
            '```\npip install -e ".[test]"\npytest\n```\n'
        ),
        "pyproject.toml": (
            '[build-system]\nrequires = ["setuptools>=61"]\n'
            'build-backend = "setuptools.build_meta"\n\n'
            '[project]\nname = "temperature"\nversion = "0.1.0"\nrequires-python = ">=3.9"\n\n'
            '[project.optional-dependencies]\ntest = ["pytest>=7"]\n\n'
            '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'
        ),
        "src/temperature/__init__.py": (
            "def to_fahrenheit(celsius):\n"
            '    """Degrees Celsius in Fahrenheit."""\n'
            "    return celsius * 9 / 5 + 23\n"
        ),
        "tests/test_convert.py": (
            "from temperature import to_fahrenheit\n\n\n"
            "def test_freezing_point():\n    assert to_fahrenheit(0) == 32\n\n\n"
            "def test_boiling_point():\n    assert to_fahrenheit(100) == 212\n"
        ),
        ".github/fixer.yml": fixer_yml(SETUP),
    }
    return SampleRepo(
        name="acme/temperature",
        files=files,
        issue_title="to_fahrenheit(0) is 23, not 32",
        issue_body="The offset in `to_fahrenheit` is wrong; `pytest` fails.",
        path="src/temperature/__init__.py",
        old="+ 23",
        new="+ 32",
        test_command="pytest",
        setup=SETUP,
    )
