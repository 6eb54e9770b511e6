"""Spike detection on synthetic streams: a daily rhythm with and without a rising burst."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from alerts.early_warning.spike import (
    SeriesCounts,
    SpikeDetector,
    SpikeSettings,
    negative_binomial_tail,
)

START = datetime(2026, 3, 2, tzinfo=timezone.utc)  # a Monday
DAYS = 7


def rhythm(rng: np.random.Generator, per_hour: float = 3.0, days: int = DAYS) -> list[datetime]:
    """Poisson complaints whose rate swings with the hour of day (busy afternoons, quiet nights)."""
    times = []
    for hour in range(days * 24):
        rate = per_hour * (1 + 0.9 * np.sin(2 * np.pi * ((hour % 24) - 9) / 24))
        for _ in range(rng.poisson(rate)):
            times.append(START + timedelta(hours=hour, seconds=float(rng.uniform(0, 3600))))
    return times


def rising_burst(rng: np.random.Generator, start: datetime, peak_per_hour: float = 60.0,
                 rise: timedelta = timedelta(hours=2)) -> list[datetime]:
    """A burst whose rate climbs linearly from zero to ``peak_per_hour`` over ``rise``, then stops."""
    times = []
    minutes = int(rise / timedelta(minutes=1))
    for minute in range(minutes):
        for _ in range(rng.poisson(peak_per_hour * minute / minutes / 60)):
            times.append(start + timedelta(minutes=minute, seconds=float(rng.uniform(0, 60))))
    return times


def alerts_over(times: list[datetime], detector: SpikeDetector) -> list[datetime]:
    """Check at every complaint, as the job does; returns when alerts fired."""
    times = sorted(times)
    series = SeriesCounts.of(times)
    fired: list[datetime] = []
    for now in times:
        if detector.check(series, now, watched_since=START, last_alert=fired[-1] if fired else None):
            fired.append(now)
    return fired


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rising_burst_alerts_before_its_peak(seed: int) -> None:
    rng = np.random.default_rng(seed)
    burst_start = START + timedelta(days=5, hours=14)
    times = rhythm(rng) + rising_burst(rng, burst_start)
    fired = alerts_over(times, SpikeDetector())
    during = [moment for moment in fired if moment >= burst_start]
    assert during, "the burst was not detected"
    assert during[0] < burst_start + timedelta(hours=1), f"detected at {during[0]}, after half the rise"


@pytest.mark.parametrize("seed", [4, 5, 6, 7])
def test_daily_rhythm_alone_never_alerts(seed: int) -> None:
    assert alerts_over(rhythm(np.random.default_rng(seed)), SpikeDetector()) == []


@pytest.mark.parametrize("seed", [10, 11, 13])
def test_a_day_busy_all_along_alerts_at_most_once(seed: int) -> None:
    rng = np.random.default_rng(seed)
    busy = [moment + timedelta(days=5) for moment in rhythm(rng, per_hour=7.0, days=2)]  # 2.3 times the rhythm
    assert len(alerts_over(rhythm(rng, days=5) + busy, SpikeDetector())) <= 1


def test_a_few_complaints_on_a_silent_series_do_not_alert() -> None:
    quiet = [START + timedelta(days=day, hours=12) for day in range(4)]
    burst = [START + timedelta(days=4, hours=12, minutes=minute) for minute in range(4)]
    assert alerts_over(quiet + burst, SpikeDetector(SpikeSettings(min_count=5))) == []


def test_cooldown_keeps_one_alert_for_one_spike() -> None:
    rng = np.random.default_rng(8)
    burst_start = START + timedelta(days=5, hours=14)
    times = rhythm(rng) + rising_burst(rng, burst_start, peak_per_hour=200, rise=timedelta(minutes=90))
    fired = [moment for moment in alerts_over(times, SpikeDetector(SpikeSettings(cooldown=timedelta(hours=2))))
             if moment >= burst_start]
    assert fired, "the burst was not detected"
    assert [moment for moment in fired if moment < fired[0] + timedelta(hours=2)] == fired[:1]


def test_no_verdict_before_the_warm_up() -> None:
    times = [START + timedelta(minutes=minute) for minute in range(30)]
    detector = SpikeDetector(SpikeSettings(warmup=timedelta(hours=6)))
    assert detector.check(SeriesCounts.of(times), times[-1], watched_since=START) is None


def test_negative_binomial_tail_matches_poisson_when_shape_is_large() -> None:
    poisson_tail = 1 - sum(np.exp(-2.0) * 2.0**k / np.prod(range(1, k + 1)) for k in range(10))
    assert negative_binomial_tail(10, 2.0, 1e9) == pytest.approx(poisson_tail, rel=1e-3)
    assert negative_binomial_tail(10, 2.0, 2.0) > negative_binomial_tail(10, 2.0, 1e9)  # over-dispersed: fatter


def test_a_count_far_under_the_mean_has_a_tail_of_one_not_zero() -> None:
    """Summed upwards from the count, its first term underflowed: 5 against 900 read as a certain spike."""
    assert negative_binomial_tail(5, 900.0, 1e6) == pytest.approx(1.0)
    assert negative_binomial_tail(5, 800.0, 1e4) == pytest.approx(1.0)
    assert negative_binomial_tail(1, 1e300, 1.0) == pytest.approx(1.0)
    # both ways of summing agree where they meet
    assert negative_binomial_tail(40, 40.0, 1e6) == pytest.approx(negative_binomial_tail(41, 40.0, 1e6)
                                                                   + 0.0629, abs=1e-4)


def test_a_busy_series_coming_back_from_a_lull_is_not_a_spike() -> None:
    rng = np.random.default_rng(1)
    times = [START + timedelta(hours=hour, seconds=float(second))
             for hour in range(14 * 24) for second in np.sort(rng.uniform(0, 3600, rng.poisson(900)))]
    back = START + timedelta(days=14, hours=2)  # two silent hours, then five complaints
    times += [back + timedelta(minutes=minute) for minute in range(5)]
    assert SpikeDetector().check(SeriesCounts.of(times), times[-1], watched_since=START) is None


@pytest.mark.parametrize("change", [datetime(2026, 10, 25, 1, tzinfo=timezone.utc),   # clocks go back
                                    datetime(2026, 3, 29, 1, tzinfo=timezone.utc)])   # and forward
def test_a_local_rhythm_is_no_spike_the_week_after_daylight_saving_changes(change: datetime) -> None:
    """Counted in UTC, Madrid's waking hour moved an hour: the first busy hours after the change alerted."""
    madrid = ZoneInfo("Europe/Madrid")
    rng = np.random.default_rng(0)
    start = change - timedelta(days=14)
    times = []
    for hour in range(21 * 24):  # quiet nights (23:00-07:00 local), busy days
        at = start + timedelta(hours=hour)
        rate = 0.6 if not 7 <= at.astimezone(madrid).hour < 23 else 6.0
        times += sorted(at + timedelta(seconds=float(second)) for second in rng.uniform(0, 3600, rng.poisson(rate)))
    series = SeriesCounts.of(times)
    detector = SpikeDetector(SpikeSettings(timezone=madrid))
    fired: list[datetime] = []
    for now in (moment for moment in times if moment >= change):
        if detector.check(series, now, watched_since=start, last_alert=fired[-1] if fired else None):
            fired.append(now)
    assert fired == []


def test_in_a_half_hour_time_zone_a_daily_busy_hour_is_expected_all_through_it() -> None:
    """Learnt per clock hour but read per local hour, its second half was judged by the next hour's rate."""
    times = []
    for hour in range(14 * 24):  # busy every day 11:00-13:00 UTC, 16:30-18:30 in Kolkata
        count = 40 if hour % 24 in (11, 12) else 2
        times += [START + timedelta(hours=hour, minutes=60 * index / count) for index in range(count)]
    series = SeriesCounts.of(times)
    detector = SpikeDetector(SpikeSettings(timezone=ZoneInfo("Asia/Kolkata")))
    day = START + timedelta(days=13, hours=12)
    assert [detector.check(series, day + timedelta(minutes=minute), watched_since=START)
            for minute in (15, 30, 45, 59)] == [None] * 4
