"""Spike detection on a stream of complaint times: is the last few minutes' volume unusual *now*?

Why this method. Complaint volume is a small count with a daily and weekly rhythm, and the point is
to alert while a spike is still rising, not once it has peaked:

* Each check compares the count in the last 15, 30 and 60 minutes with what the baseline expects for
  those minutes. Short windows see a rise within minutes; the longer ones see a slower swell.
* A series is read as :class:`SeriesCounts`: complaints per clock hour (all the baseline needs) and
  the times of only the latest complaints (all the windows need), so what a check holds does not
  grow with ``history``: the store sums the hours in SQL.
* The baseline is a rate per local hour of day (in the audience's ``timezone``: a daily rhythm follows
  the clock on the wall, which daylight saving moves an hour against UTC), separately for weekdays
  and weekends (the weekly rhythm),
  learnt from the trailing ``history``: weekday/weekend rates shrink towards the hour's rate over all
  days, which shrinks towards the overall rate (gamma priors worth a few hours), so a quiet 3 a.m.
  does not make 9 a.m. look like a spike and a first weekend borrows the weekdays' shape. Hourly
  counts are winsorised first, so an earlier spike does not inflate the baseline of the next day.
  No verdict in the first ``warmup`` (a day): the rhythm is unknown until then.
* The rhythm is scaled by the series' recent level: the ratio of complaints to the rhythm's
  expectation over the ``LEVEL_HOURS`` before the baseline ends (shrunk towards 1 by ``LEVEL_PRIOR``
  pseudo-complaints), and only upwards. A day that is busy all along (a storm grounding flights,
  a news story) is a level, not a spike: without it every busy hour of that day alerted (on the
  airline replay, five false alarms in a day and a half on US Airways). Never downwards, so a lull
  (or a gap in polling) does not make ordinary volume look like a spike when it returns.
* The surprise of a count is an exact negative-binomial tail probability, not a z-score: with
  counts of 2 or 5 a normal approximation (mean + 3·stddev) is badly wrong. The negative binomial
  is the Poisson whose rate is uncertain: its shape combines how little history stands behind that
  hour's rate (the gamma posterior) with the over-dispersion measured on the history itself (real
  complaint counts vary more than Poisson from hour to hour).
* An alert needs at least ``min_count`` complaints in the window and a tail probability below the
  ``sensitivity`` level's threshold (split over the windows tested, Bonferroni), and waits out the
  ``cooldown`` after the previous one. EWMA or CUSUM charts would need a variance model that is wrong
  for small counts and would lag by design; a 3-sigma rule over hourly counts reports a peak only
  after its hour is over (see ``bench/early_warning.py`` for the comparison).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from datetime import timezone as dt_timezone
from typing import Literal

import numpy as np

Sensitivity = Literal["low", "normal", "high"]
# Tail probability below which a window's count is a spike, per check, before the split over windows.
TAIL_THRESHOLDS: dict[str, float] = {"low": 1e-6, "normal": 1e-4, "high": 1e-3}
HOUR = timedelta(hours=1)
PRIOR_HOURS = 3.0  # how many hours of the overall rate the hour-of-day rate is shrunk towards
WINSOR_QUANTILE = 0.95
MAX_SHAPE = 1e6  # a shape this large is a Poisson, for all practical purposes
LEVEL_HOURS = 6  # the recent hours whose volume, against the rhythm, sets the level
LEVEL_PRIOR = 5.0  # pseudo-complaints that shrink the level towards the rhythm


@dataclass(frozen=True)
class SpikeSettings:
    """What counts as a spike: windows tested, sensitivity, minimum count, cooldown, history used."""

    sensitivity: Sensitivity = "normal"
    min_count: int = 5
    cooldown: timedelta = timedelta(hours=1)
    windows: tuple[timedelta, ...] = (timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1))
    history: timedelta = timedelta(days=14)
    # The baseline ends this long before now, so the start of a slow rise does not hide in it.
    guard: timedelta = timedelta(hours=1)
    # No verdict before the series has been watched this long: a day is needed to learn the daily rhythm.
    warmup: timedelta = timedelta(hours=24)
    # Where the hours of the daily rhythm and the days of the week are counted.
    timezone: tzinfo = dt_timezone.utc


def hour_start(moment: datetime) -> datetime:
    """The start of the clock hour ``moment`` is in: the key of :attr:`SeriesCounts.hourly`."""
    return moment.replace(minute=0, second=0, microsecond=0)


@dataclass
class SeriesCounts:
    """One series' complaints as the detector reads them: a count per clock hour, and the latest times.

    ``hourly`` maps each hour's start (:func:`hour_start`) to its complaints: the baseline. ``times``
    are sorted and must hold at least the complaints of the longest window before each moment
    checked: the windows' counts. A daemon loads the hours' counts and the last hour's times; a replay
    or a test can pass every time (:meth:`of`).

    Example::

        >>> series = SeriesCounts.of([datetime(2026, 3, 2, 9, 5, tzinfo=timezone.utc)])
        >>> series.hourly
        Counter({datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.timezone.utc): 1})
    """

    hourly: Counter[datetime] = field(default_factory=Counter)
    times: list[datetime] = field(default_factory=list)

    @classmethod
    def of(cls, times: Iterable[datetime]) -> SeriesCounts:
        """Every one of a series' complaint times, sorted ascending, with their hourly counts."""
        ordered = list(times)
        return cls(Counter(hour_start(moment) for moment in ordered), ordered)


