"""The order in which a source reads its streams (a search per brand, a subreddit's comments).

A stream whose call fails ends the poll (the service may be down, or its rate limit spent: reading on
would only fail again, or spend what is left). The next poll starts with the stream after it, so one
brand whose search keeps failing is read last, after the others, and does not keep them unread; but a
stream the rate limit kept from being read at all (no fault of its own) is read first the next poll, or
with one call a window the polls in the window moved the start on one stream each and the same brand was
read at every reset. A poll that reads every stream goes back to the configured order (own brands first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from listener.sources import SourceBatch
from listener.sources.throttle import RateLimited

Stream = Callable[[], Iterator[SourceBatch]]


class StreamRotation:
    """Reads a source's streams, from the one after the stream that failed last.

    Example::

        >>> rotation = StreamRotation()
        >>> yield from rotation.read([lambda: search("KFC"), lambda: search("Lequipe")])
    """

    def __init__(self) -> None:
        self._start = 0

    def read(self, streams: Sequence[Stream]) -> Iterator[SourceBatch]:
        """Each stream's batches in turn; an error in one ends the read (re-raised) and moves the start past it,
        unless the rate limit kept it from giving a batch (then the next read starts at it)."""
        count = len(streams)
        start = self._start % count if count else 0
        for offset in range(count):
            index = (start + offset) % count
            read = False
            try:
                for batch in streams[index]():
                    read = True
                    yield batch
            except Exception as error:
                self._start = index if isinstance(error, RateLimited) and not read else index + 1
                raise
        self._start = 0
