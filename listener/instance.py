"""A lock file beside the database, so two daemons never work on the same database at once."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class AlreadyRunning(Exception):
    """Another listener holds the database."""


class InstanceLock:
    """An exclusive, non-blocking ``flock`` on ``<database>.lock``; released when the process dies.

    The lock is beside the database's real path, so a second name for it (a symlink) finds the same lock.
    """

    def __init__(self, database: Path) -> None:
        self.path = Path(f"{database.resolve()}.lock")
        self._fd: int | None = None

    def acquire(self) -> "InstanceLock":
        """Take the lock, or raise :class:`AlreadyRunning` naming the holder's pid."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise AlreadyRunning(
                f"another listener (pid {holder}) is already running on {self.path.with_suffix('')}; "
                "stop it first, or give this one its own storage.path"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Release the lock."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "InstanceLock":
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()
