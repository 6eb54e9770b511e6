"""The order in which a source reads its streams (a search per brand, a subreddit's comments).

A stream whose call fails ends the poll (the service may be down, or its rate limit spent: reading on
would only fail again, or spend what is left). The next poll starts with the stream after it, so one
brand whose search keeps failing is read last, after the others, and does not keep them unread. A poll
that reads every stream goes back to the configured order (own brands first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from listener.sources import SourceBatch

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
        """Each stream's batches in turn; an error in one ends the read (re-raised) and moves the start past it."""
        count = len(streams)
        start = self._start % count if count else 0
        for offset in range(count):
            index = (start + offset) % count
            try:
                yield from streams[index]()
            except Exception:
                self._start = index + 1
                raise
        self._start = 0
