"""Sources: each fetches public posts from one place and hands them on as :class:`SourceBatch` es.

A source knows nothing of the store: it is given the cursor saved for it, and says with each batch
the cursor that covers that batch; the pipeline commits both in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from listener.domain import Mention

class SourceConfigError(ValueError):
    """A source's settings point at something that isn't there (a replay file); the message says which."""


class BrandOf(Protocol):
    """Given a post's text, its author's handle and the brand its record names (if any), the brand
    it is about, or ``None`` to skip it."""

    def __call__(self, text: str, handle: str | None, named: str | None = None) -> str | None: ...


@dataclass(frozen=True)
class SourceBatch:
    """Mentions fetched together, the cursor that covers them, and what could not be read."""

    mentions: list[Mention]
    cursor: dict[str, str]
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


class SourceAuthError(Exception):
    """The service rejected the source's credentials (401/403): the source must be turned off.

    The message says which source and what to fix; it never holds the credential itself.
    """


class SourceUnavailable(Exception):
    """The service kept failing (rate limit, 5xx, timeouts) after the allowed retries; try next poll."""


class Source(Protocol):
    """A place posts come from."""

    name: str

    def fetch(self, cursor: Mapping[str, str]) -> Iterator[SourceBatch]:
        """Yield what is new since ``cursor``, in batches; stop when caught up."""
        ...
