"""Quiet hours: the local times when a channel is not disturbed."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from listener.config import SEVERITIES, QuietHoursConfig


class QuietHours:
    """Whether a moment falls in a channel's quiet hours, in the channel's time zone.

    A window whose end is before its start spans midnight (22:00–07:00).

    Example::

        >>> QuietHours(QuietHoursConfig(start="22:00", end="07:00", timezone="Europe/Madrid")).holds(now, "high")
        True
    """

    def __init__(self, config: QuietHoursConfig) -> None:
        self._start = time.fromisoformat(config.start)
        self._end = time.fromisoformat(config.end)
        self._zone = ZoneInfo(config.timezone)
        # The least severe of except_severities, and all above it, come through: ["high"] lets critical through too.
        self._first_delivered = min((SEVERITIES.index(severity) for severity in config.except_severities),
                                    default=len(SEVERITIES))

    def is_quiet(self, moment: datetime) -> bool:
        """Whether ``moment`` is inside the quiet window."""
        local = moment.astimezone(self._zone).time()
        if self._start <= self._end:
            return self._start <= local < self._end
        return local >= self._start or local < self._end

    def holds(self, moment: datetime, severity: str) -> bool:
        """Whether an alert of ``severity`` due at ``moment`` is held for the digest: one below every
        severity of ``except_severities``, in the quiet window."""
        return SEVERITIES.index(severity) < self._first_delivered and self.is_quiet(moment)
