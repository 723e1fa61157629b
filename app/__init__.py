"""Fixer's service shell: settings, web app, CLI, database, GitHub and Slack adapters, runs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fixer")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
