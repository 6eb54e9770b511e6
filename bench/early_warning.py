"""Early-warning benchmark: replay the real US airline tweets (February 2015) and compare spike detectors.

Usage::

    python bench/early_warning.py                    # the embedded classifier
    python bench/early_warning.py --backend lexicon  # when the embedded model is not trained yet
    python bench/early_warning.py --backend labels   # the human labels as complaints: a perfect classifier,
                                                     # to tell the detectors' misses from the classifier's

Every tweet of ``../shared/data/airline_us`` (train and dev) is classified with the project's
classifier and replayed in timestamp order. Per airline, two detectors watch the stream of tweets the
classifier calls complaints:

* early warning (``alerts.early_warning.spike``), checked as each complaint arrives, as the job does;
* the classic 3-sigma peak detector, as Huginn's PeakDetectorAgent does it: it receives the hourly
  complaint count when each hour ends, keeps two weeks of them, and once it has more than four it
  reports the previous hour as a peak when that hour exceeded mean + 3·stddev of the older hours and
  the newest hour is lower (the peak has passed); peaks at least two days apart.

Ground truth comes from the data set's human labels, not from either detector, and was defined
before either detector was run (printed with the results).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alerts.early_warning.spike import (  # noqa: E402
    LEVEL_HOURS,
    SeriesCounts,
    SpikeDetector,
    SpikeSettings,
)
from listener.config import ClassifierConfig  # noqa: E402
from models.factory import load_classifier  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "airline_us"
HOUR = timedelta(hours=1)
# Ground truth, fixed before looking at any detector: an hour is a burst hour when its count of
# human-labelled negative tweets exceeds the airline's hourly median by more than 4 robust standard
# deviations (1.4826 · MAD), and is at least 10. Adjacent burst hours form one burst. The largest
# bursts are the 3 with the most complaints above the median. An alert credits a burst when it falls
# between an hour before the burst starts and an hour after it ends; any other alert is a false alarm.
ROBUST_SIGMAS = 4.0
MIN_BURST_COUNT = 10
LARGEST = 3
CREDIT_BEFORE = HOUR
CREDIT_AFTER = HOUR
# Huginn PeakDetectorAgent defaults.
HUGINN_STD_MULTIPLE = 3.0
HUGINN_WINDOW = timedelta(weeks=2)
HUGINN_PEAK_SPACING = timedelta(days=2)


@dataclass(frozen=True)
class Tweet:
    """One replayed tweet: when, which airline, the human label and the classifier's verdict."""

    at: datetime
    airline: str
    negative: bool
    complaint: bool


@dataclass(frozen=True)
class Burst:
    """A run of burst hours in the ground truth."""

    start: datetime
    end: datetime
    excess: float
    peak: int

    def credits(self, alert: datetime) -> bool:
        """Whether an alert at ``alert`` is about this burst."""
        return self.start - CREDIT_BEFORE <= alert <= self.end + CREDIT_AFTER


def load_tweets(backend: str, threshold: float) -> list[Tweet]:
    """Every train and dev tweet, classified (``backend="labels"``: its human label), oldest first."""
    rows = [json.loads(line) for name in ("train.jsonl", "dev.jsonl")
            for line in (DATA / name).read_text(encoding="utf-8").split("\n") if line]
    if backend == "labels":
        complaints = [row["label"] == 0 for row in rows]
    else:
        classifier = load_classifier(ClassifierConfig(backend=backend))
        complaints = []
        for start in range(0, len(rows), 512):
            complaints.extend(result.complaint_prob >= threshold
                              for result in classifier.classify([row["text"] for row in rows[start:start + 512]]))
    tweets = [
        Tweet(datetime.strptime(row["created_at"], "%Y-%m-%d %H:%M:%S %z").astimezone(timezone.utc),
              row["airline"], row["label"] == 0, complaint)
        for row, complaint in zip(rows, complaints)
    ]
    return sorted(tweets, key=lambda tweet: tweet.at)


