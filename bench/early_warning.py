"""Early-warning benchmark: replay the real US airline tweets (February 2015) and compare spike detectors.

Usage::

    python bench/early_warning.py                    # the embedded classifier
    python bench/early_warning.py --backend lexicon  # when the embedded model is not trained yet
    python bench/early_warning.py --backend labels   # the human labels as complaints: a perfect classifier,
                                                     # to tell the detectors' misses from the classifier's

Every tweet of ``../shared/data/airline_us`` (train and dev) is classified with the project's
classifier and replayed in timestamp order. Per airline, two detectors watch the stream of tweets the
classifier calls complaints:

* early warning's spike detector (``alerts.early_warning.spike``) on the airline's complaints, checked as
  each complaint arrives, as the job does;
* the early-warning job itself (``alerts.early_warning.job``), as the daemon runs it: every tweet saved in a
  real SQLite store with its classification, the job run every ``interval_seconds`` of replay time, its
  series (the brand's complaints, per source and per topic) and incidents; an alarm is the first alert
  about an incident (the follow-ups as it grows are not counted);
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
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alerts.early_warning.job import RULE_SPIKE, EarlyWarningJob, spike_settings
from alerts.early_warning.spike import (
    LEVEL_HOURS,
    SeriesCounts,
    SpikeDetector,
)
from listener.config import BrandConfig, ClassifierConfig, EarlyWarningConfig
from listener.domain import Classification, Mention
from listener.store import Store
from models.factory import load_classifier

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
    """One replayed tweet: its id and text, when, which airline, the human label and the classifier's verdict."""

    id: str
    text: str
    at: datetime
    airline: str
    negative: bool
    classification: Classification
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


def _label_as_classification(label: int) -> Classification:
    """The human sentiment label as a perfect classifier would give it: negative is a complaint."""
    probs = tuple(float(label == index) for index in range(3))
    return Classification("en", ("negative", "neutral", "positive")[label], probs, probs[0], model="labels")


