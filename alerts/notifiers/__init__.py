"""Notifiers: each knows only how to deliver one alert message to one kind of place.

Everything else (grouping, quiet hours, rate limits, retries, the delivery log) is the outbox's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from listener.domain import Alert, StoredMention


@dataclass(frozen=True)
class AlertMessage:
    """What a notifier delivers as one message.

    ``key`` is the message's idempotency key (the alert's key for a message of its own).
    ``more`` holds further alerts this one message carries (a group's follow-up, or what a rate
    limit batched). ``thread`` is the reference of the message this one follows up, if any.
    ``batched`` says that the channel's rate limit put these alerts together (not their group).
    """

    alert_id: int
    alert: Alert
    mention: StoredMention | None
    key: str = ""
    more: tuple["AlertMessage", ...] = field(default=())
    thread: str | None = None
    batched: bool = False

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.alert.key)


class DeliveryError(Exception):
    """Delivery failed. ``retryable`` says whether trying again may help; ``retry_after`` how soon (s);
    ``maybe_delivered`` that the message may have arrived all the same (the answer timed out).

    The message must never contain a secret (a webhook URL, a token): notifiers build it from status
    codes and error names, not from library exception texts.
    """

    def __init__(self, message: str, *, retryable: bool = True, retry_after: float | None = None,
                 maybe_delivered: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.maybe_delivered = maybe_delivered


class Notifier(Protocol):
    """Delivers alert messages to one place."""

    name: str

    def send(self, message: AlertMessage) -> str | None:
        """Deliver ``message``; return a reference to what was posted (e.g. a Slack ts), if any.

        Raises :class:`DeliveryError` when it could not be delivered.
        """
        ...


@dataclass(frozen=True)
class Lookup:
    """Whether a message was found at its destination, and its reference there."""

    found: bool
    ref: str | None = None


@runtime_checkable
class DeliveryLookup(Protocol):
    """A notifier that can tell whether a message with a given key already reached its destination.

    The outbox asks it after a crash left a send's outcome unknown; a notifier without it cannot
    tell, so such a message is not sent again (at most once) and the operator is told.
    """

    def lookup(self, key: str, since: datetime, thread: str | None = None) -> Lookup:
        """Look for the message sent under ``key`` at or after ``since`` (a follow-up: in ``thread``).

        Raises :class:`DeliveryError` when the destination cannot be asked right now.
        """
        ...
