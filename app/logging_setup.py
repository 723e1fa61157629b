"""Structured logs: every record carries the run id it belongs to (when there is one);
``FIXER_LOG_FORMAT=json`` prints one JSON object per line for log collectors."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(vars(logging.makeLogRecord({})))


def _run_id() -> str | None:
    # Inside a DBOS workflow the workflow id is the run id (``repo#N:attempt``), or starts
    # with it for a run's child workflows (``…/round-1``, ``…/planner.llm.3``).
    try:
        from dbos import DBOS

        workflow_id = DBOS.workflow_id
    except Exception:
        return None
    return workflow_id.split("/round-")[0] if workflow_id else None


class RunContextFilter(logging.Filter):
    """Adds ``run_id`` to every record that has none."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "run_id", None):
            record.run_id = _run_id()
        return True


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            {k: v for k, v in vars(record).items() if k not in _STANDARD and v is not None}
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        run_id = getattr(record, "run_id", None)
        return f"{line} [run {run_id}]" if run_id else line


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """Route the root logger to stderr in ``log_format`` (``text`` or ``json``); idempotent."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "fixer_handler", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.fixer_handler = True  # type: ignore[attr-defined]
    handler.addFilter(RunContextFilter())
    if log_format == "json":
        handler.setFormatter(JsonLineFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    # Client libraries log every HTTP request at INFO: one run would drown in them.
    for chatty in ("httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