def load_tweets(backend: str, threshold: float) -> list[Tweet]:
    """Every train and dev tweet, classified (``backend="labels"``: its human label), oldest first."""
    rows = [json.loads(line) for name in ("train.jsonl", "dev.jsonl")
            for line in (DATA / name).read_text(encoding="utf-8").split("\n") if line]
    if backend == "labels":
        results = [_label_as_classification(row["label"]) for row in rows]
    else:
        classifier = load_classifier(ClassifierConfig(backend=backend))
        results = []
        for start in range(0, len(rows), 512):
            results.extend(classifier.classify([row["text"] for row in rows[start:start + 512]]))
    tweets = [
        Tweet(row["id"], row["text"],
              datetime.strptime(row["created_at"], "%Y-%m-%d %H:%M:%S %z").astimezone(timezone.utc),
              row["airline"], row["label"] == 0, result, result.complaint_prob >= threshold)
        for row, result in zip(rows, results)
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


class _ReplayClock:
    """The replay's clock: the job, the store and its alerts read the time from it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def job_alarms(tweets: Sequence[Tweet], config: EarlyWarningConfig) -> Mapping[str, list[datetime]]:
    """Per airline, when the early-warning job first alerts about each incident, run as the daemon runs it.

    Each tick of ``config.interval_seconds`` saves the tweets posted in it (with their classifications)
    to a real store, then runs the job when any of them is a complaint (a run without a new complaint
    checks nothing). Alerts are read back from the store's outbox.
    """
    interval = timedelta(seconds=config.interval_seconds)
    ticks: dict[datetime, list[Tweet]] = {}
    for tweet in tweets:
        ticks.setdefault(tweet.at - (tweet.at - tweets[0].at) % interval + interval, []).append(tweet)
    clock = _ReplayClock(tweets[0].at)
    alarms: dict[str, list[datetime]] = {}
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "replay.db", clock)
        job = EarlyWarningJob(store, config, [BrandConfig(name=name) for name in sorted({t.airline for t in tweets})],
                              clock=clock)
        for tick, due in ticks.items():
            clock.now = tick
            store.save_batch("x", [Mention("x", tweet.id, tweet.text, tweet.at, tweet.airline) for tweet in due])
            store.save_classifications((store.mention_by_key("x", tweet.id).id, tweet.classification)  # type: ignore[union-attr]
                                       for tweet in due)
            if any(tweet.complaint for tweet in due):
                job.run()
        alerted: set[str | None] = set()
        for stored in sorted(store.alerts(), key=lambda stored: stored.id):
            if stored.alert.rule == RULE_SPIKE and stored.alert.group not in alerted:
                alerted.add(stored.alert.group)
                alarms.setdefault(stored.alert.brand, []).append(stored.alert.created_at)  # type: ignore[arg-type]
        store.close()
    return alarms


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
    """Run the benchmark and print the detectors' figures."""
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
          f"complaints in the burst's hours / its labelled-negative tweets (what the detectors get to see).")
    config = EarlyWarningConfig(enabled=True, channels=["bench"], complaint_threshold=args.threshold,
                                sensitivity=args.sensitivity, min_count=args.min_count)
    settings = spike_settings(config)
    detector = SpikeDetector(settings)
    windows = "/".join(f"{window / timedelta(minutes=1):g}" for window in settings.windows)
    print(f"Spike detector: the airline's complaints, windows {windows} min, rhythm scaled by the last {LEVEL_HOURS} "
          f"h's level, sensitivity {settings.sensitivity}, min count {settings.min_count}, cooldown "
          f"{settings.cooldown / timedelta(minutes=1):g} min, warm-up {settings.warmup / HOUR:g} h, checked as each "
          f"complaint arrives.")
    print(f"Job: the same detector on the airline's complaints, per source and per topic, with incidents, run every "
          f"{config.interval_seconds:g} s of replay time on a SQLite store; an alarm is its first alert about an "
          f"incident.")
    print(f"3-sigma (Huginn PeakDetectorAgent): hourly counts, window {HUGINN_WINDOW.days} days, "
          f"{HUGINN_STD_MULTIPLE:g}·stddev, peak spacing {HUGINN_PEAK_SPACING.days} days, reported when the next "
          f"hour is lower.\n")
    job = job_alarms(tweets, config)
    names = ("spike detector", "job", "3-sigma")
    detected = dict.fromkeys(names, 0)
    before_3sigma = dict.fromkeys(names[:2], 0)
    false_alarms = dict.fromkeys(names, 0)
    no_more_alarms = dict.fromkeys(names[:2], 0)
    scored = 0
    header = (f"{'airline':15} {'burst (UTC)':22} {'peak':>4} {'seen':>9}  "
              + " ".join(f"{name:24}" for name in names))
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
        scores = dict(zip(names, (score(early_warning_alerts(complaints, origin, detector), bursts, largest),
                                  score(job.get(airline, []), bursts, largest),
                                  score(huginn_alerts(seen, origin), bursts, largest))))
        scored += len(largest)
        for index, burst in enumerate(largest):
            hours_of = slice(int((burst.start - origin) // HOUR), int((burst.end - origin) // HOUR))
            found = {name: scores[name].detections[index] for name in names}
            print(f"{airline:15} {burst.start:%m-%d %H:%M}–{burst.end:%H:%M}{'':6} {burst.peak:4} "
                  f"{sum(seen[hours_of]):>4}/{sum(negatives[hours_of]):<4}  "
                  + " ".join(f"{_lead(found[name], burst):24}" for name in names))
            classic = found["3-sigma"]
            for name in names:
                detected[name] += found[name] is not None
            for name in before_3sigma:
                before_3sigma[name] += found[name] is not None and (classic is None or found[name] < classic)
        print(f"{airline:15} {len(bursts)} bursts (burst hour > {threshold:.0f}); false alarms/day: "
              + ", ".join(f"{name} {scores[name].false_alarms / days:.2f}" for name in names))
        for name in names:
            false_alarms[name] += scores[name].false_alarms
        for name in no_more_alarms:
            no_more_alarms[name] += scores[name].false_alarms <= scores["3-sigma"].false_alarms
    print()
    for name in names:
        earlier = f", before 3-sigma on {before_3sigma[name]}" if name in before_3sigma else ""
        print(f"{name:14} detected {detected[name]} of the {scored} largest bursts{earlier}; "
              f"false alarms {false_alarms[name]} ({false_alarms[name] / days / len(airlines):.2f} per airline-day)")
    for name, count in no_more_alarms.items():
        print(f"{name} has no more false alarms per day than 3-sigma on {count} of {len(airlines)} airlines")
    print(f"\nruntime {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
