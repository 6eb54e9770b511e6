"""Builds the enabled sources from the configuration."""

from __future__ import annotations

import threading

from listener.brands import BrandMatcher
from listener.config import Settings
from listener.sources import Source
from listener.sources.replay import ReplaySource
from listener.sources.throttle import Throttle


def build_sources(settings: Settings, stop: threading.Event | None = None) -> list[Source]:
    """One source object per enabled source table, in a fixed order (the client libraries load late).

    Setting ``stop`` cuts short any wait for a rate-limit reset or a retry, and any call to a service in flight.
    """
    sources: list[Source] = []
    if settings.sources.x.enabled:
        from listener.sources.x import SOURCE as X, XSource

        sources.append(XSource(settings.sources.x, settings.brands, throttle=Throttle(X, stop=stop)))
    if settings.sources.reddit.enabled:
        from listener.sources.reddit import SOURCE as REDDIT, RedditSource

        sources.append(RedditSource(settings.sources.reddit, settings.brands, throttle=Throttle(REDDIT, stop=stop)))
    replay = settings.sources.replay
    if replay.enabled and replay.path is not None:
        sources.append(
            ReplaySource(replay.path, BrandMatcher(settings.brands, "replay"), speed=replay.speed,
                         batch_size=replay.batch_size)
        )
    return sources


def source_intervals(settings: Settings) -> dict[str, float]:
    """Polling interval in seconds of each enabled source, by source name."""
    tables = {"x": settings.sources.x, "reddit": settings.sources.reddit, "replay": settings.sources.replay}
    return {name: table.interval_seconds for name, table in tables.items() if table.enabled}
