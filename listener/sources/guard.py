"""Keeps one failing source from stopping the others.

Rejected credentials turn the source off (with a log line and an operator notice); a service that
keeps failing, or any other error, ends this source's poll early (with a log line) and the other
sources are polled. Either way the cursor stays at the last stored batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from listener.domain import Mention
from listener.logs import PersistingFailures
from listener.sources import Source, SourceAuthError, SourceBatch, SourceUnavailable

log = logging.getLogger(__name__)

Report = Callable[[str, str], object]
"""Told ``(source name, message)`` when a source is turned off."""


class GuardedSource:
    """Wraps a :class:`Source`: same name and batches, but its failures end the call instead of raising.

    The log lines name the source; the formatter removes the config's secrets from them (:mod:`listener.logs`).

    Example::

        >>> source = GuardedSource(XSource(config, brands), on_disabled=notify_operator)
        >>> list(source.fetch(cursor))   # a 401 logs, notifies, and yields nothing more
    """

    def __init__(self, source: Source, on_disabled: Report) -> None:
        self.inner = source
        self.name = source.name
        self._on_disabled = on_disabled
        self.disabled_reason: str | None = None
        self._failures = PersistingFailures(log)

    @property
    def can_refresh(self) -> bool:
        """Whether the source is on and can re-read the engagement of posts it found."""
        return self.disabled_reason is None and hasattr(self.inner, "refresh")

    def fetch(self, cursor: Mapping[str, str]) -> Iterator[SourceBatch]:
        """The wrapped source's batches; nothing once it is disabled."""
        if self.disabled_reason is not None:
            return
        with self._contained("poll"):
            yield from self.inner.fetch(cursor)

    def refresh(self, mentions: Sequence[Mention]) -> list[Mention]:
        """The wrapped source's refreshed mentions; none when it is off or failing."""
        if not self.can_refresh:
            return []
        with self._contained("engagement re-poll"):
            return self.inner.refresh(mentions)  # type: ignore[attr-defined]
        return []

    @contextmanager
    def _contained(self, what: str) -> Iterator[None]:
        try:
            yield
        except SourceAuthError as error:
            self.disabled_reason = str(error)
            log.error("source disabled: credentials rejected",
                      extra={"source": self.name, "during": what, "detail": self.disabled_reason})
            self._on_disabled(self.name, self.disabled_reason)
        except SourceUnavailable as error:
            self._failures.failed(what, "source call given up", logging.WARNING,
                                  source=self.name, during=what, detail=str(error))
        except Exception as error:  # whatever one source hits, the others are still polled and delivered
            # A source failing at every poll (a file gone, a service down for hours) is logged once an hour.
            self._failures.failed(what, "source call failed; tried again next poll", source=self.name, during=what,
                                  detail=f"{type(error).__name__}: {error}")
        else:
            self._failures.cleared(what, "source call works again", source=self.name, during=what)
