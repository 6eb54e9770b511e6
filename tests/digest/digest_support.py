"""Helpers for the digest tests: settings, a clock the test sets, a store filler and a reader for the page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from listener.config import Settings
from listener.domain import Alert, Classification, Engagement, Mention
from listener.store import Store

DAY = date(2026, 11, 19)
# Europe/Madrid is UTC+1 in November: the local day 2026-11-19 is 18 Nov 23:00 to 19 Nov 23:00 UTC.
DAY_START = datetime(2026, 11, 18, 23, 0, tzinfo=timezone.utc)
# The digest is made the next morning at 08:00 Madrid time.
MORNING_AFTER = datetime(2026, 11, 20, 7, 0, tzinfo=timezone.utc)


class FakeClock:
    """A clock the test sets."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_settings(tmp_path: Path, *, locale: str = "en_US", extra_channels: Sequence[dict[str, Any]] = (),
                  **digest: Any) -> Settings:
    """Lumora (own, ``locale``) and Vireo Net (competitor), one JSONL alert channel (then ``extra_channels``),
    threshold 0.6."""
    return Settings.model_validate({
        "brands": [{"name": "Lumora", "locale": locale}, {"name": "Vireo Net", "competitor": True}],
        "alerts": {
            "channels": [{"name": "file", "type": "jsonl", "path": str(tmp_path / "alerts.jsonl")}, *extra_channels],
            "rules": [{"name": "complaints", "complaint_threshold": 0.6, "channels": ["file"]}],
        },
        "digest": {"timezone": "Europe/Madrid", **digest},
        "storage": {"path": str(tmp_path / "listener.db")},
    })


def email_channel(port: int) -> dict[str, Any]:
    """An email alert channel "mail" to an SMTP server on 127.0.0.1:``port``, without TLS."""
    return {"name": "mail", "type": "email", "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none",
            "sender": "listener@lumora.example", "recipients": ["alerts@lumora.example"]}


@dataclass
class StoreFiller:
    """Writes mentions, classifications, alerts, acknowledgements and holds through the store's own API."""

    store: Store
    clock: FakeClock
    _next_id: int = 0

    def mention(self, at: datetime, *, brand: str = "Lumora", source: str = "x", lang: str = "es",
                text: str = "Lumora ok", complaint: float = 0.1, sentiment: str = "neutral",
                reach: int | None = 100, url: str | None = None, likes: int = 0) -> int:
        """Store one classified mention posted ``at``; returns its row id."""
        self._next_id += 1
        external_id = f"p{self._next_id}"
        self.store.save_batch(source, [Mention(
            source=source, external_id=external_id, text=text, created_at=at, brand=brand, url=url,
            author_handle=f"user{self._next_id}", author_reach=reach, lang=lang, engagement=Engagement(likes=likes),
        )])
        stored = self.store.mention_by_key(source, external_id)
        assert stored is not None
        probs = {"negative": (0.8, 0.1, 0.1), "neutral": (0.1, 0.8, 0.1), "positive": (0.1, 0.1, 0.8)}[sentiment]
        self.store.save_classifications([(stored.id, Classification(lang, sentiment, probs, complaint, (), "test"))])
        return stored.id

    def alert(self, mention_id: int, at: datetime, *, channel: str = "file", brand: str = "Lumora",
              severity: str = "normal") -> int:
        """Queue an alert about ``mention_id`` created ``at``; returns its id."""
        key = f"mention:{mention_id}:{channel}"
        self.store.enqueue_alerts([], [Alert(key=key, channel=channel, brand=brand, rule="complaints",
                                             severity=severity, title=f"{brand}: complaint", reasons=("test",),
                                             mention_id=mention_id, created_at=at)])
        row = self.store.db.execute("SELECT id FROM alerts WHERE key = ?", [key]).fetchone()
        return row[0]

    def hold(self, alert_ids: Sequence[int], at: datetime) -> None:
        """Hold ``alert_ids`` for the digest (quiet hours) at ``at``."""
        self.clock.now = at
        self.store.hold(alert_ids)

    def acknowledge(self, alert_id: int, at: datetime) -> None:
        """Acknowledge ``alert_id`` at ``at``."""
        self.clock.now = at
        self.store.acknowledge(alert_id, "tester")


@dataclass
class PageFigures(HTMLParser):
    """Reads a digest page: the text of every ``data-figure`` element, by section id, row and figure name.

    Also keeps the visible text (``text``), the ``href`` of links and the number of ``<svg>`` charts.
    """

    figures: dict[tuple[str, str, str], str] = field(default_factory=dict)
    rows: dict[str, list[str]] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)
    svgs: int = 0
    text: str = ""

    VOID = {"br", "meta", "img", "hr", "input", "link"}

    def __post_init__(self) -> None:
        HTMLParser.__init__(self)
        self._stack: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "svg":
            self.svgs += 1
        if tag == "a" and "href" in values:
            self.links.append(values["href"])
        if tag in self.VOID:
            return
        self._stack.append((tag, values))
        row = values.get("data-row") or values.get("data-mention")
        if row is not None:
            self.rows.setdefault(self._nearest("id"), []).append(row)

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def _nearest(self, attribute: str) -> str:
        return next((attrs[attribute] for _, attrs in reversed(self._stack) if attribute in attrs), "")

    def handle_data(self, data: str) -> None:
        if any(tag in ("title", "svg") for tag, _ in self._stack):
            return
        self.text += data
        figure = self._nearest("data-figure")
        if figure:
            row = self._nearest("data-row") or self._nearest("data-mention")
            key = (self._nearest("id"), row, figure)
            self.figures[key] = (self.figures.get(key, "") + data).strip()

    def number(self, section: str, figure: str, row: str = "", *, grouping: str = ",", decimal: str = ".") -> float:
        """A figure as a number, read with the locale's ``grouping`` and ``decimal`` signs ('%' dropped)."""
        text = self.figures[(section, row, figure)].replace(grouping, "").replace(decimal, ".")
        return float(text.rstrip("%"))


def read_page(html: str) -> PageFigures:
    """Parse a digest page."""
    page = PageFigures()
    page.feed(html)
    page.close()
    return page


def at(hours: float, day_offset: int = 0) -> datetime:
    """``hours`` after the local day's start (Madrid midnight), ``day_offset`` days later."""
    return DAY_START + timedelta(days=day_offset, hours=hours)
