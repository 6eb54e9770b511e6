"""The daily digest for PR staff: figures from the store, charts, an HTML page, a text part, delivery.

Example::

    >>> digest = build_digest(store, settings, brand="Lumora", day=date(2026, 11, 19))
    >>> Path("digest.html").write_text(digest.html, encoding="utf-8")
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from alerts.digest.deliver import DeliveryReport, DigestDeliveryError, send_digest
from alerts.digest.figures import collect_figures
from alerts.digest.render import RenderedDigest, render_digest
from alerts.digest.window import DayWindow, previous_day
from listener.clock import Clock, system_clock
from listener.config import Settings
from listener.store import Store

log = logging.getLogger(__name__)


def own_brands(settings: Settings) -> list[str]:
    """The brands the digest is written for: every brand that is not a competitor."""
    return [brand.name for brand in settings.brands if not brand.competitor]


def default_brand(settings: Settings) -> str:
    """The brand a digest is about when none is named: the first own brand."""
    brands = own_brands(settings)
    return brands[0] if brands else settings.brands[0].name


def build_digest(
    store: Store, settings: Settings, *, brand: str | None = None, day: date | None = None,
    clock: Clock = system_clock,
) -> RenderedDigest:
    """The digest of ``brand`` (default: the first own brand) for ``day`` (default: yesterday).

    Days are local to ``digest.timezone``; "yesterday" is the day before the clock's local date.
    """
    zone = ZoneInfo(settings.digest.timezone)
    window = DayWindow(day or previous_day(clock(), zone), zone)
    return render_digest(collect_figures(store, settings, brand or default_brand(settings), window))


def busiest_day(store: Store, settings: Settings, brand: str) -> date | None:
    """The local day (in ``digest.timezone``) with the most mentions of ``brand``; ``None`` if it has none.

    The demo's posts are from a fixed past window, so its digest defaults to this day, not yesterday.
    """
    zone = ZoneInfo(settings.digest.timezone)
    days: dict[date, int] = {}
    for (created_at,) in store.db.execute("SELECT created_at FROM mentions WHERE brand = ?", [brand]).fetchall():
        day = datetime.fromisoformat(created_at).astimezone(zone).date()
        days[day] = days.get(day, 0) + 1
    return max(days, key=lambda day: (days[day], day)) if days else None


def send_daily_digests(store: Store, settings: Settings, *, clock: Clock = system_clock) -> list[DeliveryReport]:
    """Build yesterday's digest of every own brand and send it: the daemon's daily job.

    A digest that cannot be sent (or only in part) is logged, and the other brands' are sent all the same;
    the reports are those of the digests sent.
    """
    reports = []
    for brand in own_brands(settings):
        digest = build_digest(store, settings, brand=brand, clock=clock)
        try:
            report = send_digest(digest, settings)
        except DigestDeliveryError as error:
            log.error("digest delivery failed", extra={"brand": brand, "day": digest.day.isoformat(),
                                                       "detail": str(error)})
            continue
        log.info("digest sent", extra={"brand": brand, "day": digest.day.isoformat(),
                                       "recipients": len(report.recipients), "slack": report.slack})
        reports.append(report)
    return reports
