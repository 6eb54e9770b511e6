"""The digest's figures, read from the store with read-only SQL.

A *complaint* is a classified mention whose ``complaint_prob`` reaches the brand's alert threshold:
the lowest ``complaint_threshold`` of the alert rules that cover the brand, or 0.5 when none does.
Competitors are measured with the digest brand's threshold, so their complaint rates compare.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from alerts.digest.topics import TopicTaxonomy
from alerts.digest.window import BASELINE_DAYS, DayWindow
from alerts.message import reach_label
from listener.config import Settings
from listener.domain import INCIDENT_GROUP_MARK, SENTIMENTS
from listener.store import Store

DEFAULT_COMPLAINT_THRESHOLD = 0.5
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Row:
    """Mentions and complaints of one group on the day, and its daily average over the days before."""

    name: str
    mentions: int
    complaints: int
    mentions_before: float | None
    complaints_before: float | None


@dataclass(frozen=True)
class Bucket:
    """Mentions and complaints in one hour (``start`` is local) or on one day."""

    start: datetime | date
    mentions: int
    complaints: int


@dataclass(frozen=True)
class TopicCount:
    """Complaints about one topic on the day, and the daily average over the days before (``None``:
    no history yet)."""

    topic: str
    complaints: int
    complaints_before: float | None


@dataclass(frozen=True)
class SentimentShare:
    """How many classified mentions had one sentiment, and their share then and before."""

    sentiment: str
    count: int
    share: float
    share_before: float | None


@dataclass(frozen=True)
class TopComplaint:
    """One of the day's complaints with the widest reach."""

    mention_id: int
    source: str
    posted_at: datetime
    author: str
    reach: int | None
    text: str
    url: str | None
    lang: str
    complaint_prob: float
    topics: tuple[str, ...]

    @property
    def reach_label(self) -> str:
        """What its reach counts: an author's followers, or (Reddit) the subreddit's subscribers."""
        return reach_label(self.source)


@dataclass(frozen=True)
class Acknowledgements:
    """Of the day's mentions that raised alerts (not only ones quiet hours held): how many someone
    acknowledged, and how fast."""

    alerted: int
    acknowledged: int
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class BrandShare:
    """One brand's share of the day's mentions and its complaint rate, for the side-by-side table."""

    name: str
    competitor: bool
    mentions: int
    complaints: int
    share_of_voice: float
    complaint_rate: float


@dataclass(frozen=True)
class HeldAlert:
    """A mention whose alerts quiet hours held back for the digest."""

    mention_id: int
    severity: str
    title: str
    created_at: datetime
    url: str | None
    text: str


@dataclass(frozen=True)
class LateDay:
    """Posts of an earlier day first seen only after that day's digest time (a late poll, a first poll looking
    back, a catch-up after an outage, an import of old files), counted in the first digest made after they were
    seen."""

    day: date
    mentions: int
    complaints: int


@dataclass(frozen=True)
class DayIncident:
    """An early-warning incident of the brand active on the day: similar complaints grouped together.

    ``first_seen`` and ``last_seen`` are local; ``sources`` holds complaints per source, most first;
    ``spike_alert`` says whether the incident raised a spike alert.
    """

    incident_id: int
    title: str
    size: int
    first_seen: datetime
    last_seen: datetime
    sources: tuple[tuple[str, int], ...]
    spike_alert: bool


@dataclass(frozen=True)
class DigestFigures:
    """Everything the digest shows for one brand and one day; lists are bounded by ``top_n``."""

    brand: str
    locale: str
    window: DayWindow
    threshold: float
    top_n: int
    totals: Row
    sources: list[Row]
    languages: list[Row]
    sentiment: list[SentimentShare]
    hourly: list[Bucket]
    trend: list[Bucket]
    top_complaints: list[TopComplaint]
    topics: list[TopicCount]
    topics_total: int
    acknowledgements: Acknowledgements
    brands: list[BrandShare]
    held: list[HeldAlert]
    held_total: int
    late: list[LateDay]
    late_days_total: int
    late_mentions: int
    late_complaints: int
    unclassified: int
    incidents: list[DayIncident]
    incidents_total: int
    incidents_before: float | None
    history_days: int
    incident_threshold: float

    @property
    def empty(self) -> bool:
        """Whether nobody mentioned the brand on the day."""
        return self.totals.mentions == 0


