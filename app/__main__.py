"""``python -m app`` is the ``fixer`` command."""

from app.cli import main

main()
