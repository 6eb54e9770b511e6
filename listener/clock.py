"""Time, injected: every component takes a ``Clock`` so tests control it instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, in UTC."""
    return datetime.now(timezone.utc)
