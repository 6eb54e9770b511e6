"""The daily digest for PR staff: figures from the store, charts, an HTML page, a text part, delivery.

Example::

    >>> digest = build_digest(store, settings, brand="Lumora", day=date(2026, 11, 19))
    >>> Path("digest.html").write_text(digest.html, encoding="utf-8")
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from alerts.digest.figures import collect_figures
from alerts.digest.render import RenderedDigest, render_digest
from alerts.digest.window import DayWindow, previous_day
from listener.clock import Clock, system_clock
from listener.config import Settings
from listener.store import Store


def own_brands(settings: Settings) -> list[str]:
    """The brands the digest is written for: every brand that is not a competitor."""
    return [brand.name for brand in settings.brands if not brand.competitor]


def build_digest(
    store: Store, settings: Settings, *, brand: str | None = None, day: date | None = None,
    clock: Clock = system_clock,
) -> RenderedDigest:
    """The digest of ``brand`` (default: the first own brand) for ``day`` (default: yesterday).

    Days are local to ``digest.timezone``; "yesterday" is the day before the clock's local date.
    """
    zone = ZoneInfo(settings.digest.timezone)
    now = clock()
    brands = own_brands(settings)
    name = brand or (brands[0] if brands else settings.brands[0].name)
    window = DayWindow(day or previous_day(now, zone), zone)
    return render_digest(collect_figures(store, settings, name, window, now))