def complaint_threshold(settings: Settings, brand: str) -> float:
    """The lowest complaint threshold of the alert rules covering ``brand`` (0.5 when none sets one)."""
    thresholds = [
        rule.complaint_threshold
        for rule in settings.alerts.rules
        if rule.complaint_threshold is not None and ("*" in rule.brands or brand in rule.brands)
    ]
    return min(thresholds, default=DEFAULT_COMPLAINT_THRESHOLD)


@dataclass(frozen=True)
class _Mention:
    created_at: datetime
    day: date
    source: str
    lang: str
    sentiment: str | None
    complaint: bool
    text: str | None
    classified: bool


def collect_figures(store: Store, settings: Settings, brand: str, window: DayWindow) -> DigestFigures:
    """The digest's figures for ``brand`` on ``window``'s day.

    The day's mentions the classifier has not read yet (stored by a poll it has not caught up with, or while it
    is down) count as mentions and not as complaints; ``unclassified`` says how many, so the complaint figures
    are not read as complete.

    What quiet hours held is counted by when it was held, from ``digest.time`` on the day to ``digest.time``
    the next day: the night after the day belongs to the digest sent the next morning, and to no other.

    Example::

        >>> figures = collect_figures(store, settings, "Lumora", DayWindow(date(2026, 11, 19), zone))
        >>> figures.totals.complaints
        42
    """
    config = next((b for b in settings.brands if b.name == brand), None)
    if config is None:
        known = ", ".join(b.name for b in settings.brands)
        raise ValueError(f"no brand named {brand!r} in the config; known brands: {known}")
    threshold = complaint_threshold(settings, brand)
    top_n = settings.digest.top_n
    taxonomy = TopicTaxonomy(settings.digest.brand_topics.get(brand, settings.digest.topics))
    mentions = _mentions(store, brand, window, threshold)
    held_since, held_until = window.from_time_of_day(time.fromisoformat(settings.digest.time))
    today = [m for m in mentions if m.day == window.day]
    before = [m for m in mentions if m.day != window.day]
    days = _history_days(store, brand, window)
    late = _late(store, brand, window, threshold, held_since, held_until)
    incidents, incidents_total, incidents_before = _incidents(store, brand, window, top_n, days)
    topics = _topics(today, before, days, taxonomy)
    return DigestFigures(
        brand=brand,
        locale=config.locale,
        window=window,
        threshold=threshold,
        top_n=top_n,
        totals=_rows(today, before, days, lambda m: "all")[0] if mentions else Row("all", 0, 0, *_averages(days, 0, 0)),
        sources=_rows(today, before, days, lambda m: m.source),
        languages=_rows(today, before, days, lambda m: m.lang)[:top_n],
        sentiment=_sentiment(today, before),
        hourly=_hourly(today, window),
        trend=_trend(mentions, window),
        top_complaints=_top_complaints(store, brand, window, threshold, taxonomy, top_n),
        topics=topics[:top_n],
        topics_total=len(topics),
        acknowledgements=_acknowledgements(store, brand, window),
        brands=_brands(store, settings, window, threshold),
        held=_held(store, brand, window.zone, held_since, held_until, top_n),
        held_total=_held_total(store, brand, held_since, held_until),
        late=late[:top_n],
        late_days_total=len(late),
        late_mentions=sum(day.mentions for day in late),
        late_complaints=sum(day.complaints for day in late),
        unclassified=sum(1 for m in today if not m.classified),
        incidents=incidents,
        incidents_total=incidents_total,
        incidents_before=incidents_before,
        history_days=days,
        incident_threshold=settings.early_warning.complaint_threshold,
    )


def _query(store: Store, sql: str, params: Iterable[Any]) -> list[dict[str, Any]]:
    cursor = store.db.execute(sql, list(params))
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _mentions(store: Store, brand: str, window: DayWindow, threshold: float) -> list[_Mention]:
    rows = _query(
        store,
        """SELECT m.created_at, m.source, COALESCE(c.lang, m.lang, ?) AS lang, c.sentiment,
                  COALESCE(c.complaint_prob >= ?, 0) AS complaint,
                  CASE WHEN c.complaint_prob >= ? THEN m.text END AS text, c.mention_id IS NOT NULL AS classified
           FROM mentions m LEFT JOIN classifications c ON c.mention_id = m.id
           WHERE m.brand = ? AND m.created_at >= ? AND m.created_at < ?""",
        (UNKNOWN, threshold, threshold, brand, _iso(window.baseline_start), _iso(window.end)),
    )
    found = []
    for row in rows:
        created = datetime.fromisoformat(row["created_at"])
        found.append(_Mention(created, window.local_day(created), row["source"], row["lang"] or UNKNOWN,
                              row["sentiment"], bool(row["complaint"]), row["text"], bool(row["classified"])))
    return found


