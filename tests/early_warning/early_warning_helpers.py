"""Helpers of the early-warning tests: the test brand, a movable clock, classified complaints to post."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from alerts.early_warning.job import EarlyWarningJob
from listener.config import BrandConfig, EarlyWarningConfig
from listener.domain import Classification, Engagement, Mention
from listener.store import Store

START = datetime(2026, 11, 16, tzinfo=timezone.utc)
BRANDS = [BrandConfig(name="Lumora", terms={"*": ["Lumora", "@lumora"]}, own_handles=["lumora"])]


@dataclass
class MovableClock:
    """A clock the test sets."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


def make_job(store: Store, config: EarlyWarningConfig, clock: MovableClock) -> EarlyWarningJob:
    """The job under test, on ``store`` with the test's brands and clock."""
    return EarlyWarningJob(store, config, BRANDS, clock=clock)


def post(store: Store, external_id: str, text: str, at: datetime, *, complaint: float = 0.9,
         engagement: Engagement = Engagement(), reach: int | None = 100, source: str = "x",
         parent_id: str | None = None) -> int:
    """Store one classified mention of Lumora posted at ``at``; returns its row id."""
    store.save_batch(source, [Mention(source, external_id, text, at, "Lumora", author_handle=f"u{external_id}",
                                      author_reach=reach, engagement=engagement, parent_id=parent_id)])
    stored = store.mention_by_key(source, external_id)
    assert stored is not None
    store.save_classifications([(stored.id, Classification("es", "negative", (0.9, 0.05, 0.05), complaint))])
    return stored.id


def background(store: Store, days: int = 2) -> None:
    """An ordinary complaint every three hours for ``days`` days: the baseline."""
    texts = ["la factura de Lumora viene mal otra vez", "Lumora the wifi is slow tonight",
             "o suporte da Lumora nunca responde", "Lumora me cobró dos veces este mes"]
    for index in range(days * 8):
        post(store, f"bg{index}", texts[index % len(texts)], START + timedelta(hours=3 * index))
