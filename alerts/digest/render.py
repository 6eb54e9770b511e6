"""Renders the digest's figures as an HTML page (inline SVG charts), an email version of that page
(the charts as inline PNG attachments, which Gmail shows and SVG it strips) and a plain-text part.

Numbers, dates and times follow the brand's ``locale`` (through Babel's CLDR data); the labels are
English. Templates are Jinja2 with autoescaping, so posts' text can never inject markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from alerts.digest.charts import WIDTH, ChartBar, bar_chart_png, bar_chart_svg
from alerts.digest.figures import Bucket, DigestFigures

HOUR_LABEL_EVERY = 3
# Found from this file rather than by package name: under pytest, tests/alerts/ is also a package "alerts".
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class RenderedDigest:
    """A rendered digest: subject, HTML page, plain text, and the email's HTML with its PNG charts.

    ``images`` maps each chart's Content-ID (without angle brackets) to its PNG bytes; ``summary`` is
    the few lines posted to Slack.
    """

    brand: str
    day: date
    subject: str
    html: str
    text: str
    summary: str
    email_html: str
    images: dict[str, bytes] = field(default_factory=dict)


class Formats:
    """Number, date and duration formatting in one locale, as the templates call them."""

    def __init__(self, locale_name: str) -> None:
        try:
            self.locale = Locale.parse(locale_name)
        except (UnknownLocaleError, ValueError):
            raise ValueError(
                f"unknown locale {locale_name!r} in the brand's config; use a CLDR name such as 'es_ES' or 'en_GB'"
            ) from None

    def number(self, value: float | None) -> str:
        """``value`` with the locale's grouping and decimal signs, at most one decimal; an em dash for
        ``None`` (an average with no history)."""
        return "—" if value is None else format_decimal(value, format="#,##0.#", locale=self.locale)

    def count(self, value: int, noun: str) -> str:
        """``value`` and the English ``noun``, plural unless it is one: '1 complaint', '2.345 mentions'."""
        return f"{self.number(value)} {noun if value == 1 else noun + 's'}"

    def days_before(self, days: int) -> str:
        """What the averages are taken over: 'the day before', 'the 7 days before'."""
        return "the day before" if days == 1 else f"the {self.count(days, 'day')} before"

    def percent(self, value: float | None) -> str:
        """A share (0–1) as a percentage with at most one decimal; an em dash for ``None``."""
        return "—" if value is None else format_percent(value, format="#,##0.#%", locale=self.locale)

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

    def clock_on(self, moment: datetime, day: date) -> str:
        """The local time of day, with the weekday and date when ``moment`` is not on ``day``."""
        time_of_day = self.clock(moment)
        return time_of_day if moment.date() == day else f"{self.short_date(moment.date())} {time_of_day}"


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass(frozen=True)
class _Chart:
    name: str
    title: str
    bars: list[ChartBar]
    label_every: int = 1

    def svg(self) -> Markup:
        return bar_chart_svg(self.bars, self.title, label_every=self.label_every)

    def image_tag(self, cid: str) -> Markup:
        return Markup(f'<img src="cid:{escape(cid)}" width="{WIDTH}" alt="{escape(self.title)}" '
                      'style="display:block;max-width:100%;height:auto;border:0">')


def _bars(buckets: list[Bucket], label: Callable[[Bucket], str], tick: Callable[[Bucket], str]) -> list[ChartBar]:
    return [ChartBar(label(bucket), tick(bucket), bucket.mentions, bucket.complaints) for bucket in buckets]


def render_digest(figures: DigestFigures) -> RenderedDigest:
    """Render ``figures`` as the digest's subject, HTML page and plain text.

    Example::

        >>> rendered = render_digest(collect_figures(store, settings, "Lumora", window, now))
        >>> Path("digest.html").write_text(rendered.html)
    """
    formats = Formats(figures.locale)
    subject = (f"{figures.brand} digest, {formats.long_date(figures.window.day)}: "
               f"{formats.count(figures.totals.mentions, 'mention')}, "
               f"{formats.count(figures.totals.complaints, 'complaint')}")
    charts = [
        _Chart("hourly", "Mentions and complaints per hour",
               _bars(figures.hourly, lambda b: f"{b.start:%H}", lambda b: f"{b.start:%H}"), HOUR_LABEL_EVERY),
        _Chart("trend", "Mentions and complaints per day, last 8 days",
               _bars(figures.trend, lambda b: formats.short_date(b.start), lambda b: f"{b.start:%d}")),
    ]
    cids = {chart.name: f"{chart.name}-{figures.window.day:%Y%m%d}@complaint-listener" for chart in charts}
    env = _environment()
    context = {"f": figures, "fmt": formats, "subject": subject}
    page = env.get_template("digest.html")
    return RenderedDigest(
        brand=figures.brand,
        day=figures.window.day,
        subject=subject,
        html=page.render(**context, charts={chart.name: chart.svg() for chart in charts}),
        text=env.get_template("digest.txt").render(**context),
        summary=env.get_template("digest_summary.txt").render(**context),
        email_html=page.render(**context, charts={chart.name: chart.image_tag(cids[chart.name]) for chart in charts}),
        images={cids[chart.name]: bar_chart_png(chart.bars, label_every=chart.label_every) for chart in charts},
    )

