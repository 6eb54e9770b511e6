"""The JSONL-file notifier: appends one JSON object per alert, for scripts and audits."""

from __future__ import annotations

import dataclasses
import glob
import json
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from alerts.message import AlertSummary
from alerts.notifiers import AlertMessage, DeliveryError, Lookup
from listener.clock import Clock, system_clock
from listener.domain import utc

# How much earlier than a delivery's start a line's ``sent_at`` may be (a clock set back meanwhile) and still be
# looked at; the backwards scan stops at the first line older than that.
CLOCK_SLACK = timedelta(hours=1)
_BLOCK = 1 << 16


class JsonlNotifier:
    """Appends alerts to a file, one JSON object per line, each with its outbox key and when it was written.

    The file is its own delivery log: after a crash between writing a line and recording it as sent, the
    outbox asks :meth:`lookup`, which reads the file backwards only as far as the delivery's start, so a
    file of months costs nothing at start-up. The file is opened for each line, so an external rotation
    (logrotate's ``create`` or ``copytruncate``) is followed at the next alert; a lookup that reaches the
    start of the file also reads the file rotated last (its name with a suffix beside it, not compressed).
    """

    def __init__(self, name: str, path: Path, clock: Clock = system_clock) -> None:
        self.name = name
        self.path = path
        self._clock = clock

    def lookup(self, key: str, since: datetime, thread: str | None = None) -> Lookup:
        """Whether a line with ``key`` was written at or after ``since`` (the file is its own delivery log)."""
        cutoff = since - CLOCK_SLACK
        try:
            found, reached_cutoff = _find(self.path, key, cutoff)
            if not (found or reached_cutoff) and (rotated := self._rotated()) is not None:
                found, _ = _find(rotated, key, cutoff)
        except OSError as error:
            raise DeliveryError(f"cannot read {self.path}: {error.strerror}") from None
        return Lookup(found=found, ref=key if found else None)

    def _rotated(self) -> Path | None:
        """The file a rotation moved the alerts to last: the newest ``<name>.<suffix>`` or ``<name>-<suffix>``
        beside it, not a compressed one (``None``: none)."""
        siblings = [path for path in self.path.parent.glob(f"{glob.escape(self.path.name)}[.-]*")
                    if path.suffix not in (".gz", ".bz2", ".xz", ".zst") and path.is_file()]
        return max(siblings, key=lambda path: path.stat().st_mtime, default=None)

    def send(self, message: AlertMessage) -> str | None:
        """Append ``message`` as one line; returns its key."""
        record = {"channel": message.alert.channel, **dataclasses.asdict(AlertSummary.of(message)),
                  "sent_at": utc(self._clock()).isoformat()}
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as error:
            raise DeliveryError(f"cannot append to {self.path}: {error.strerror}") from None
        size_before = os.fstat(fd).st_size
        try:
            _write_all(fd, _line_start(fd, size_before) + line)
            os.fsync(fd)
        except OSError as error:
            _cut_back(fd, size_before)
            raise DeliveryError(f"cannot append to {self.path}: {error.strerror}") from None
        finally:
            os.close(fd)
        return message.key


def _write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` (a write may take only part of it), or raise the ``OSError`` that stopped it."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _line_start(fd: int, size: int) -> bytes:
    """A newline when the file's last line is unfinished (a crash or a full disk cut it), so the new line
    starts on a line of its own; else nothing."""
    return b"\n" if size and os.pread(fd, 1, size - 1) not in (b"\n", b"") else b""


def _cut_back(fd: int, size: int) -> None:
    """Remove what a failed append left after ``size`` bytes: a full disk writes part of a line, and the retry's
    line appended to that fragment was invalid JSON while its alert counted as sent. A file rotated meanwhile
    (shorter now) is left as it is."""
    try:
        if os.fstat(fd).st_size > size:
            os.ftruncate(fd, size)
    except OSError:
        pass  # the fragment stays: the next line starts on a line of its own (_line_start)


def _find(path: Path, key: str, cutoff: datetime) -> tuple[bool, bool]:
    """Whether ``path`` has a line with ``key``, reading from its end back to the first line sent before
    ``cutoff``; and whether it reached such a line (older lines: another file need not be read). A file that
    is not there has nothing."""
    try:
        lines = _lines_backwards(path)
        for raw in lines:
            try:
                record = json.loads(raw)
            except ValueError:
                continue  # a torn line from a crash: its alert is written again
            if not isinstance(record, dict):
                continue
            if record.get("key") == key:
                return True, True
            sent_at = _sent_at(record)
            if sent_at is not None and sent_at < cutoff:
                return False, True
    except FileNotFoundError:
        pass
    return False, False


def _sent_at(record: dict) -> datetime | None:
    """When a line was written (``None``: a line written before lines said so, or not a time)."""
    try:
        moment = datetime.fromisoformat(record["sent_at"])
    except (KeyError, TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def _lines_backwards(path: Path) -> Iterator[bytes]:
    """The lines of ``path``, last first, read a block at a time from its end."""
    with path.open("rb") as handle:
        position = handle.seek(0, os.SEEK_END)
        rest = b""
        while position > 0:
            step = min(_BLOCK, position)
            position -= step
            handle.seek(position)
            lines = (handle.read(step) + rest).split(b"\n")
            rest = lines.pop(0)
            yield from (line for line in reversed(lines) if line.strip())
        if rest.strip():
            yield rest
