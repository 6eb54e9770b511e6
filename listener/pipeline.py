"""The pipeline: source → store → classify → rules → outbox → notifiers.

Each step reads what the step before it committed to the store and commits its own result, so any
step can stop between batches (a shutdown, a crash) and the next run picks up exactly there.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from alerts.outbox import DeliveryReport, Outbox, ProblemReporter
from alerts.rules import RuleEngine
from listener.domain import Classification, StoredMention
from listener.logs import PersistingFailures
from listener.sources import Source
from listener.store import Store
from models.base import Classifier

log = logging.getLogger(__name__)

Progress = Callable[[int], None]

# A text any working classifier reads: when it fails on this too, the classifier is down, not the mention.
_PROBE = "ok"
# How long classification pauses once the classifier is down, doubling at each failed retry up to the most.
FIRST_PAUSE_SECONDS = 60.0
MAX_PAUSE_SECONDS = 900.0


class ClassifierDown(Exception):
    """The classifier fails on every text, a mention's and a probe's alike; the message is its error."""


@dataclass
class IngestReport:
    """What fetching from one source did."""

    source: str
    read: int = 0
    new: int = 0
    duplicates: int = 0
    skipped: int = 0
    too_old: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class CycleReport:
    """What one full cycle (every source, then classification, rules and delivery) did."""

    ingested: list[IngestReport] = field(default_factory=list)
    classified: int = 0
    alerts_queued: int = 0
    delivery: DeliveryReport = field(default_factory=DeliveryReport)

    @property
    def new_mentions(self) -> int:
        """Mentions stored for the first time in this cycle."""
        return sum(report.new for report in self.ingested)


class Pipeline:
    """Moves mentions through the stages, batch by batch, stopping between batches when asked.

    Example::

        >>> pipeline = Pipeline(store, classifier, RuleEngine(rules, brands), outbox)
        >>> report = pipeline.cycle([replay_source])
        >>> report.new_mentions, report.alerts_queued, report.delivery.sent
        (412, 131, 262)
    """

    def __init__(
        self,
        store: Store,
        classifier: Classifier | Callable[[], Classifier],
        rules: RuleEngine,
        outbox: Outbox,
        *,
        batch_size: int = 64,
        should_stop: Callable[[], bool] = lambda: False,
        retention_days: int | None = None,
        report_problem: ProblemReporter | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._classifier_or_factory = classifier
        self._classifier: Classifier | None = None
        self._rules = rules
        self._outbox = outbox
        self._batch_size = batch_size
        self._should_stop = should_stop
        self._retention_days = retention_days
        self._report_problem = report_problem
        self._monotonic = monotonic
        self._down = PersistingFailures(log)
        self._pauses = 0  # classifier-down pauses in a row
        self._resume_at = 0.0

    @property
    def classifier(self) -> Classifier:
        """The classifier, loaded on first use (so commands that never classify never load it)."""
        if self._classifier is None:
            candidate = self._classifier_or_factory
            self._classifier = candidate if hasattr(candidate, "classify") else candidate()  # type: ignore[operator]
        return self._classifier

    def ingest(self, source: Source) -> IngestReport:
        """Fetch from ``source`` and store each batch with the cursor that covers it (but for the posts
        older than ``retention_days``, counted as too old). A post stored under a competitor and found
        again under an own brand moves to that brand, and the rules see it at the next evaluation."""
        report = IngestReport(source.name)
        for batch in source.fetch(self._store.cursor(source.name)):
            saved = self._store.save_batch(source.name, batch.mentions, batch.cursor,
                                           retention_days=self._retention_days, own_brands=self._rules.own_brands)
            report.read += len(batch.mentions)
            report.new += saved.new
            report.duplicates += saved.updated
            report.too_old += saved.too_old
            report.skipped += batch.skipped
            report.errors.extend(batch.errors)
            for error in batch.errors:
                log.error("bad input skipped", extra={"source": source.name, "detail": error})
            if batch.mentions or batch.errors or batch.skipped:  # not a quiet brand's empty page at every poll
                log.info("batch stored", extra={"source": source.name, "new": saved.new, "updated": saved.updated,
                                                 "too_old": saved.too_old, "skipped": batch.skipped,
                                                 "moved_to_own_brand": saved.moved_to_own_brand,
                                                 "edited": saved.edited, "cursor": batch.cursor})
            if self._should_stop():
                break
        return report

    def classify_pending(self, progress: Progress | None = None) -> int:
        """Classify every stored mention that has no classification yet; returns how many.

        When the classifier fails on a batch, each of its mentions is classified alone; those it fails on alone
        are left unclassified, to be tried again at the next cycle, and hold up no other. They are logged in one
        line a cycle (how many, the first ids and the first error): a classifier failing on everything would
        otherwise log a line per pending mention at every cycle. When it fails on a probe text as well, it is
        down: classification pauses (a minute, doubling to 15 while it stays down), every mention waiting for it,
        and the operator is told once; the log says so once an hour, and once when it works again."""
        if self._monotonic() < self._resume_at:
            return 0
        done, after = 0, 0
        failures: list[tuple[int, str]] = []
        try:
            while not self._should_stop():
                pending = self._store.unclassified(self._batch_size, after=after)
                if not pending:
                    break
                done += self._store.save_classifications(self._classified(pending, failures))
                after = pending[-1].id
                if progress:
                    progress(len(pending))
        except ClassifierDown as down:
            self._pause(str(down))
            return done
        if self._pauses:
            self._pauses = 0
            self._down.cleared("classifier", "classifier works again", classifier=self.classifier.name)
        if failures:
            log.error("mention not classified", extra={
                "count": len(failures), "mention_ids": ",".join(str(mention_id) for mention_id, _ in failures[:10])
                + (",..." if len(failures) > 10 else ""), "error": failures[0][1], "retry": "next cycle"})
        return done

    def _classified(self, pending: Sequence[StoredMention],
                    failures: list[tuple[int, str]]) -> list[tuple[int, Classification]]:
        """The id and classification of each of ``pending`` that the classifier can read; the id and error of each
        it can't read are added to ``failures``. A classifier that can't be loaded (a missing model) is no
        mention's failure: that raises."""
        classifier = self.classifier
        try:
            results = classifier.classify([stored.mention.text for stored in pending],
                                          [stored.mention.lang for stored in pending])
        except Exception as error:
            if len(pending) > 1:
                return [read for stored in pending for read in self._classified([stored], failures)]
            if not failures:  # the first mention it fails on alone this cycle: is it the mention, or the classifier?
                self._probe(classifier)
            failures.append((pending[0].id, f"{error.__class__.__name__}: {error}"))
            return []
        return list(zip((stored.id for stored in pending), results, strict=True))

    @staticmethod
    def _probe(classifier: Classifier) -> None:
        """Raise :class:`ClassifierDown` when ``classifier`` fails on :data:`_PROBE` too."""
        try:
            classifier.classify([_PROBE])
        except Exception as error:
            raise ClassifierDown(f"{error.__class__.__name__}: {error}") from error

    def _pause(self, error: str) -> None:
        """Pause classification for the next pause of the series; tell the operator at the first."""
        pause = min(FIRST_PAUSE_SECONDS * 2.0 ** min(self._pauses, 10), MAX_PAUSE_SECONDS)  # days down: no overflow
        self._pauses += 1
        self._resume_at = self._monotonic() + pause
        counts = self._store.stats()
        pending = counts["mentions"] - counts["classified"]
        name = self.classifier.name
        self._down.failed("classifier", "classifier down: classification paused", classifier=name, error=error,
                          pending=pending, retry_in_seconds=int(pause))
        if self._pauses == 1 and self._report_problem is not None:
            self._report_problem("classifier-down", name,
                                 f"the {name} classifier fails on every post ({error}); mentions are stored and "
                                 f"wait unclassified, and so unalerted ({pending} now). It is tried again in "
                                 f"{int(pause)} s, then less and less often (every {int(MAX_PAUSE_SECONDS) // 60} min at most); check the "
                                 f"listener's log and its model (`listener config check`).")

    def evaluate_pending(self) -> int:
        """Run the rules over classified mentions not yet evaluated; returns alerts queued."""
        queued = 0
        while not self._should_stop():
            pending = self._store.unevaluated(self._batch_size)
            if not pending:
                break
            alerts = [alert for stored in pending for alert in self._rules.evaluate(stored)]
            queued += self._store.enqueue_alerts([stored.id for stored in pending], alerts)
        return queued

    def deliver(self) -> DeliveryReport:
        """Deliver the due alerts in the outbox."""
        return self._outbox.deliver_due()

    def process(self, progress: Progress | None = None) -> tuple[int, int]:
        """Classify and evaluate what is pending; returns (classified, alerts queued)."""
        return self.classify_pending(progress), self.evaluate_pending()

    def cycle(self, sources: Sequence[Source], progress: Progress | None = None) -> CycleReport:
        """One full cycle: every source, then classification, rules and delivery."""
        report = CycleReport()
        for source in sources:
            if self._should_stop():
                break
            report.ingested.append(self.ingest(source))
        report.classified, report.alerts_queued = self.process(progress)
        if not self._should_stop():
            report.delivery = self.deliver()
        return report
