"""Re-polls the engagement of recent complaints, so the rules can see complaints that spread."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from listener.clock import Clock
from listener.sources.guard import GuardedSource
from listener.store import Store

log = logging.getLogger(__name__)

REPOLL_WINDOW = timedelta(hours=48)
REPOLL_LIMIT = 100
REPOLL_INTERVAL_MINUTES = 30


def repoll_engagement(
    store: Store,
    sources: Sequence[GuardedSource],
    clock: Clock,
    *,
    min_complaint_prob: float,
    window: timedelta = REPOLL_WINDOW,
    limit: int = REPOLL_LIMIT,
) -> int:
    """Refresh likes, reposts, replies and reach of each source's complaints of the last ``window``.

    A source that re-reads the whole post (Reddit) also brings an edit made since: the store takes its
    text as it takes an imported one, and the mention is classified and evaluated again.

    Returns how many mentions were updated. Example::

        >>> repoll_engagement(app.store, app.sources, app.clock, min_complaint_prob=0.6)
        12
    """
    updated = 0
    for source in sources:
        if not source.can_refresh:
            continue
        complaints = store.recent_complaints(source.name, clock() - window, min_complaint_prob, limit)
        if not complaints:
            continue
        refreshed = source.refresh([stored.mention for stored in complaints])
        saved = store.save_batch(source.name, refreshed)
        updated += saved.updated
        log.info("engagement re-polled", extra={"source": source.name, "complaints": len(complaints),
                                                "updated": len(refreshed), "edited": saved.edited})
    return updated