def _history_days(store: Store, brand: str, window: DayWindow) -> int:
    """How many of the days before the day the store has heard of the brand on (at most
    ``BASELINE_DAYS``): the averages divide by these, not by days before the first mention."""
    first = store.db.execute("SELECT MIN(created_at) FROM mentions WHERE brand = ?", [brand]).fetchone()[0]
    if first is None:
        return 0
    return max(0, min(BASELINE_DAYS, (window.day - window.local_day(datetime.fromisoformat(first))).days))


def _averages(days: int, *totals: float) -> tuple[float | None, ...]:
    """Each total as a daily average over ``days``; ``None`` when there is no day to average."""
    return tuple(total / days if days else None for total in totals)


def _rows(today: list[_Mention], before: list[_Mention], days: int, key: Callable[[_Mention], str]) -> list[Row]:
    """One row per value of ``key``, most mentioned on the day first."""
    counts: dict[str, list[int]] = {}
    for index, group in enumerate((today, before)):
        for mention in group:
            slot = counts.setdefault(key(mention), [0, 0, 0, 0])
            slot[2 * index] += 1
            slot[2 * index + 1] += mention.complaint
    rows = [Row(name, m, c, *_averages(days, mb, cb)) for name, (m, c, mb, cb) in counts.items()]
    return sorted(rows, key=lambda row: (-row.mentions, -(row.mentions_before or 0), row.name))


def _sentiment(today: list[_Mention], before: list[_Mention]) -> list[SentimentShare]:
    def shares(group: list[_Mention]) -> tuple[Counter[str], int]:
        counts = Counter(m.sentiment for m in group if m.sentiment is not None)
        return counts, sum(counts.values())

    now_counts, now_total = shares(today)
    before_counts, before_total = shares(before)
    return [
        SentimentShare(s, now_counts[s], now_counts[s] / now_total if now_total else 0.0,
                       before_counts[s] / before_total if before_total else None)
        for s in SENTIMENTS
    ]


def _hourly(today: list[_Mention], window: DayWindow) -> list[Bucket]:
    hours = window.hours()
    mentions, complaints = [0] * len(hours), [0] * len(hours)
    for mention in today:
        index = window.hour_index(mention.created_at)
        mentions[index] += 1
        complaints[index] += mention.complaint
    return [Bucket(start, m, c) for start, m, c in zip(hours, mentions, complaints)]


def _trend(mentions: list[_Mention], window: DayWindow) -> list[Bucket]:
    per_day = Counter(m.day for m in mentions)
    complaints_per_day = Counter(m.day for m in mentions if m.complaint)
    return [Bucket(day, per_day[day], complaints_per_day[day]) for day in window.days()]


def _topics(today: list[_Mention], before: list[_Mention], days: int, taxonomy: TopicTaxonomy) -> list[TopicCount]:
    def count(group: list[_Mention]) -> Counter[str]:
        return Counter(topic for m in group if m.complaint for topic in taxonomy.topics_of(m.text or ""))

    now_counts, before_counts = count(today), count(before)
    rows = [TopicCount(name, now_counts[name], *_averages(days, before_counts[name])) for name in taxonomy.names]
    return sorted((row for row in rows if row.complaints or row.complaints_before),
                  key=lambda row: (-row.complaints, -(row.complaints_before or 0), row.topic))


def _top_complaints(store: Store, brand: str, window: DayWindow, threshold: float, taxonomy: TopicTaxonomy,
                    limit: int) -> list[TopComplaint]:
    rows = _query(
        store,
        """SELECT m.id, m.source, m.created_at, m.author_handle, m.author_name, m.author_reach, m.text, m.url,
                  COALESCE(c.lang, m.lang, ?) AS lang, c.complaint_prob
           FROM mentions m JOIN classifications c ON c.mention_id = m.id
           WHERE m.brand = ? AND m.created_at >= ? AND m.created_at < ? AND c.complaint_prob >= ?
           ORDER BY COALESCE(m.author_reach, 0) DESC, m.likes + m.reposts + m.replies + m.quotes DESC, m.id
           LIMIT ?""",
        (UNKNOWN, brand, _iso(window.start), _iso(window.end), threshold, limit),
    )
    return [
        TopComplaint(
            mention_id=row["id"], source=row["source"],
            posted_at=datetime.fromisoformat(row["created_at"]).astimezone(window.zone),
            author=_author(row["author_handle"], row["author_name"]), reach=row["author_reach"],
            text=row["text"], url=_link(row["url"]), lang=row["lang"], complaint_prob=row["complaint_prob"],
            topics=tuple(taxonomy.topics_of(row["text"])),
        )
        for row in rows
    ]


