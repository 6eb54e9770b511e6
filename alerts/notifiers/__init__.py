"""Notifiers: each knows only how to deliver one alert message to one kind of place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from listener.domain import Alert, StoredMention


@dataclass(frozen=True)
class AlertMessage:
    """What a notifier delivers: the outbox row's id and alert, and the mention behind it."""

    alert_id: int
    alert: Alert
    mention: StoredMention | None


class DeliveryError(Exception):
    """Delivery failed. ``retryable`` says whether trying again may help; ``retry_after`` how soon (s)."""

    def __init__(self, message: str, *, retryable: bool = True, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class Notifier(Protocol):
    """Delivers alert messages to one place."""

    name: str

    def send(self, message: AlertMessage) -> str | None:
        """Deliver ``message``; return a reference to what was posted (e.g. a Slack ts), if any.

        Raises :class:`DeliveryError` when it could not be delivered.
        """
        ...
