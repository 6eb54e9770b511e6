"""Escalation: a complaint nobody acknowledged within its SLA is told, once, to the escalation channel."""

from __future__ import annotations

import logging

from listener.domain import Alert
from listener.store import Store

log = logging.getLogger(__name__)


class Escalator:
    """Queues one escalation alert per overdue, unacknowledged mention.

    The key ``escalation:<mention id>`` makes it once: running again never escalates twice.

    Example::

        >>> Escalator(store, "oncall").escalate_overdue()
        1
    """

    def __init__(self, store: Store, channel: str | None) -> None:
        self._store = store
        self._channel = channel

    def escalate_overdue(self) -> int:
        """Queue escalations for what is overdue now; returns how many were new."""
        if self._channel is None:
            return 0
        escalations = [
            Alert(
                key=f"escalation:{overdue.alert.mention_id}",
                channel=self._channel,
                brand=overdue.alert.brand,
                rule="escalation",
                severity="critical" if overdue.alert.severity in ("high", "critical") else "high",
                title=f"Not acknowledged in time: {overdue.alert.title}",
                reasons=(f"alert #{overdue.id} on {overdue.alert.channel} was not acknowledged by "
                         f"{overdue.ack_due_at:%Y-%m-%d %H:%M} UTC", *overdue.alert.reasons),
                mention_id=overdue.alert.mention_id,
            )
            for overdue in self._store.overdue_unacknowledged()
        ]
        added = self._store.enqueue_alerts([], escalations)
        if added:
            log.warning("alerts escalated", extra={"count": added, "channel": self._channel})
        return added
