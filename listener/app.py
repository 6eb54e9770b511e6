"""The application: builds the store, sources, classifier, rules and notifiers from the settings.

Every CLI command is one call on this object (or on the store it opens), so tests drive the same
code without a subprocess.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from alerts.alerting import build_alerting
from alerts.notifiers.console import ACK_COMMAND
from alerts.outbox import DeliveryReport
from listener.clock import Clock, system_clock
from listener.config import Settings
from listener.instance import AlreadyRunning, InstanceLock
from listener.pipeline import CycleReport, Pipeline, Progress
from listener.sources import Source
from listener.sources.engagement import REPOLL_WINDOW, repoll_engagement
from listener.sources.guard import GuardedSource
from listener.sources.registry import build_sources
from listener.store import Store
from models.base import Classifier

if TYPE_CHECKING:
    from alerts.early_warning.job import EarlyWarningReport

log = logging.getLogger(__name__)


@dataclass
class HousekeepingReport:
    """What a housekeeping round removed: mentions, the rows of other tables (alerts, deliveries, ...), and the
    bytes the database file shrank by."""

    mentions_deleted: int
    history_deleted: dict[str, int]
    bytes_reclaimed: int = 0


class Listener:
    """One configured listener: its store, sources and pipeline.

    Example::

        >>> with Listener(load_settings("listener.toml")) as app:
        ...     report = app.poll_once()
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock = system_clock,
        classifier: Classifier | None = None,
        sources: list[Source] | None = None,
        ack_command: str = ACK_COMMAND,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.stop_event = threading.Event()
        self.store = Store.open(settings.storage.path, clock)
        self.alerting = build_alerting(settings, self.store, clock, should_stop=self.stop_event.is_set,
                                       ack_command=ack_command)
        notices = self.alerting.notices
        self.sources = [
            GuardedSource(source, lambda name, reason: notices.report("source-disabled", name, reason))
            for source in (build_sources(settings, self.stop_event) if sources is None else sources)
        ]
        self.pipeline = Pipeline(
            self.store,
            classifier if classifier is not None else self._load_classifier,
            self.alerting.rules,
            self.alerting.outbox,
            batch_size=settings.classifier.batch_size,
            should_stop=self.stop_event.is_set,
            retention_days=settings.storage.retention_days,
            report_problem=notices.report,
        )

    def _load_classifier(self) -> Classifier:
        from models.factory import load_classifier

        return load_classifier(self.settings.classifier)

    def __enter__(self) -> "Listener":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def lock(self) -> InstanceLock:
        """The lock that keeps a second daemon off this database."""
        return InstanceLock(self.settings.storage.path)

    def deliver_unless_running(self) -> DeliveryReport | None:
        """Deliver due alerts now, unless a daemon holds this database (then it delivers them); ``None`` then."""
        lock = self.lock()
        try:
            lock.acquire()
        except AlreadyRunning:
            return None
        try:
            return self.pipeline.deliver()
        finally:
            lock.release()

    def poll_once(self, progress: Progress | None = None) -> CycleReport:
        """One full cycle: every enabled source, classification, rules, then delivery (and early warning)."""
        report = self.pipeline.cycle(self.sources, progress)
        if self.settings.early_warning.enabled and not self.stop_event.is_set():
            report.alerts_queued += self.early_warning().alerts_queued
            report.delivery += self.pipeline.deliver()
        return report

    def early_warning(self) -> EarlyWarningReport:
        """Group new complaints into incidents, alert on spikes and incident growth, escalate spreading ones."""
        from alerts.early_warning.job import EarlyWarningJob  # numpy and the term maps: only when used

        job = EarlyWarningJob(self.store, self.settings.early_warning, self.settings.brands, clock=self.clock)
        return job.run()

    def source_job(self, source: Source) -> Callable[[], None]:
        """The scheduled job for ``source``: fetch, classify and evaluate what came in, and deliver what it raised.

        Delivering here, not at the delivery job's next tick, takes up to an interval off every alert's latency.
        """

        def job() -> None:
            self.pipeline.ingest(source)
            _, queued = self.pipeline.process()
            if queued:
                self.pipeline.deliver()

        return job

    def repoll_engagement(self) -> int:
        """Re-read the engagement of recent complaints from the sources that can; returns how many changed.

        With early warning on, they include every complaint its spread check watches (its
        ``complaint_threshold`` and ``spread_lookback_hours``), whose growth is seen only through this.
        A post edited since it was read (Reddit) is classified and evaluated again, and what that raised
        is delivered, as after a poll.
        """
        thresholds = [rule.complaint_threshold for rule in self.settings.alerts.rules
                      if rule.complaint_threshold is not None]
        window = REPOLL_WINDOW
        early_warning = self.settings.early_warning
        if early_warning.enabled:
            thresholds.append(early_warning.complaint_threshold)
            window = max(window, timedelta(hours=early_warning.spread_lookback_hours))
        updated = repoll_engagement(self.store, self.sources, self.clock,
                                    min_complaint_prob=min(thresholds, default=0.6), window=window)
        _, queued = self.pipeline.process()
        if queued:
            self.pipeline.deliver()
        return updated

    def housekeeping(self) -> HousekeepingReport:
        """Remove mentions older than the retention period, then the alerts, messages and incidents of then, and
        give the room they took back to the file system (see :meth:`Store.reclaim_space`). When it deleted or gave
        back anything, one line logs the rows deleted per table and the MB given back; a round with nothing to do
        logs nothing."""
        days = self.settings.storage.retention_days
        mentions = self.store.delete_older_than(days, self.stop_event.is_set)
        history = self.store.delete_history_older_than(days)
        report = HousekeepingReport(mentions, history, self.store.reclaim_space(self.stop_event.is_set))
        if mentions or any(history.values()) or report.bytes_reclaimed > 0:
            log.info("housekeeping done", extra={"retention_days": days, "mentions": mentions, **history,
                                                 "reclaimed_mb": round(report.bytes_reclaimed / 2**20, 1)})
        return report

    @property
    def retention(self) -> timedelta:
        """How long mentions are kept."""
        return timedelta(days=self.settings.storage.retention_days)