def hourly(times: Sequence[datetime], origin: datetime, hours: int) -> list[int]:
    """Counts per hour from ``origin``."""
    counts = [0] * hours
    for moment in times:
        counts[int((moment - origin) // HOUR)] += 1
    return counts


def ground_truth_bursts(counts: Sequence[int], origin: datetime) -> tuple[list[Burst], float]:
    """The bursts in hourly counts of labelled complaints, and the burst-hour threshold."""
    median = statistics.median(counts)
    mad = statistics.median(abs(count - median) for count in counts)
    threshold = max(median + ROBUST_SIGMAS * 1.4826 * mad, MIN_BURST_COUNT)
    bursts, run = [], []
    for index, count in enumerate([*counts, 0]):
        if count > threshold:
            run.append(index)
        elif run:
            bursts.append(Burst(origin + HOUR * run[0], origin + HOUR * (run[-1] + 1),
                                sum(counts[i] - median for i in run), max(counts[i] for i in run)))
            run = []
    return bursts, threshold


def early_warning_alerts(times: Sequence[datetime], start: datetime, detector: SpikeDetector) -> list[datetime]:
    """When the early-warning detector alerts, checked as each complaint arrives (as the daemon's job does)."""
    series = SeriesCounts.of(times)
    alerts: list[datetime] = []
    for now in times:
        if detector.check(series, now, watched_since=start, last_alert=alerts[-1] if alerts else None):
            alerts.append(now)
    return alerts


def huginn_alerts(counts: Sequence[int], origin: datetime) -> list[datetime]:
    """When Huginn's PeakDetectorAgent reports a peak, fed each hour's count as that hour ends."""
    data: list[tuple[float, datetime]] = []
    peaks: list[datetime] = []
    reported = []
    for index, count in enumerate(counts):
        received = origin + HOUR * (index + 1)
        data.append((float(count), received))
        data = [(value, at) for value, at in data if at > received - HUGINN_WINDOW]
        if len(data) > 4 and (not peaks or peaks[-1] < received - HUGINN_PEAK_SPACING):
            older = [value for value, _ in data[:-2]]
            mean = sum(older) / len(older)
            deviation = (sum((value - mean) ** 2 for value in older) / len(older)) ** 0.5
            newest, (second, second_at) = data[-1][0], data[-2]
            if newest < second and second > mean + HUGINN_STD_MULTIPLE * deviation:
                peaks.append(second_at)
                reported.append(received)
    return reported


@dataclass
class Score:
    """One detector's figures on one airline."""

    detections: list[datetime | None]
    false_alarms: int


def score(alerts: Sequence[datetime], bursts: Sequence[Burst], largest: Sequence[Burst]) -> Score:
    """First crediting alert per largest burst, and alerts that credit no burst at all."""
    detections = [next((alert for alert in alerts if burst.credits(alert)), None) for burst in largest]
    false_alarms = sum(1 for alert in alerts if not any(burst.credits(alert) for burst in bursts))
    return Score(detections, false_alarms)


def _lead(detected: datetime | None, burst: Burst) -> str:
    if detected is None:
        return "missed"
    minutes = (detected - burst.start).total_seconds() / 60
    return f"{detected:%m-%d %H:%M} ({minutes:+.0f} min)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print both detectors' figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default="embedded", choices=["embedded", "lexicon", "transformers", "labels"])
    parser.add_argument("--threshold", type=float, default=0.5, help="complaint probability that counts")
    parser.add_argument("--sensitivity", default="normal", choices=["low", "normal", "high"])
    parser.add_argument("--min-count", type=int, default=5)
    args = parser.parse_args(argv)
    began = time.monotonic()
    tweets = load_tweets(args.backend, args.threshold)
    origin = tweets[0].at.replace(minute=0, second=0, microsecond=0)
    end = tweets[-1].at
    hours = int((end - origin) // HOUR) + 1
    days = (end - tweets[0].at) / timedelta(days=1)
    agreement = sum(tweet.complaint == tweet.negative for tweet in tweets) / len(tweets)
    print(f"{len(tweets)} tweets, {tweets[0].at:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC ({days:.1f} days); "
          f"classifier {args.backend}: {sum(t.complaint for t in tweets)} complaints, "
          f"agrees with the negative label on {agreement:.1%}")
    print(f"Ground truth: a burst hour has more labelled-negative tweets than max({MIN_BURST_COUNT}, median + "
          f"{ROBUST_SIGMAS:g}·1.4826·MAD) of the airline's hourly counts; adjacent burst hours are one burst; the "
          f"{LARGEST} largest by complaints above the median are scored. An alert from an hour before a burst to an "
          f"hour after it detects it; any alert outside every burst is a false alarm. 'seen': the classifier's "
          f"complaints in the burst's hours / its labelled-negative tweets (what both detectors get to see).")
    settings = SpikeSettings(sensitivity=args.sensitivity, min_count=args.min_count)
    detector = SpikeDetector(settings)
    windows = "/".join(f"{window / timedelta(minutes=1):g}" for window in settings.windows)
    print(f"Early warning: windows {windows} min, rhythm scaled by the last {LEVEL_HOURS} h's level, sensitivity "
          f"{settings.sensitivity}, min count {settings.min_count}, cooldown {settings.cooldown / timedelta(minutes=1):g} "
          f"min, warm-up {settings.warmup / HOUR:g} h, checked as each complaint arrives.")
    print(f"3-sigma (Huginn PeakDetectorAgent): hourly counts, window {HUGINN_WINDOW.days} days, "
          f"{HUGINN_STD_MULTIPLE:g}·stddev, peak spacing {HUGINN_PEAK_SPACING.days} days, reported when the next "
          f"hour is lower.\n")
    totals = {"early": [0, 0, 0], "3sigma": [0, 0, 0]}  # earlier-or-only, detected, false alarms
    scored = no_more_alarms = 0
    header = f"{'airline':15} {'burst (UTC)':22} {'peak':>4} {'seen':>9}  {'early warning':24} {'3-sigma':24}"
    print(header)
    print("-" * len(header))
    airlines = sorted({tweet.airline for tweet in tweets})
    for airline in airlines:
        mine = [tweet for tweet in tweets if tweet.airline == airline]
        negatives = hourly([t.at for t in mine if t.negative], origin, hours)
        bursts, threshold = ground_truth_bursts(negatives, origin)
        largest = sorted(bursts, key=lambda burst: burst.excess, reverse=True)[:LARGEST]
        complaints = [tweet.at for tweet in mine if tweet.complaint]
        seen = hourly(complaints, origin, hours)
        early = score(early_warning_alerts(complaints, origin, detector), bursts, largest)
        classic = score(huginn_alerts(seen, origin), bursts, largest)
        scored += len(largest)
        for burst, ours, theirs in zip(largest, early.detections, classic.detections):
            hours_of = slice(int((burst.start - origin) // HOUR), int((burst.end - origin) // HOUR))
            print(f"{airline:15} {burst.start:%m-%d %H:%M}–{burst.end:%H:%M}{'':6} {burst.peak:4} "
                  f"{sum(seen[hours_of]):>4}/{sum(negatives[hours_of]):<4}  "
                  f"{_lead(ours, burst):24} {_lead(theirs, burst):24}")
            for name, found, other in (("early", ours, theirs), ("3sigma", theirs, ours)):
                totals[name][1] += found is not None
                totals[name][0] += found is not None and (other is None or found < other)
        print(f"{airline:15} {len(bursts)} bursts (burst hour > {threshold:.0f}); false alarms/day: "
              f"early warning {early.false_alarms / days:.2f}, 3-sigma {classic.false_alarms / days:.2f}")
        totals["early"][2] += early.false_alarms
        totals["3sigma"][2] += classic.false_alarms
        no_more_alarms += early.false_alarms <= classic.false_alarms
    print()
    for name, label in (("early", "early warning"), ("3sigma", "3-sigma")):
        first, found, alarms = totals[name]
        print(f"{label:14} detected {found} of the {scored} largest bursts, before the other detector on {first}; "
              f"false alarms {alarms} ({alarms / days / len(airlines):.2f} per airline-day)")
    print(f"early warning has no more false alarms per day than 3-sigma on {no_more_alarms} of {len(airlines)} airlines")
    print(f"\nruntime {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
