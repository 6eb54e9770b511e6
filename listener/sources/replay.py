"""The replay source: posts from a JSONL file, as fast as possible or paced by their timestamps.

Used by the demo, by the tests and by users who backfill. One JSON object per line; the fields are
listed in :data:`RECORD_FIELDS` and in the README. The cursor is the byte offset of the next unread
line, so a restart resumes exactly where the last committed batch ended, and a digest of the file's
first line: a file replaced by another (rotated, even into a longer one) starts with another post, and
is read from its start. A cursor saved before the digest was kept is read on as it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from listener.brands import BrandMatcher
from listener.domain import Engagement, Mention
from listener.sources import BrandOf, SourceBatch, SourceConfigError
from listener.sources.fields import RECORD_FAULTS, RecordError, count, iso_time, optional_count, record_problem

log = logging.getLogger(__name__)

RECORD_FIELDS = {
    "id": "required: the post's id at its source",
    "text": "required: the post's text",
    "created_at": "required: ISO 8601 time, e.g. 2026-11-19T19:42:13Z",
    "source": "where it was posted (x, reddit, ...); default 'replay'",
    "url": "link to the post",
    "author_handle": "the author's handle",
    "author_name": "the author's display name",
    "author_reach": "the author's followers (integer)",
    "lang": "language the source reported (ISO 639-1)",
    "likes, reposts, replies, quotes": "engagement counts (integers)",
    "conversation_id, parent_id": "the thread and the post it replies to",
    "brand": "the brand it is about; when absent, found from the brand's search terms",
}


_TEXT_FIELDS = ("text", "source", "brand", "url", "author_handle", "author_name", "lang")
_ID_FIELDS = ("id", "conversation_id", "parent_id")


def check_record(record: Any) -> None:
    """Raise :class:`RecordError` naming the first field of ``record`` whose type or size can't be
    stored, before anything (brand matching, the database) trips over it."""
    if not isinstance(record, Mapping):
        raise RecordError("expected a JSON object")
    for key in ("id", "text", "created_at"):
        if record.get(key) is None or (isinstance(record[key], str) and not record[key].strip()):
            raise RecordError(f"missing required field {key!r}")
    for key in _TEXT_FIELDS:
        if record.get(key) is not None and not isinstance(record[key], str):
            raise RecordError(f"field {key!r} must be a string, got {type(record[key]).__name__}")
    for key in _ID_FIELDS:
        value = record.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int))):
            raise RecordError(f"field {key!r} must be a string or an integer, got {type(value).__name__}")


def read_record(line: bytes) -> dict[str, Any]:
    """One line of a JSONL file, as read from it (bytes, newline included), as a checked record.

    Each line is decoded on its own, so only a newline ends a record (a raw U+2028 or U+0085 inside a
    string does not), a line that is not UTF-8 fails alone, and a UTF-8 byte-order mark is read past.
    Raises :class:`RecordError` saying what is wrong. Example::

        >>> read_record(b'{"id": "1", "text": "Lumora", "created_at": "2026-11-19T19:42:13Z"}\\n')["id"]
        '1'
    """
    try:
        record = json.loads(line)
    except UnicodeDecodeError as error:
        raise RecordError(f"not UTF-8 text ({error}); save the file as UTF-8") from None
    except (json.JSONDecodeError, RecursionError) as error:
        raise RecordError(f"not valid JSON ({error})") from None
    check_record(record)
    return record


def record_mention(record: Mapping[str, Any], brand_of: BrandOf) -> Mention | None:
    """The :class:`Mention` a checked record makes, or ``None`` when ``brand_of`` gives it no brand.

    Raises one of :data:`~listener.sources.fields.RECORD_FAULTS` when a field can't be stored.
    """
    brand = brand_of(record["text"], record.get("author_handle"), record.get("brand"))
    return None if brand is None else mention_from_record(record, brand)


def mention_from_record(record: Mapping[str, Any], brand: str) -> Mention:
    """Build a :class:`Mention` from one replay record (see :data:`RECORD_FIELDS`)."""
    check_record(record)
    return Mention(
        source=str(record.get("source") or "replay"),
        external_id=str(record["id"]),
        text=record["text"],
        created_at=iso_time(record["created_at"], "created_at"),
        brand=brand,
        url=record.get("url"),
        author_handle=record.get("author_handle"),
        author_name=record.get("author_name"),
        author_reach=optional_count(record.get("author_reach"), "author_reach"),
        lang=record.get("lang"),
        engagement=Engagement(*(count(record.get(key), key) for key in ("likes", "reposts", "replies", "quotes"))),
        conversation_id=_optional_str(record.get("conversation_id")),
        parent_id=_optional_str(record.get("parent_id")),
        raw=dict(record),
    )


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _is_json(line: bytes) -> bool:
    """Whether a last line without its newline is whole (a file's end) rather than still being written."""
    try:
        json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return False
    return True


@dataclass
class _Pace:
    """When the replay started, in wall time and in the stream's own time."""

    wall_start: float
    stream_start: datetime


class ReplaySource:
    """Replays a JSONL file of posts.

    With ``speed = 0`` every unread line is handed on at once; with ``speed = 60`` a minute of the
    stream's time passes in a second, so each fetch hands on the posts whose time has come.

    Example::

        >>> source = ReplaySource(Path("listener/demo/stream.jsonl"), BrandMatcher(settings.brands, "replay"))
        >>> batch = next(source.fetch({}))
        >>> len(batch.mentions), batch.cursor
        (200, {'offset': '106067', 'line': '200', 'first_line': 'a24ca32a3ba5ce4a'})
    """

    name = "replay"

    def __init__(
        self,
        path: Path,
        brands: BrandMatcher,
        *,
        speed: float = 0,
        batch_size: int = 200,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not path.is_file():
            raise SourceConfigError(f"sources.replay.path: {path} is not a file that can be read; "
                                    "check the path (relative paths are taken from the config file's folder)")
        self.path = path
        self._brands = brands
        self._speed = speed
        self._batch_size = batch_size
        self._monotonic = monotonic
        self._pace: _Pace | None = None

    def fetch(self, cursor: Mapping[str, str]) -> Iterator[SourceBatch]:
        """Yield the unread lines since ``cursor`` in batches (only those due, when paced)."""
        offset = int(cursor.get("offset", 0))
        line_number = int(cursor.get("line", 0))
        try:
            handle = self.path.open("rb")
        except OSError as error:
            raise FileNotFoundError(f"cannot read the replay file {self.path}: {error.strerror}") from None
        with handle:
            replaced = _replacement(handle, offset, cursor.get("first_line"))
            if replaced is not None:
                log.warning("replay file %s: reading it from the start; posts already stored are not stored twice",
                            replaced, extra={"path": str(self.path), "offset": offset})
                offset, line_number = 0, 0
            handle.seek(offset)
            mentions: list[Mention] = []
            errors: list[str] = []
            skipped = 0
            # A replaced file's new place is saved even when nothing is read: an emptied one (copytruncate)
            # warned at every poll until something was written to it.
            moved = replaced is not None
            while True:
                start = handle.tell()
                line = handle.readline()
                if not line:
                    break
                if not line.endswith(b"\n") and (self._speed or not _is_json(line)):
                    handle.seek(start)  # a line still being written: read it once it is complete
                    break
                record = self._parse(line, line_number + 1, errors)
                if record is not None and not self._due(record):
                    handle.seek(start)
                    break
                line_number += 1
                if record is not None:
                    try:
                        mention = record_mention(record, self._brands.brand_for)
                    except RECORD_FAULTS as error:
                        errors.append(f"{self.path}:{line_number}: {record_problem(error)}")
                    else:
                        if mention is None:
                            skipped += 1
                        else:
                            mentions.append(mention)
                if len(mentions) + skipped + len(errors) >= self._batch_size:
                    yield SourceBatch(mentions, _cursor(handle, line_number), skipped, errors)
                    mentions, errors, skipped, moved = [], [], 0, False
            if mentions or errors or skipped or moved:
                yield SourceBatch(mentions, _cursor(handle, line_number), skipped, errors)

    def _parse(self, line: bytes, number: int, errors: list[str]) -> dict[str, Any] | None:
        if not line.strip():
            return None
        try:
            return read_record(line)
        except RecordError as error:
            errors.append(f"{self.path}:{number}: {error}")
            return None

    def _due(self, record: dict[str, Any]) -> bool:
        if not self._speed:
            return True
        try:
            posted = iso_time(record.get("created_at"), "created_at")
        except RecordError:
            return True  # let the mapping report the bad time
        if self._pace is None:
            self._pace = _Pace(self._monotonic(), posted)
            return True
        stream_elapsed = (posted - self._pace.stream_start).total_seconds()
        return stream_elapsed / self._speed <= self._monotonic() - self._pace.wall_start


def _cursor(handle: BinaryIO, line_number: int) -> dict[str, str]:
    """Where reading stopped in ``handle``, and which file it was."""
    return {"offset": str(handle.tell()), "line": str(line_number), "first_line": _first_line_digest(handle)}


def _first_line_digest(handle: BinaryIO) -> str:
    """A digest of the file's first line (without its line ending, which may be written after it)."""
    position = handle.tell()
    handle.seek(0)
    first = handle.readline()
    handle.seek(position)
    return hashlib.sha256(first.rstrip(b"\r\n")).hexdigest()[:16]


def _replacement(handle: BinaryIO, offset: int, first_line: str | None) -> str | None:
    """How the file shows it is not the one the cursor was saved in (``None`` when it is, or may be)."""
    if offset > os.fstat(handle.fileno()).st_size:
        return "is shorter than where reading stopped (replaced or truncated)"
    if offset and first_line is not None and first_line != _first_line_digest(handle):
        return "was replaced (its first line is not the one read before: rotated?)"
    return None
