"""One post's fields as every mapping (replay, X, Reddit) reads them: times and counts the store can hold.

A post whose field cannot be read or stored is that post's error, named with its field; the posts
around it are still stored. :data:`RECORD_FAULTS` is what reading one post may raise, so that each
mapping catches the same errors per post instead of letting one post stop its batch.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from listener.domain import utc

log = logging.getLogger(__name__)
# SQLite stores integers of at most 8 bytes.
MAX_COUNT = 2**63 - 1

RECORD_FAULTS: tuple[type[Exception], ...] = (ValueError, TypeError, AttributeError, OverflowError, RecursionError)
"""What reading one malformed post can raise: a field of the wrong shape (``TypeError``,
``AttributeError``), a time or number out of range (``OverflowError``, ``ValueError``), JSON nested
too deep (``RecursionError``). Caught per post, they make that post's error."""


class RecordError(ValueError):
    """A post that cannot become a mention; the message says which field is wrong."""


def record_problem(error: Exception) -> str:
    """What was wrong with a post, from the error that reading it raised (one of :data:`RECORD_FAULTS`).

    Example::

        >>> record_problem(AttributeError("'list' object has no attribute 'get'"))
        "a field has an unexpected shape (AttributeError: 'list' object has no attribute 'get')"
    """
    if isinstance(error, ValueError):
        return str(error)
    if isinstance(error, RecursionError):
        return f"nested too deeply to read ({error})"
    return f"a field has an unexpected shape ({type(error).__name__}: {error})"


def count(value: Any, field: str) -> int:
    """``value`` as an engagement count: 0 when absent, else an integer from 0 to :data:`MAX_COUNT`.

    Raises :class:`RecordError` naming ``field`` otherwise. Example::

        >>> count(12, "likes"), count(None, "likes")
        (12, 0)
    """
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise RecordError(f"field {field!r} must be a non-negative integer (at most {MAX_COUNT}), got {value!r}")
    return value


def optional_count(value: Any, field: str) -> int | None:
    """Like :func:`count`, but ``None`` stays ``None`` (an author's reach that the source did not give)."""
    return None if value is None else count(value, field)


def service_count(value: Any, field: str) -> int:
    """A count in a service's answer (X, Reddit): as :func:`count`, but one that is no usable integer reads
    as 0, logged, instead of making the post an error: a post skipped for its likes would be a complaint
    lost, since the poll moves past it. (A replay file's counts stay strict: their writer can mend the line.)"""
    counted = _usable_count(value, field)
    return 0 if counted is None else counted


def service_reach(value: Any, field: str) -> int | None:
    """An author's reach in a service's answer, as :func:`service_count` reads counts; unknown (``None``)
    when absent or not usable."""
    return None if value is None else _usable_count(value, field)


def _usable_count(value: Any, field: str) -> int | None:
    try:
        return count(value, field)
    except RecordError as error:
        log.warning("count not used", extra={"reason": str(error)})
        return None


def optional_text(value: Any, field: str) -> str | None:
    """``value`` when it is a string or absent; :class:`RecordError` naming ``field`` otherwise (SQLite
    would refuse a list or an object, and with it the whole batch)."""
    if value is not None and not isinstance(value, str):
        raise RecordError(f"field {field!r} must be a string, got {type(value).__name__}")
    return value


def iso_time(value: Any, field: str) -> datetime:
    """``value``, an ISO 8601 time such as ``2026-11-19T19:42:13Z``, as an aware UTC datetime.

    A time without an offset is taken to be UTC. Raises :class:`RecordError` naming ``field`` when it
    is not such a time, or is one that has no UTC equivalent (``9999-12-31T23:00:00-05:00``).
    """
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(f"field {field!r} is not an ISO 8601 time: {value!r}") from None
    try:
        return utc(moment)
    except OverflowError:
        raise RecordError(f"field {field!r} is out of range (before year 1 or after 9999 in UTC): {value!r}") from None


def epoch_time(seconds: Any, field: str) -> datetime:
    """``seconds`` since 1970-01-01 UTC (Reddit's ``created_utc``) as an aware UTC datetime.

    Raises :class:`RecordError` naming ``field`` unless it is a finite number within years 1 to 9999.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise RecordError(f"field {field!r} must be a number of seconds since 1970, got {seconds!r}")
    try:
        return datetime.fromtimestamp(seconds, timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise RecordError(
            f"field {field!r} is not a time within years 1 to 9999: {seconds!r} seconds since 1970") from None
