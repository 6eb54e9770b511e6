"""The daemon: APScheduler runs one job per source, outbox delivery, early warning and housekeeping.

Jobs run one at a time on a single worker thread, so they never contend for the database; a job
must not sleep long (a source's rate-limit wait over a few seconds ends its poll instead). On
SIGTERM or SIGINT the stop flag is set; the running job finishes its current transaction (delivery: the
message it is sending; the digest job: the digest it is sending) and returns, no job queued behind it starts, and
the scheduler shuts down
(well within 10 s: a transaction is one batch).
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from listener.app import Listener
from listener.sources.engagement import REPOLL_INTERVAL_MINUTES
from listener.sources.registry import source_intervals
from listener.store import StoreUnusable, unusable

log = logging.getLogger(__name__)

HOUSEKEEPING_HOURS = 6
ESCALATION_CHECK_SECONDS = 60


class _SkippedRuns(logging.Filter):
    """Drops APScheduler's warning that a job's run was skipped, its last one not finished.

    On the one worker a job waits behind another's run (a delivery waiting out a Slack that hangs, a long
    poll), and runs once the worker is free (runs are coalesced): nothing is lost, but every interval of
    such a wait logged a line, some 10,000 a day with Slack hanging and the 5-second delivery interval.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in str(record.msg)


_SKIPPED_RUNS = _SkippedRuns()


def build_scheduler(app: Listener, damaged: list[StoreUnusable] | None = None) -> BackgroundScheduler:
    """A scheduler with the listener's jobs, not yet started; every job's first run is due at once. A job that
    finds the database unusable (damaged, read-only) adds the error to ``damaged`` and stops the listener."""
    found: list[StoreUnusable] = [] if damaged is None else damaged
    logging.getLogger("apscheduler.scheduler").addFilter(_SKIPPED_RUNS)

    def logged(name: str, job: Callable[[], object]) -> Callable[[], None]:
        return _logged(name, job, app, found)

    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=timezone.utc,
    )
    now = datetime.now(timezone.utc)
    intervals = source_intervals(app.settings)
    for source in app.sources:
        scheduler.add_job(
            logged(f"poll {source.name}", app.source_job(source)),
            "interval",
            seconds=intervals.get(source.name, 60),
            id=f"source:{source.name}",
            next_run_time=now,
        )
    scheduler.add_job(
        logged("deliver", app.pipeline.deliver),
        "interval",
        seconds=app.settings.alerts.delivery_interval_seconds,
        id="deliver",
        next_run_time=now,
    )
    alerts = app.settings.alerts
    scheduler.add_job(
        logged("read acknowledgement reactions", app.alerting.acks.check), "interval",
        seconds=alerts.ack_poll_seconds, id="acks", next_run_time=now,
    )
    if alerts.escalation_channel is not None:
        scheduler.add_job(
            logged("escalate", app.alerting.escalator.escalate_overdue), "interval",
            seconds=ESCALATION_CHECK_SECONDS, id="escalate", next_run_time=now,
        )
    if any(source.can_refresh for source in app.sources):
        scheduler.add_job(
            logged("engagement re-poll", app.repoll_engagement), "interval", minutes=REPOLL_INTERVAL_MINUTES,
            id="engagement", next_run_time=now + timedelta(minutes=REPOLL_INTERVAL_MINUTES),
        )
    if app.settings.early_warning.enabled:
        scheduler.add_job(
            logged("early warning", app.early_warning), "interval",
            seconds=app.settings.early_warning.interval_seconds, id="early-warning", next_run_time=now,
        )
    scheduler.add_job(
        logged("housekeeping", app.housekeeping), "interval", hours=HOUSEKEEPING_HOURS, id="housekeeping",
        next_run_time=now,
    )
    if app.settings.digest.enabled:
        from alerts.digest import send_daily_digests

        digest = app.settings.digest
        hour, minute = (int(part) for part in digest.time.split(":"))
        scheduler.add_job(
            logged("digest", lambda: send_daily_digests(app.store, app.settings, clock=app.clock,
                                                        should_stop=app.stop_event.is_set)), "cron",
            hour=hour, minute=minute, timezone=ZoneInfo(digest.timezone), id="digest",
        )
        # A digest the listener was stopped for, or could not send, goes out at the next start or hour. What a
        # kill left unclassified is classified first (jobs due together run in the order of their ids, so the
        # catch-up ran before any source's job had): it counted as mentions and never as complaints. A classifier
        # that is down (paused) or fails holds no digest back: the digest says how many posts wait unclassified.
        classify = logged("classify before the digest catch-up", app.pipeline.classify_pending)
        send = logged("digest catch-up", lambda: send_daily_digests(app.store, app.settings, clock=app.clock,
                                                                    catch_up=True, should_stop=app.stop_event.is_set))

        def catch_up() -> None:
            classify()
            send()

        scheduler.add_job(catch_up, "interval", hours=1, id="digest-catch-up", next_run_time=now)
    return scheduler


def _logged(name: str, job: Callable[[], object], app: Listener, damaged: list[StoreUnusable]) -> Callable[[], None]:
    """Run ``job``, logging a failure instead of letting it kill the scheduler's thread silently. A database found
    unusable (damaged, read-only), which no later run gets past, is added to ``damaged`` and stops the listener.
    Once a stop is requested it does not start: the jobs queued behind the running one on the worker then ran one
    after another before the scheduler could shut down (a replay batch stored, an early-warning round, a digest)."""

    def run() -> None:
        if app.stop_event.is_set():
            return
        try:
            job()
        except Exception as error:
            found = unusable(app.settings.storage.path, error)
            if found is None:
                log.exception("job failed", extra={"job": name})
                return
            log.error("database cannot be used: stopping", extra={"job": name, "detail": str(found)})
            damaged.append(found)
            app.stop_event.set()

    return run


def run_daemon(app: Listener, *, handle_signals: bool = True) -> None:
    """Run the listener's jobs until SIGTERM/SIGINT (or ``app.stop_event`` is set), then stop cleanly.

    The caller holds the instance lock. Raises :class:`StoreUnusable` when a job found the database unusable.
    """
    damaged: list[StoreUnusable] = []
    scheduler = build_scheduler(app, damaged)
    if handle_signals:

        def request_stop(signum: int, frame: FrameType | None) -> None:
            log.info("stop requested", extra={"signal": signal.Signals(signum).name})
            app.stop_event.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
    scheduler.start()
    log.info("listener started", extra={"jobs": ",".join(job.id for job in scheduler.get_jobs()),
                                         "database": app.settings.storage.path})
    try:
        while not app.stop_event.wait(0.5):
            pass
    finally:
        app.stop_event.set()
        scheduler.shutdown(wait=True)
        log.info("listener stopped")
    if damaged:
        raise damaged[0]