@dataclass(frozen=True)
class Spike:
    """A window whose count the baseline did not expect."""

    at: datetime
    window: timedelta
    observed: int
    expected: float
    tail_probability: float

    def describe(self) -> str:
        """One line for an alert, e.g. ``'37 complaints in 15 min (about 2.1 expected)'``."""
        minutes = int(self.window.total_seconds() // 60)
        return f"{self.observed} complaints in {minutes} min (about {self.expected:.1f} expected)"


class SpikeDetector:
    """Decides, from one series' complaints, whether they are spiking now.

    Stateless apart from the settings: the caller keeps the complaints (the store does) and remembers
    the last alert for the cooldown.

    Example::

        >>> detector = SpikeDetector(SpikeSettings(min_count=5))
        >>> spike = detector.check(SeriesCounts.of(complaint_times), now, watched_since=started, last_alert=None)
        >>> spike.describe() if spike else "quiet"
        '37 complaints in 15 min (about 2.1 expected)'
    """

    def __init__(self, settings: SpikeSettings = SpikeSettings()) -> None:
        self.settings = settings
        self._threshold = TAIL_THRESHOLDS[settings.sensitivity] / len(settings.windows)

    def check(self, series: SeriesCounts, now: datetime, *, watched_since: datetime,
              last_alert: datetime | None = None) -> Spike | None:
        """The most surprising spiking window ending at ``now``, or ``None``.

        ``series`` holds the series' complaints (later ones are ignored);
        ``watched_since`` is when listening began (silence before it is not a zero rate);
        ``last_alert`` is when this series last alerted, for the cooldown.
        """
        if last_alert is not None and now - last_alert < self.settings.cooldown:
            return None
        if now - watched_since < self.settings.warmup:
            return None
        times = series.times
        end = bisect_right(times, now)
        longest = max(self.settings.windows)
        if end - bisect_left(times, now - longest, hi=end) < self.settings.min_count:
            return None
        history_start = max(now - self.settings.history, watched_since)
        baseline = _Baseline.learn(series.hourly, history_start, now - longest - self.settings.guard,
                                   self.settings.timezone)
        best: Spike | None = None
        for window in self.settings.windows:
            observed = end - bisect_left(times, max(now - window, history_start), hi=end)
            if observed < self.settings.min_count:
                continue
            expected, shape = baseline.expected(now - window, now)
            tail = negative_binomial_tail(observed, expected, shape)
            if tail < self._threshold and (best is None or tail < best.tail_probability):
                best = Spike(now, window, observed, expected, tail)
        return best


@dataclass(frozen=True)
class _Baseline:
    """Rates per hour of day (weekday and weekend profiles, scaled by the recent level), how sure each
    is, and the over-dispersion.

    Hierarchical shrinkage: an hour's weekday or weekend rate is shrunk towards that hour's rate over
    all days, which is shrunk towards the overall rate; each by ``PRIOR_HOURS`` hours of pseudo-data.
    A rate's gamma posterior shape is the complaints it rests on (real and pseudo), so an hour never
    seen yet (the first morning, the first weekend) is uncertain and its tail is fat.
    """

    rates: np.ndarray  # (2, 24): complaints per hour, weekday and weekend
    certainty: np.ndarray  # (2, 24): gamma posterior shape of each rate
    inverse_dispersion: float  # 1/phi: variance = m + m²/phi
    zone: tzinfo  # where the hours and days are counted

    @classmethod
    def learn(cls, hourly: Mapping[datetime, int], start: datetime, end: datetime, zone: tzinfo) -> _Baseline:
        origin = hour_start(start) + HOUR  # the first whole hour
        hours = max(int((end - origin) // HOUR), 0)
        if hours == 0:
            return cls(np.full((2, 24), 1e-3), np.ones((2, 24)), 0.0, zone)
        counts = np.array([hourly.get(origin + HOUR * index, 0) for index in range(hours)], dtype=float)
        counts = np.minimum(counts, max(np.quantile(counts, WINSOR_QUANTILE), 1.0))
        slots = [(origin + HOUR * i).astimezone(zone) for i in range(hours)]
        kind = np.array([_day_kind(slot) for slot in slots])
        hour = np.array([slot.hour for slot in slots])
        overall = max(counts.sum(), 0.5) / hours  # half a complaint: a silent history is not a zero rate
        totals, exposure = np.zeros((2, 24)), np.zeros((2, 24))
        np.add.at(totals, (kind, hour), counts)
        np.add.at(exposure, (kind, hour), 1.0)
        by_hour = (totals.sum(axis=0) + PRIOR_HOURS * overall) / (exposure.sum(axis=0) + PRIOR_HOURS)
        rates = (totals + PRIOR_HOURS * by_hour) / (exposure + PRIOR_HOURS)
        certainty = totals + PRIOR_HOURS * by_hour + 1.0
        expected = rates[kind, hour]
        excess = float(((counts - expected) ** 2 - expected).sum())  # method of moments for 1/phi
        level = max((counts[-LEVEL_HOURS:].sum() + LEVEL_PRIOR) / (expected[-LEVEL_HOURS:].sum() + LEVEL_PRIOR), 1.0)
        return cls(rates * level, certainty, max(excess, 0.0) / float((expected**2).sum()), zone)

    def expected(self, start: datetime, end: datetime) -> tuple[float, float]:
        """Complaints expected between ``start`` and ``end``, and the negative-binomial shape to judge them by."""
        total, least_certain = 0.0, MAX_SHAPE
        moment = start
        while moment < end:
            step_end = min(moment.replace(minute=0, second=0, microsecond=0) + HOUR, end)
            local = hour_start(moment).astimezone(self.zone)  # the slot its clock hour was learnt in
            slot = (_day_kind(local), local.hour)
            total += self.rates[slot] * ((step_end - moment) / HOUR)
            least_certain = min(least_certain, float(self.certainty[slot]))
            moment = step_end
        shape = 1.0 / max(self.inverse_dispersion + 1.0 / least_certain, 1.0 / MAX_SHAPE)
        return max(total, 1e-6), shape


def _day_kind(moment: datetime) -> int:
    return 1 if moment.weekday() >= 5 else 0


def negative_binomial_tail(observed: int, mean: float, shape: float) -> float:
    """P(X ≥ ``observed``) for a negative binomial with ``mean`` and ``shape`` (large shape: Poisson).

    Above the mean it is summed upwards from ``observed``, so tiny tails keep their precision; at or
    below the mean it is one minus the sum below ``observed`` (summed upwards from ``observed``, the
    first term underflows far under the mean: 5 complaints against 900 expected read as a certain
    spike).

    Example::

        >>> round(negative_binomial_tail(10, 2.0, 1e6), 6)  # Poisson(2): P(X ≥ 10)
        4.6e-05
        >>> negative_binomial_tail(5, 900.0, 1e6)  # far fewer than expected
        1.0
    """
    if observed <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    shape = min(shape, MAX_SHAPE)
    p = shape / (shape + mean)

    def probability(count: int) -> float:
        return math.exp(math.lgamma(count + shape) - math.lgamma(shape) - math.lgamma(count + 1)
                        + shape * math.log(p) + count * math.log1p(-p))

    if observed <= mean:  # one minus the terms below observed, summed downwards until they are negligible
        term, count, below = probability(observed - 1), observed - 1, 0.0
        while term > 0.0:
            below += term
            if term < below * 1e-12 or count == 0:
                break
            term *= count / ((count - 1 + shape) * (1 - p))  # P(count - 1) from P(count)
            count -= 1
        return min(max(1.0 - below, 0.0), 1.0)
    term = probability(observed)
    total, j = 0.0, observed
    while term > 1e-300 and j < observed + 100_000:
        total += term
        ratio = (j + shape) / (j + 1) * (1 - p)
        if term < total * 1e-12 and ratio < 0.99:
            break
        term *= ratio
        j += 1
    return min(total, 1.0)
