"""Operator notices: source and delivery failures, told to the operator channel through the outbox."""

from __future__ import annotations

import logging
from datetime import timedelta

from alerts.redact import Redactor
from listener.clock import Clock, system_clock
from listener.domain import Alert
from listener.store import Store

log = logging.getLogger(__name__)


class OperatorNotices:
    """Queues a notice for the operator channel, at most one per ``kind`` and subject per ``window``.

    Every notice is logged; notices within the window after the first are only logged, so a source
    failing every minute is one message an hour, not sixty. Secrets are redacted from the text.

    Example::

        >>> notices = OperatorNotices(store, "ops")
        >>> notices.report("source-disabled", "x", "X rejected the bearer token (401); the x source is off")
        True
    """

    def __init__(self, store: Store, channel: str | None, *, clock: Clock = system_clock,
                 window: timedelta = timedelta(hours=1), redact: Redactor = Redactor()) -> None:
        self._store = store
        self._channel = channel
        self._clock = clock
        self._window = window
        self._redact = redact

    def report(self, kind: str, subject: str, message: str) -> bool:
        """Log ``message`` and queue it for the operator channel; returns whether a notice was queued."""
        message = self._redact(message)
        log.error("operator notice", extra={"kind": kind, "subject": subject, "detail": message})
        if self._channel is None:
            return False
        now = self._clock()
        bucket = int(now.timestamp() // self._window.total_seconds())
        alert = Alert(
            key=f"operator:{kind}:{subject}:{bucket}",
            channel=self._channel,
            brand="",
            rule="operator",
            severity="high",
            title=f"[operator] {kind}: {subject}",
            reasons=(message,),
            created_at=now,
        )
        return self._store.enqueue_alerts([], [alert]) > 0
