"""The daily digest for PR staff: figures from the store, charts, an HTML page, a text part, delivery.

Example::

    >>> digest = build_digest(store, settings, brand="Lumora", day=date(2026, 11, 19))
    >>> Path("digest.html").write_text(digest.html, encoding="utf-8")
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from alerts.digest.deliver import DeliveryReport, DigestDeliveryError, SlackSummaryFailed, send_digest
from alerts.digest.figures import collect_figures
from alerts.digest.render import RenderedDigest, render_digest
from alerts.digest.window import DayWindow, previous_day
from listener.clock import Clock, system_clock
from listener.config import Settings
from listener.store import Store, StoreUnavailable, damage

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


# A listener stopped longer than this sends the digests of the last week, not of every day it missed.
CATCH_UP_DAYS = 7


def due_day(now: datetime, settings: Settings) -> date:
    """The latest day whose digest is due at ``now``: yesterday once today's ``digest.time`` has passed
    (local to ``digest.timezone``), else the day before."""
    local = now.astimezone(ZoneInfo(settings.digest.timezone))
    passed = local.time() >= time.fromisoformat(settings.digest.time)
    return local.date() - timedelta(days=1 if passed else 2)


def send_daily_digests(store: Store, settings: Settings, *, clock: Clock = system_clock, catch_up: bool = False,
                       should_stop: Callable[[], bool] = lambda: False) -> list[DeliveryReport]:
    """Send every own brand's daily digests that are due and not sent yet: the daemon's daily job.

    The store records the last day sent per brand, so a day is sent once, also across restarts: it is
    recorded before the email goes out (and taken back if it could not be sent), so a database that
    cannot be written sends nothing, and a listener killed while sending does not send it again: the next
    run logs that digest as one that may not have gone out, with the command that sends it. The
    digests a stopped or failing listener missed are sent too, oldest first (at most
    :data:`CATCH_UP_DAYS`): each day's page lists the alerts quiet hours held until its digest, which
    no other day's lists. With ``catch_up`` (the hourly run, and the run at start-up) only days after
    one already sent are sent, so a first digest never goes out at an odd hour. A digest that cannot be
    made (an error in its data) or emailed is logged and tried again at the next run; one emailed whose
    Slack summary failed is logged and counts as sent. The other brands' are sent all the same. Once
    ``should_stop`` says so, no further digest is sent (the next run sends it). The reports are those of
    the digests sent whole.
    """
    due = due_day(clock(), settings)
    reports = []
    for brand in own_brands(settings):
        _report_cut_off(store, brand)
        sent_through = store.digest_sent_through(brand)
        if sent_through is None:
            if catch_up:
                continue
            sent_through = due - timedelta(days=1)
            store.record_digest_sent(brand, sent_through)  # so a failed first send is retried by the catch-up
        day = max(sent_through + timedelta(days=1), due - timedelta(days=CATCH_UP_DAYS - 1))
        while day <= due and not should_stop():
            made_at = clock()  # before it is made: a post seen while it is made is counted late, not lost
            try:
                digest = build_digest(store, settings, brand=brand, day=day)
            except Exception as error:
                if damage(settings.storage.path, error) is not None:
                    raise  # no run gets past a damaged database: the daemon stops
                log.exception("digest could not be made", extra={
                    "brand": brand, "day": day.isoformat(), "detail": "tried again at the next hourly run"})
                break  # this day and the ones after it wait for the next run, in order
            # Recorded before it is sent: a database that cannot be written (a full disk) stops the send,
            # instead of letting every run email a digest whose sending it cannot record.
            store.record_digest_sending(brand, day, made_at)
            try:
                report = send_digest(digest, settings)
            except DigestDeliveryError as error:
                if not isinstance(error, SlackSummaryFailed):
                    _not_sent(store, brand, day, error)
                    break  # not emailed: this day and the ones after it wait for the next run, in order
                log.error("digest delivery failed", extra={"brand": brand, "day": day.isoformat(),
                                                           "detail": str(error)})
                report = None  # emailed, only the summary failed: sent, or every run would email it again
            store.record_digest_sent(brand, day)
            if report is not None:
                log.info("digest sent", extra={"brand": brand, "day": day.isoformat(),
                                               "recipients": len(report.recipients), "slack": report.slack})
                reports.append(report)
            day += timedelta(days=1)
    return reports


def _report_cut_off(store: Store, brand: str) -> None:
    """Log ``brand``'s digest whose sending was cut off (the listener killed, or the machine down, while sending
    it), once: whether it reached anyone is unknown, and sending it again could email it twice."""
    day = store.digest_being_sent(brand)
    if day is None:
        return
    command = f"listener digest --brand {shlex.quote(brand)} --date {day.isoformat()} --send"
    log.error("digest delivery failed", extra={"brand": brand, "day": day.isoformat(), "detail": (
        "the listener stopped while sending it (killed, or the machine went down), so it may not have reached its "
        f"recipients and is not sent again; ask them, and if they did not get it, send it with '{command}'")})
    store.record_digest_sent(brand, day)


def _not_sent(store: Store, brand: str, day: date, error: DigestDeliveryError) -> None:
    """Log ``brand``'s digest of ``day``, which could not be emailed, and record it as not sent, so the next run
    sends it. When the database cannot record that (locked, full or damaged), no run sends it: the log says how
    to send it; an error other than a lock or a full disk (a damaged database) is raised on, and stops the job."""
    what = {"brand": brand, "day": day.isoformat()}
    try:
        store.record_digest_sent(brand, day - timedelta(days=1))
    except Exception as failure:
        log.error("digest delivery failed", extra={**what, "detail": (
            f"{error}; it is not tried again, as the database could not record that it was not sent (it was locked, "
            f"full or damaged): once it can be written, send it with 'listener digest --brand {shlex.quote(brand)} "
            f"--date {day.isoformat()} --send'")})
        if not isinstance(failure, StoreUnavailable):
            raise
        return
    # Not "send it by hand" while the next run sends it: it would be emailed twice.
    log.error("digest delivery failed", extra={**what, "detail": f"{error}; tried again at the next hourly run"})
