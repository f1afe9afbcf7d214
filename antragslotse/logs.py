"""Logging without personal data: plain text or JSON lines for operators."""

from __future__ import annotations

import json
import logging
import sys


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__  # the type only: messages may hold data
        return json.dumps(entry, ensure_ascii=False)


class TypeOnlyFormatter(logging.Formatter):
    """Plain text; tracebacks are reduced to the exception type."""

    def formatException(self, ei: object) -> str:
        exc_type = ei[0] if isinstance(ei, tuple) else None
        return f"error: {exc_type.__name__ if exc_type else 'unknown'}"


def configure(level: str = "INFO", fmt: str = "text") -> None:
    """Root logging to stderr; aiogram's per-update chatter stays quiet."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         TypeOnlyFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiogram.event", "aiogram.dispatcher", "aiosqlite", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
