"""The early-warning job: new complaints → incidents → spike checks → alerts in the outbox; then spread.

Each complaint is checked at the moment it was posted, in order, so the job catches up exactly after
a pause, a restart or a fast replay, and finds a spike while it rises rather than when it is polled.
A spike alerts about the incident of the complaint that tipped it ("37 complaints in 15 min: app /
login / carga"); the incident is then followed up each time it doubles, never repeated: an alert's
key names the incident and its growth step, and the outbox keeps one alert per key. A run's incidents,
spike marks and alerts are saved in one transaction, so a crash can neither lose an alert (complaints
grouped, or a series' cooldown started, without it) nor repeat one.

Series watched per own brand: all its complaints, per source, and per topic (the concepts of
:mod:`alerts.early_warning.terms`: login, app, connection, billing...). A complaint's series are named
once, when it is grouped, and stored with it; a run reads back each series' complaints per hour of
the history (summed in SQL: the baseline) and ``(series, time, id)`` of only the last hour's, so its
memory does not grow with ``history_days`` or with the traffic in it.
"""

from __future__ import annotations

import copy
import heapq
import logging
import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from alerts.early_warning.incidents import (
    SAMPLES,
    Incident,
    IncidentGrouper,
    Sample,
    replied_posts,
)
from alerts.early_warning.spike import (
    SeriesCounts,
    Spike,
    SpikeDetector,
    SpikeSettings,
    hour_start,
)
from alerts.early_warning.spread import SpreadThresholds, spread_reasons
from listener.clock import Clock, system_clock
from listener.config import BrandConfig, EarlyWarningConfig
from listener.domain import Alert, StoredMention, incident_group
from listener.store import IncidentChange, IncidentRecord, Store

log = logging.getLogger(__name__)

RULE_SPIKE = "early-warning"
RULE_SPREAD = "spread"
BATCH = 5000


@dataclass
class EarlyWarningReport:
    """What one run did."""

    grouped: int = 0
    spikes: int = 0
    alerts_queued: int = 0
    escalated: int = 0
    incidents: list[Incident] = field(default_factory=list)


@dataclass(frozen=True)
class _SpikeSeen:
    """The first spike of a run on an incident: the spike, its series, and the incident as it was then."""

    spike: Spike
    series: str
    incident: Incident


def spike_settings(config: EarlyWarningConfig) -> SpikeSettings:
    """The spike detector's settings from the ``[early_warning]`` config."""
    return SpikeSettings(sensitivity=config.sensitivity, min_count=config.min_count,
                         cooldown=timedelta(minutes=config.cooldown_minutes), history=timedelta(days=config.history_days),
                         warmup=timedelta(hours=config.warmup_hours), timezone=ZoneInfo(config.timezone))


def growth_step(size: int, min_count: int) -> int:
    """The growth step of an incident of ``size``: 1 up to twice ``min_count``, then one more per doubling."""
    return 1 + max(int(math.log2(max(size, 1) / min_count)), 0)


