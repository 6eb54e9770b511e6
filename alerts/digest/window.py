"""The digest's day: local midnight to midnight in the digest's time zone, as UTC instants."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

BASELINE_DAYS = 7


@dataclass(frozen=True)
class DayWindow:
    """One local day, and the ``BASELINE_DAYS`` days before it that it is compared with.

    Example::

        >>> window = DayWindow(date(2026, 11, 19), ZoneInfo("Europe/Madrid"))
        >>> window.start.isoformat()
        '2026-11-18T23:00:00+00:00'
    """

    day: date
    zone: ZoneInfo

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(), self.zone).astimezone(timezone.utc)

    @property
    def start(self) -> datetime:
        """The day's first instant, in UTC."""
        return self._midnight(self.day)

    @property
    def end(self) -> datetime:
        """The next day's first instant, in UTC (exclusive)."""
        return self._midnight(self.day + timedelta(days=1))

    @property
    def baseline_start(self) -> datetime:
        """The first instant of the comparison period, in UTC."""
        return self._midnight(self.day - timedelta(days=BASELINE_DAYS))

    def days(self) -> list[date]:
        """The comparison days and then the day itself, oldest first."""
        return [self.day - timedelta(days=back) for back in range(BASELINE_DAYS, -1, -1)]

    def hours(self) -> list[datetime]:
        """The local start of every hour of the day (23 or 25 of them when the clocks change; where they
        change by half an hour, as on Lord Howe Island, the last one is half an hour long)."""
        count = math.ceil((self.end - self.start).total_seconds() / 3600)
        return [(self.start + timedelta(hours=n)).astimezone(self.zone) for n in range(count)]

    def from_time_of_day(self, moment: time) -> tuple[datetime, datetime]:
        """From ``moment`` on the day to ``moment`` on the next day, in UTC: one digest's share of a stream
        that runs across midnight (what quiet hours held), so consecutive days never overlap."""
        following = self.day + timedelta(days=1)
        return (datetime.combine(self.day, moment, self.zone).astimezone(timezone.utc),
                datetime.combine(following, moment, self.zone).astimezone(timezone.utc))

    def local_day(self, moment: datetime) -> date:
        """The local date of ``moment``."""
        return moment.astimezone(self.zone).date()

    def hour_index(self, moment: datetime) -> int:
        """Which of :meth:`hours` ``moment`` falls in (``moment`` must be within the day)."""
        return int((moment - self.start).total_seconds() // 3600)


def previous_day(now: datetime, zone: ZoneInfo) -> date:
    """The local date before ``now``'s: the last complete day, which a morning digest reports."""
    return now.astimezone(zone).date() - timedelta(days=1)
