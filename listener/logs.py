"""Structured logging: one line per event, ``key=value`` pairs, never a secret."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

_RESERVED = set(vars(logging.makeLogRecord({})))


class KeyValueFormatter(logging.Formatter):
    """Formats a record as ``ts=… level=… logger=… event=… key=value …``, passed through ``redact``
    (see :func:`redact_with`) so that no secret reaches the log, whoever logged it."""

    redact: Callable[[str], str] = staticmethod(lambda line: line)

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        fields.update({k: v for k, v in vars(record).items() if k not in _RESERVED and not k.startswith("_")})
        # Each value is redacted before it is quoted: quoting escapes a secret's '"' and '\\', and the
        # escaped form would no longer be the secret the redactor looks for.
        line = " ".join(f"{key}={_quote(self.redact(str(value)))}" for key, value in fields.items())
        if record.exc_info:
            line += " error=" + _quote(self.redact(f"{record.exc_info[0].__name__}: {record.exc_info[1]}"))
        return self.redact(line)


def _quote(value: Any) -> str:
    text = str(value)
    if text == "" or any(ch in text for ch in ' "=\n\t'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


def configure(level: str = "INFO") -> None:
    """Send the project's log lines to stderr, formatted as key=value."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("apscheduler", "urllib3", "prawcore", "tweepy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def redact_with(redact: Callable[[str], str]) -> None:
    """Pass every log line through ``redact`` from now on (the config's secrets, once it is loaded)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, KeyValueFormatter):
            handler.formatter.redact = redact
