"""Structured logging: one line per event, ``key=value`` pairs, never a secret."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
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


class PersistingFailures:
    """Logs a failure that comes back at every run (a source down for hours, Slack unreachable) once, then at
    most once per ``every`` with how many times it failed since (``repeated``), and once when it clears.

    Each subject (a source, a channel, a message) is tracked apart. Example::

        >>> failures = PersistingFailures(log)
        >>> failures.failed("x", "source call failed", source="x")    # logged
        >>> failures.failed("x", "source call failed", source="x")    # counted, not logged, within the hour
        >>> failures.cleared("x", "source call works again", source="x")   # logged, with failures=2
    """

    def __init__(self, logger: logging.Logger, *, every: float = 3600,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._log = logger
        self._every = every
        self._monotonic = monotonic
        self._open: dict[str, _Failing] = {}

    def failed(self, subject: str, event: str, level: int = logging.ERROR, **fields: Any) -> None:
        """Record a failure of ``subject``; log it if it is the first, or the first since ``every`` passed."""
        now = self._monotonic()
        failing = self._open.get(subject)
        if failing is None:
            self._open[subject] = _Failing(logged_at=now)
            self._log.log(level, event, extra=fields)
            return
        failing.total += 1
        failing.unlogged += 1
        if now - failing.logged_at >= self._every:
            self._log.log(level, event, extra={**fields, "repeated": failing.unlogged, "failures": failing.total})
            failing.logged_at, failing.unlogged = now, 0

    def cleared(self, subject: str, event: str, **fields: Any) -> None:
        """Record that ``subject`` works again; log ``event`` with how many times it failed, if it was failing."""
        failing = self._open.pop(subject, None)
        if failing is not None:
            self._log.info(event, extra={**fields, "failures": failing.total})


@dataclass
class _Failing:
    """A subject that is failing: when it was last logged, and its failures in all and since then."""

    logged_at: float
    total: int = 1
    unlogged: int = 0
