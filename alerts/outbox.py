"""Delivery from the outbox: every due alert goes to its channel's notifier, with retries.

An alert is in the store before anyone is notified; it is marked sent right after its notifier
returns. A crash in between (a window of one database commit) is the only way an alert could be sent
twice; notifiers that can check what they already delivered (the JSONL file) close even that window.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from alerts.notifiers import AlertMessage, DeliveryError, Notifier
from listener.clock import Clock, system_clock
from listener.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, giving up once an alert is older than ``give_up_after``."""

    first_delay: timedelta = timedelta(seconds=5)
    max_delay: timedelta = timedelta(minutes=15)
    give_up_after: timedelta = timedelta(hours=24)

    def delay(self, attempts: int, retry_after: float | None, rng: random.Random) -> timedelta:
        """How long to wait after the ``attempts``-th failure (at least ``retry_after`` seconds)."""
        backoff = min(self.first_delay * (2 ** max(attempts - 1, 0)), self.max_delay)
        jittered = backoff * (0.5 + rng.random() / 2)
        return max(jittered, timedelta(seconds=retry_after or 0))


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery round did."""

    sent: int = 0
    retrying: int = 0
    given_up: int = 0


class Outbox:
    """Delivers due alerts through the notifier of each alert's channel."""

    def __init__(
        self,
        store: Store,
        notifiers: Mapping[str, Notifier],
        *,
        clock: Clock = system_clock,
        policy: RetryPolicy = RetryPolicy(),
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._notifiers = dict(notifiers)
        self._clock = clock
        self._policy = policy
        self._rng = rng or random.Random()

    def deliver_due(self, limit: int = 100) -> DeliveryReport:
        """Try every due alert once (up to ``limit``); returns what happened."""
        sent = retrying = given_up = 0
        for stored in self._store.due_alerts(limit):
            alert = stored.alert
            notifier = self._notifiers.get(alert.channel)
            message = AlertMessage(stored.id, alert, self._store.mention(alert.mention_id) if alert.mention_id else None)
            try:
                if notifier is None:
                    raise DeliveryError(f"no channel named {alert.channel!r} is configured", retryable=False)
                reference = notifier.send(message)
            except DeliveryError as error:
                retry_at = self._retry_at(stored.attempts + 1, stored.alert.created_at, error)
                self._store.mark_failed(stored.id, str(error), retry_at)
                if retry_at is None:
                    given_up += 1
                    log.error("alert given up", extra={"alert": stored.id, "channel": alert.channel, "reason": str(error)})
                else:
                    retrying += 1
                    log.warning("alert delivery failed", extra={
                        "alert": stored.id, "channel": alert.channel, "reason": str(error),
                        "retry_at": retry_at.isoformat()})
                continue
            self._store.mark_sent(stored.id, reference)
            sent += 1
            log.info("alert sent", extra={"alert": stored.id, "channel": alert.channel, "mention": alert.mention_id})
        return DeliveryReport(sent, retrying, given_up)

    def _retry_at(self, attempts: int, created_at, error: DeliveryError):
        now = self._clock()
        if not error.retryable or (created_at is not None and now - created_at >= self._policy.give_up_after):
            return None
        return now + self._policy.delay(attempts, error.retry_after, self._rng)
