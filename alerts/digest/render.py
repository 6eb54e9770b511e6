"""Renders the digest's figures as an HTML page (inline SVG charts) and a plain-text part.

Numbers, dates and times follow the brand's ``locale`` (through Babel's CLDR data); the labels are
English. Templates are Jinja2 with autoescaping, so posts' text can never inject markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from alerts.digest.charts import ChartBar, bar_chart_svg
from alerts.digest.figures import Bucket, DigestFigures

HOUR_LABEL_EVERY = 3


@dataclass(frozen=True)
class RenderedDigest:
    """A rendered digest: the subject line, the HTML page and the plain text."""

    brand: str
    day: date
    subject: str
    html: str
    text: str


class Formats:
    """Number, date and duration formatting in one locale, as the templates call them."""

    def __init__(self, locale_name: str) -> None:
        try:
            self.locale = Locale.parse(locale_name)
        except (UnknownLocaleError, ValueError):
            raise ValueError(
                f"unknown locale {locale_name!r} in the brand's config; use a CLDR name such as 'es_ES' or 'en_GB'"
            ) from None

    def number(self, value: float) -> str:
        """``value`` with the locale's grouping and decimal signs, at most one decimal."""
        return format_decimal(value, format="#,##0.#", locale=self.locale)

    def percent(self, value: float) -> str:
        """A share (0–1) as a percentage with at most one decimal."""
        return format_percent(value, format="#,##0.#%", locale=self.locale)

    def duration(self, seconds: float | None) -> str:
        """Seconds as minutes (or hours, from two hours on); an em dash when there is none."""
        if seconds is None:
            return "—"
        minutes = seconds / 60
        return f"{self.number(minutes / 60)} h" if minutes >= 120 else f"{self.number(minutes)} min"

    def long_date(self, day: date) -> str:
        """The date written out, e.g. 'jueves, 19 de noviembre de 2026'."""
        return format_date(day, format="full", locale=self.locale)

    def short_date(self, day: date) -> str:
        """Weekday and day of the month, for chart labels."""
        return format_date(day, format="EEE d", locale=self.locale)

    def clock(self, moment: datetime) -> str:
        """The local time of day, hours and minutes."""
        return format_time(moment, format="HH:mm", locale=self.locale)


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("alerts", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _bars(buckets: list[Bucket], label: Callable[[Bucket], str]) -> list[ChartBar]:
    return [ChartBar(label(bucket), bucket.mentions, bucket.complaints) for bucket in buckets]


def render_digest(figures: DigestFigures) -> RenderedDigest:
    """Render ``figures`` as the digest's subject, HTML page and plain text.

    Example::

        >>> rendered = render_digest(collect_figures(store, settings, "Lumora", window, now))
        >>> Path("digest.html").write_text(rendered.html)
    """
    formats = Formats(figures.locale)
    subject = (f"{figures.brand} digest, {formats.long_date(figures.window.day)}: "
               f"{formats.number(figures.totals.mentions)} mentions, "
               f"{formats.number(figures.totals.complaints)} complaints")
    hourly = _bars(figures.hourly, lambda b: f"{b.start:%H}")
    trend = _bars(figures.trend, lambda b: formats.short_date(b.start))
    charts = {
        "hourly": bar_chart_svg(hourly, "Mentions and complaints per hour", label_every=HOUR_LABEL_EVERY),
        "trend": bar_chart_svg(trend, "Mentions and complaints per day, last 8 days"),
    }
    context = {"f": figures, "fmt": formats, "subject": subject, "charts": charts}
    env = _environment()
    html = env.get_template("digest.html").render(**context)
    text = env.get_template("digest.txt").render(**context)
    return RenderedDigest(figures.brand, figures.window.day, subject, html, text)