class EarlyWarningJob:
    """Runs early warning over what the store holds.

    Example::

        >>> job = EarlyWarningJob(store, settings.early_warning, settings.brands, clock=clock)
        >>> report = job.run()
        >>> report.spikes, report.alerts_queued
        (1, 2)
    """

    def __init__(self, store: Store, config: EarlyWarningConfig, brands: Sequence[BrandConfig], *,
                 clock: Clock = system_clock) -> None:
        self._store = store
        self._config = config
        self._clock = clock
        self._own = {brand.name for brand in brands if not brand.competitor}
        names = [name for brand in brands for name in brand.names()]
        self._window = timedelta(minutes=config.incident_window_minutes)
        self._grouper = IncidentGrouper(names, window=self._window, threshold=config.similarity_threshold)
        self._detector = SpikeDetector(spike_settings(config))
        self._spread = SpreadThresholds(config.spread_likes_per_hour, config.spread_reposts_per_hour,
                                        config.spread_replies_per_hour, config.spread_reach)

    def run(self) -> EarlyWarningReport:
        """Group new complaints, alert on spikes and incident growth, escalate spreading complaints."""
        report = EarlyWarningReport()
        history = self._detector.settings.history
        self._name_series_of_older_complaints()
        new = self._store.ungrouped_complaints(self._clock() - history, self._config.complaint_threshold, BATCH)
        if new:
            self._group_and_check(new, report)
        self._escalate_spread(report)
        if report.grouped or report.spikes or report.alerts_queued or report.escalated:  # not every idle minute
            log.info("early warning run", extra={"grouped": report.grouped, "spikes": report.spikes,
                                                 "alerts": report.alerts_queued, "escalated": report.escalated})
        return report

    # -- incidents and spikes ---------------------------------------------------------------------

    def _group_and_check(self, new: list[StoredMention], report: EarlyWarningReport) -> None:
        incidents = self._open_incidents(new)
        names_of = {stored.id: self._series_names(stored) for stored in new}
        series, series_ids = self._series(new, names_of)
        incident_of = {member: incident for incident in incidents for member in incident.known_ids}
        marks = self._store.spike_marks()
        new_marks: dict[str, datetime] = {}
        started = {brand: self._store.first_posted(brand) for brand in {s.mention.brand for s in new}}
        started_on = {(brand, source): self._store.first_posted(brand, source)
                      for brand, source in {(s.mention.brand, s.mention.source) for s in new}}
        spiked: dict[int, _SpikeSeen] = {}
        for stored in new:
            incident_of[stored.id] = self._grouper.assign(incidents, stored)
            brand, at = stored.mention.brand, stored.mention.created_at
            if brand not in self._own:
                continue
            for name in names_of[stored.id]:
                # A source added later is watched from its own first post: the days before it was polled
                # are no silence of its series.
                since = started_on[brand, stored.mention.source] if name == _source_series(stored) else started[brand]
                spike = self._detector.check(series[name], at, watched_since=since or at, last_alert=marks.get(name))
                if spike is not None:
                    marks[name] = new_marks[name] = at
                    incident = _main_incident(series[name].times, series_ids[name], spike, incident_of)
                    if id(incident) not in spiked:
                        spiked[id(incident)] = _SpikeSeen(spike, name, copy.deepcopy(incident))
                    report.spikes += 1
                    log.info("spike", extra={"series": name, "observed": spike.observed,
                                             "expected": round(spike.expected, 2), "mention": stored.id})
        changes = [self._change(incident, spiked.get(id(incident))) for incident in incidents]
        ids, added = self._store.save_incidents(changes, new_marks, names_of)
        for incident, incident_id in zip(incidents, ids):
            incident.id = incident_id
        report.alerts_queued += added
        report.grouped += len(new)
        report.incidents = incidents

    def _open_incidents(self, new: list[StoredMention]) -> list[Incident]:
        """The open incidents the ``new`` complaints can join, as grouping left them: from their stored terms
        (with their members of the last hour before the first new complaint, which a spike's window can
        hold, and those the new ones reply to), or (saved before terms were stored) from their members'
        texts again."""
        first = new[0].mention.created_at
        found = self._store.open_incidents(first - self._window, first - max(self._detector.settings.windows), SAMPLES)
        replied = self._store.incident_posts([open_one.record.id for open_one in found if open_one.record.id],
                                             [post for stored in new for post in replied_posts(stored)])
        incidents = []
        for open_one in found:
            record = open_one.record
            incident = Incident(record.brand, record.first_seen, record.last_seen, id=record.id,
                                alerted_step=record.alerted_step)
            if record.terms is None:
                for stored in self._store.incident_members(record.id):
                    incident.add(stored, self._grouper.terms(stored.mention.text))
            else:
                incident.restore(record.size, open_one.recent_ids,
                                 [(source, post) for member_of, source, post in replied if member_of == record.id],
                                 record.sources, record.terms, record.surfaces or {},
                                 [Sample(member, text, self._grouper.terms(text).counts)
                                  for member, text in open_one.samples])
            incidents.append(incident)
        return incidents

    def _series(self, new: list[StoredMention], names_of: dict[int, list[str]]
                ) -> tuple[dict[str, SeriesCounts], dict[str, list[int]]]:
        """The series the ``new`` complaints are in, as the detector reads them up to the last of them: their
        hourly counts over the history before the first, and the times (with mention ids, in the same order)
        from the longest window before the first; the grouped complaints' stored series, and the new ones'."""
        series: dict[str, SeriesCounts] = {}
        ids: dict[str, list[int]] = {}
        settings = self._detector.settings
        first, last = new[0].mention.created_at, new[-1].mention.created_at
        for brand in {stored.mention.brand for stored in new} & self._own:
            ours = [stored for stored in new if stored.mention.brand == brand]
            wanted = {name for stored in ours for name in names_of[stored.id]}
            threshold = self._config.complaint_threshold
            for name, hour, count in self._store.complaint_series_hourly(brand, first - settings.history, last,
                                                                         threshold, wanted):
                series.setdefault(name, SeriesCounts()).hourly[hour] = count
            grouped = self._store.complaint_series(brand, first - max(settings.windows), last, threshold, wanted)
            fresh = [(name, stored.mention.created_at, stored.id) for stored in ours for name in names_of[stored.id]]
            for name, at, _ in fresh:
                series.setdefault(name, SeriesCounts()).hourly[hour_start(at)] += 1
            for name, at, mention_id in heapq.merge(grouped, fresh, key=lambda row: (row[1], row[2])):
                series[name].times.append(at)
                ids.setdefault(name, []).append(mention_id)
        return series, ids

    def _series_names(self, stored: StoredMention) -> list[str]:
        brand = stored.mention.brand
        topics = self._grouper.terms(stored.mention.text).concepts
        return [brand, _source_series(stored), *(f"{brand}/topic:{topic}" for topic in topics)]

    def _name_series_of_older_complaints(self) -> None:
        """Store the series of complaints grouped before series were stored (a database migrated to v4)."""
        while older := self._store.complaints_without_series(BATCH):
            self._store.save_complaint_series({stored.id: self._series_names(stored) for stored in older})
            log.info("complaint series named", extra={"complaints": len(older)})

    def _change(self, incident: Incident, spiked: _SpikeSeen | None) -> IncidentChange:
        """The incident to save, with its alerts: the first on a spike, a follow-up when it grew a step.

        The first alert describes the incident as it was when the spike was seen, and growth since then
        is a follow-up, so a run that catches up on hours of complaints alerts as the live job would
        have. A spike on an incident already alerted is growth at most.
        """
        messages: list[tuple[int, Incident, str, tuple[str, ...]]] = []  # step, incident as of, title, lead
        if spiked is not None and not incident.alerted_step:
            seen, spike = spiked.incident, spiked.spike
            minutes = int(spike.window.total_seconds() // 60)
            incident.alerted_step = growth_step(seen.size, self._config.min_count)
            messages.append((incident.alerted_step, seen,
                             f"{incident.brand}: {spike.observed} {_complaints_of(spiked.series)} in {minutes} min: "
                             f"{seen.title}",
                             (f"spike on {spiked.series}: {spike.describe()}",)))
        step = growth_step(incident.size, self._config.min_count)
        if incident.alerted_step and step > incident.alerted_step:
            incident.alerted_step = step
            messages.append((step, incident,
                             f"{incident.brand}: incident grows to {incident.size} complaints: {incident.title}", ()))

        def alerts(incident_id: int) -> list[Alert]:
            built: list[Alert] = []
            for step, version, title, lead in messages:
                version.id = incident_id
                built += self._alerts(version, step, title, lead)
            return built

        return IncidentChange(self._record(incident), incident.added_ids, alerts)

    @staticmethod
    def _record(incident: Incident) -> IncidentRecord:
        return IncidentRecord(incident.id, incident.brand, incident.title, incident.first_seen, incident.last_seen,
                              incident.size, dict(incident.sources), incident.alerted_step, dict(incident.terms),
                              {term: dict(surfaces) for term, surfaces in incident.surfaces.items()},
                              [sample.id for sample in incident.samples])

    def _alerts(self, incident: Incident, step: int, title: str, lead: tuple[str, ...]) -> list[Alert]:
        """The incident's alerts, one per channel: ``lead`` and the incident's facts as reasons, showing its
        first sample (the post most like it) and listing the others as similar."""
        shown = incident.samples
        sources = ", ".join(f"{source} {count}" for source, count in incident.sources.most_common())
        reasons = (*lead, f"incident #{incident.id}: {incident.size} complaints, first "
                          f"{incident.first_seen:%Y-%m-%d %H:%M}, last {incident.last_seen:%H:%M} UTC; sources: {sources}",
                   *(f"similar: {sample.text}" for sample in shown[1:]))
        return [Alert(key=f"incident:{incident.id}:step:{step}:{channel}", channel=channel, brand=incident.brand,
                      rule=RULE_SPIKE, severity="high", title=title, reasons=reasons,
                      mention_id=shown[0].id if shown else None, created_at=self._clock(),
                      group=incident_group(incident.brand, incident.id))
                for channel in self._config.channels]

    # -- spread -----------------------------------------------------------------------------------

    def _escalate_spread(self, report: EarlyWarningReport) -> None:
        since = self._clock() - timedelta(hours=self._config.spread_lookback_hours)
        for observation in self._store.spread_candidates(since, self._config.complaint_threshold):
            mention = observation.stored.mention
            reasons = spread_reasons(observation, self._spread) if mention.brand in self._own else []
            if reasons:
                who = f"@{mention.author_handle}" if mention.author_handle else "someone"
                alerts = [Alert(key=f"spread:{observation.stored.id}:{channel}", channel=channel, brand=mention.brand,
                                rule=RULE_SPREAD, severity="critical",
                                title=f"{mention.brand}: complaint from {who} on {mention.source} is spreading",
                                reasons=tuple(reasons), mention_id=observation.stored.id,
                                created_at=self._clock())
                          for channel in self._config.channels]
                report.alerts_queued += self._store.enqueue_alerts([], alerts)
                report.escalated += 1
                log.info("complaint spreading", extra={"mention": observation.stored.id, "reasons": reasons})
            self._store.watch_spread(observation, escalated=bool(reasons))


def _complaints_of(series: str) -> str:
    """What a spike's count counts, from its series' name: ``'complaints'`` for the brand's whole volume,
    ``'complaints on reddit'`` for a source's, ``'complaints about app'`` for a topic's (so that a topic's
    count is not read as the incident's size when the incident holds only some of them)."""
    _, _, part = series.rpartition("/")
    kind, _, value = part.partition(":")
    return {"source": f"complaints on {value}", "topic": f"complaints about {value}"}.get(kind, "complaints")


def _source_series(stored: StoredMention) -> str:
    """The name of the series of ``stored``'s brand on its source."""
    return f"{stored.mention.brand}/source:{stored.mention.source}"


def _main_incident(times: list[datetime], ids: list[int], spike: Spike, incident_of: dict[int, Incident]) -> Incident:
    """The incident holding most of the complaints in the spike's window: what the spike is about."""
    start, end = bisect_right(times, spike.at - spike.window), bisect_right(times, spike.at)
    counts = Counter(id(incident_of[i]) for i in ids[start:end] if i in incident_of)
    chosen = counts.most_common(1)[0][0]
    return next(incident for incident in incident_of.values() if id(incident) == chosen)
