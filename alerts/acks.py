"""Acknowledgement by reaction: reads the reactions on recent Slack alert messages through the Web API.

No inbound endpoint is needed: the daemon asks ``reactions.get`` for each unacknowledged message it
posted within the lookback, newest first, and the first person to add the configured reaction
acknowledges it. Newest first: Slack answers some 50 ``reactions.get`` a minute, and a round that a
rate limit ends has then read the messages still within their acknowledgement time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Protocol

from alerts.notifiers import DeliveryError
from listener.clock import Clock, system_clock
from listener.logs import PersistingFailures
from listener.store import Store

log = logging.getLogger(__name__)


class ReactionReader(Protocol):
    """A channel whose messages can be reacted to (the Slack bot)."""

    def reacted_by(self, ref: str) -> str | None:
        """Who added the acknowledgement reaction to message ``ref``, or ``None``."""
        ...


class ReactionAcks:
    """Acknowledges alerts whose message got the acknowledgement reaction.

    Example::

        >>> ReactionAcks(store, {"slack": slack_bot}).check()
        1
    """

    def __init__(self, store: Store, readers: Mapping[str, ReactionReader], *, clock: Clock = system_clock,
                 lookback: timedelta = timedelta(hours=48), should_stop: Callable[[], bool] = lambda: False) -> None:
        self._store = store
        self._readers = dict(readers)
        self._clock = clock
        self._lookback = lookback
        self._should_stop = should_stop
        self._failures = PersistingFailures(log)  # Slack down for hours: a line an hour, not one a round

    def check(self) -> int:
        """Read reactions on recent unacknowledged messages, until a stop is requested (the next round reads
        the rest); returns how many alerts were acknowledged."""
        acknowledged = 0
        refused: set[str] = set()
        read: set[str] = set()  # a message carrying several alerts (a follow-up, a batch) is read once
        for stored in self._store.unacknowledged_messages(list(self._readers), self._clock() - self._lookback):
            assert stored.delivery_ref is not None  # the query keeps messages with a reference
            if self._should_stop():
                break
            if stored.alert.channel in refused or stored.delivery_ref in read:
                continue
            read.add(stored.delivery_ref)
            try:
                user = self._readers[stored.alert.channel].reacted_by(stored.delivery_ref)
            except DeliveryError as error:
                self._failures.failed(stored.alert.channel, "cannot read reactions", logging.WARNING,
                                      channel=stored.alert.channel, alert=stored.id, reason=str(error))
                # Slack down, rate limiting, or the token or its scopes refused: the same would happen for
                # every message of the channel; next round. Other bots' channels are read all the same.
                # (A deleted message is no error: nobody reacted to it.)
                refused.add(stored.alert.channel)
                continue
            self._failures.cleared(stored.alert.channel, "reactions read again", channel=stored.alert.channel)
            if user is not None:
                row = self._store.acknowledge(stored.id, f"slack:{user}")
                acknowledged += 1
                log.info("alert acknowledged", extra={"alert": stored.id, "by": row.acknowledged_by,
                                                      "seconds_to_ack": row.seconds_to_ack})
        return acknowledged
