"""The JSONL-file notifier: appends one JSON object per alert, for scripts and audits."""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import datetime
from pathlib import Path

from alerts.message import AlertSummary
from alerts.notifiers import AlertMessage, DeliveryError, Lookup


class JsonlNotifier:
    """Appends alerts to a file, one JSON object per line, each with its outbox key.

    The file is its own delivery log: keys already in it are not written again, so a crash between
    writing a line and recording it as sent does not produce a second line after the restart.
    """

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = path
        self._written = self._keys_in_file()
        self._torn_tail = self._ends_mid_line()

    def _keys_in_file(self) -> set[str]:
        if not self.path.exists():
            return set()
        keys = set()
        with self.path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    keys.add(json.loads(line)["key"])
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue  # a torn last line from a crash: its alert is written again
        return keys

    def _ends_mid_line(self) -> bool:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return False
        with self.path.open("rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) != b"\n"

    def lookup(self, key: str, since: datetime, thread: str | None = None) -> Lookup:
        """Whether a line with ``key`` is in the file (it is its own delivery log)."""
        self._written = self._keys_in_file()
        return Lookup(found=key in self._written, ref=key if key in self._written else None)

    def send(self, message: AlertMessage) -> str | None:
        """Append ``message`` unless its key is already in the file; returns the key."""
        key = message.key
        if key in self._written:
            return key
        record = {"channel": message.alert.channel, **dataclasses.asdict(AlertSummary.of(message))}
        line = ("\n" if self._torn_tail else "") + json.dumps(record, ensure_ascii=False) + "\n"
        size_before: int | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            size_before = self.path.stat().st_size if self.path.exists() else 0
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:
            if size_before is not None:
                self._cut_back_to(size_before)
            raise DeliveryError(f"cannot append to {self.path}: {error.strerror}") from None
        self._written.add(key)
        self._torn_tail = False
        return key

    def _cut_back_to(self, size: int) -> None:
        """Remove what a failed append left after ``size`` bytes: a full disk writes part of a line, and the
        retry's line appended to that fragment was invalid JSON while its alert counted as sent."""
        try:
            os.truncate(self.path, size)
        except OSError:
            self._torn_tail = True  # the fragment stays: at least the next line starts on a line of its own