def _link(url: str | None) -> str | None:
    """``url`` if it is a web address; a post's other schemes (``javascript:``) are never linked."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _author(handle: str | None, name: str | None) -> str:
    if handle:
        return f"@{handle}"
    return name or UNKNOWN


def _acknowledgements(store: Store, brand: str, window: DayWindow) -> Acknowledgements:
    # Alerts of one mention on several channels are acknowledged together: count mentions, and time
    # each from its first delivery (or, if never delivered, its creation) to its first acknowledgement.
    # An incident's alerts are acknowledged apart from those of the post they show (as `listener ack`
    # does), so an incident is a unit of its own, not its post's. An alert quiet hours held alerted
    # nobody (the digest lists it apart), so it is not one waiting for an acknowledgement.
    rows = _query(
        store,
        """SELECT MIN(COALESCE(a.sent_at, a.created_at)) AS alerted_at, MIN(k.acknowledged_at) AS acknowledged_at
           FROM alerts a JOIN mentions m ON m.id = a.mention_id
           LEFT JOIN acknowledgements k ON k.alert_id = a.id
           WHERE a.brand = ? AND m.created_at >= ? AND m.created_at < ? AND a.status <> 'held'
           GROUP BY CASE WHEN instr(COALESCE(a.group_key, ''), ?) > 0 THEN a.group_key ELSE a.mention_id END""",
        (brand, _iso(window.start), _iso(window.end), INCIDENT_GROUP_MARK),
    )
    delays = sorted(
        max((datetime.fromisoformat(row["acknowledged_at"]) - datetime.fromisoformat(row["alerted_at"])).total_seconds(), 0.0)
        for row in rows if row["acknowledged_at"] is not None
    )
    return Acknowledgements(
        alerted=len(rows),
        acknowledged=len(delays),
        median_seconds=statistics.median(delays) if delays else None,
        p90_seconds=nearest_rank(delays, 0.9) if delays else None,
    )


def nearest_rank(ordered: list[float], fraction: float) -> float:
    """The nearest-rank percentile of sorted, non-empty ``ordered``: a value that really occurred.

    Example::

        >>> nearest_rank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)
        9
    """
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1]


def _brands(store: Store, settings: Settings, window: DayWindow, threshold: float) -> list[BrandShare]:
    rows = _query(
        store,
        """SELECT m.brand, COUNT(*) AS mentions, SUM(COALESCE(c.complaint_prob >= ?, 0)) AS complaints
           FROM mentions m LEFT JOIN classifications c ON c.mention_id = m.id
           WHERE m.created_at >= ? AND m.created_at < ? GROUP BY m.brand""",
        (threshold, _iso(window.start), _iso(window.end)),
    )
    counts = {row["brand"]: (row["mentions"], row["complaints"]) for row in rows}
    total = sum(counts.get(b.name, (0, 0))[0] for b in settings.brands)
    shares = []
    for config in settings.brands:
        mentions, complaints = counts.get(config.name, (0, 0))
        shares.append(BrandShare(config.name, config.competitor, mentions, complaints,
                                 mentions / total if total else 0.0, complaints / mentions if mentions else 0.0))
    return shares


# By when quiet hours held an alert: one raised before digest.time and held after it is the next digest's.
_HELD_WHERE = "a.brand = ? AND a.status = 'held' AND a.held_at >= ? AND a.held_at < ?"


def _held(store: Store, brand: str, zone: ZoneInfo, since: datetime, until: datetime, limit: int) -> list[HeldAlert]:
    rows = _query(
        store,
        f"""SELECT a.mention_id, a.severity, a.title,
                   MIN(a.created_at) AS created_at, m.url, m.text
            FROM alerts a JOIN mentions m ON m.id = a.mention_id
            WHERE {_HELD_WHERE} GROUP BY a.mention_id ORDER BY MIN(a.created_at) LIMIT ?""",
        (brand, _iso(since), _iso(until), limit),
    )
    return [
        HeldAlert(row["mention_id"], row["severity"], row["title"],
                  datetime.fromisoformat(row["created_at"]).astimezone(zone), _link(row["url"]), row["text"])
        for row in rows
    ]


def _held_total(store: Store, brand: str, since: datetime, until: datetime) -> int:
    rows = _query(store, f"SELECT COUNT(DISTINCT a.mention_id) AS n FROM alerts a WHERE {_HELD_WHERE}",
                  (brand, _iso(since), _iso(until)))
    return rows[0]["n"]


def _late(store: Store, brand: str, window: DayWindow, threshold: float, since: datetime,
          until: datetime) -> list[LateDay]:
    """The posts of days before the day first seen from ``since`` to ``until`` (``digest.time`` on the day to
    ``digest.time`` the next day, as held alerts), per day, newest first; less those their own day's digest,
    made after they were seen (sent late, after an outage), already counted."""
    rows = _query(
        store,
        """SELECT m.created_at, m.first_seen_at, COALESCE(c.complaint_prob >= ?, 0) AS complaint
           FROM mentions m LEFT JOIN classifications c ON c.mention_id = m.id
           WHERE m.brand = ? AND m.created_at < ? AND m.first_seen_at >= ? AND m.first_seen_at < ?""",
        (threshold, brand, _iso(window.start), _iso(since), _iso(until)),
    )
    seen = [(window.local_day(datetime.fromisoformat(row["created_at"])), datetime.fromisoformat(row["first_seen_at"]),
             bool(row["complaint"])) for row in rows]
    made = store.digests_made(brand, {day for day, _, _ in seen})
    counts: dict[date, list[int]] = {}
    for day, first_seen, complaint in seen:
        if day in made and first_seen <= made[day]:
            continue  # its day's digest, made after it was seen, counted it
        slot = counts.setdefault(day, [0, 0])
        slot[0] += 1
        slot[1] += complaint
    return [LateDay(day, mentions, complaints) for day, (mentions, complaints) in sorted(counts.items(), reverse=True)]


MIN_INCIDENT_SIZE = 2


def _incidents(store: Store, brand: str, window: DayWindow, limit: int,
               days: int) -> tuple[list[DayIncident], int, float | None]:
    """The day's incidents (largest first, at most ``limit``), how many there were, and the daily average
    of the days before.

    An incident is active on a day when it overlaps it: first seen before the day's end and last seen
    from its start on. Its first or last complaint is then on the day, or it ran through the whole day.
    A lone complaint is not an incident: it takes at least :data:`MIN_INCIDENT_SIZE` saying the same thing.
    """
    rows = _query(
        store,
        """SELECT i.id, i.title, i.size, i.first_seen, i.last_seen, i.sources,
                  i.alerted_step > 0 OR EXISTS (SELECT 1 FROM alerts a
                                                WHERE a.key LIKE 'incident:' || i.id || ':%') AS spike_alert
           FROM incidents i
           WHERE i.brand = ? AND i.first_seen < ? AND i.last_seen >= ? AND i.size >= ?""",
        (brand, _iso(window.end), _iso(window.baseline_start), MIN_INCIDENT_SIZE),
    )
    today, before = [], 0
    for row in rows:
        first_day = window.local_day(datetime.fromisoformat(row["first_seen"]))
        last_day = window.local_day(datetime.fromisoformat(row["last_seen"]))
        if last_day >= window.day:
            today.append(row)
        before += sum(1 for day in window.days()[:-1] if first_day <= day <= last_day)
    today.sort(key=lambda row: (-row["size"], row["first_seen"], row["id"]))
    incidents = [
        DayIncident(
            incident_id=row["id"], title=row["title"], size=row["size"],
            first_seen=datetime.fromisoformat(row["first_seen"]).astimezone(window.zone),
            last_seen=datetime.fromisoformat(row["last_seen"]).astimezone(window.zone),
            sources=tuple(sorted(json.loads(row["sources"] or "{}").items(), key=lambda item: (-item[1], item[0]))),
            spike_alert=bool(row["spike_alert"]),
        )
        for row in today[:limit]
    ]
    return incidents, len(today), _averages(days, before)[0]
