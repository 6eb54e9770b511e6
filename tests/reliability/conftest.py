"""Fixtures for the reliability tests: the alert and source tests' own, an SMTP server that can go down, and a
small file system that can fill up."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.alerts.alert_helpers import SmtpRecorder, free_port, slack_server  # noqa: F401 (fixture)
from tests.sources.conftest import fake_time, make_settings, throttle  # noqa: F401 (fixtures)


class SwitchableSmtp:
    """A real SMTP server on 127.0.0.1 that the test can stop (connection refused) and start again."""

    def __init__(self) -> None:
        self.recorder = SmtpRecorder()
        self.port = free_port()
        self._controller: Controller | None = None

    def start(self) -> None:
        """Listen on the same port again."""
        self._controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        """Stop listening: connections are refused."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def switchable_smtp() -> Iterator[SwitchableSmtp]:
    """An SMTP server, running; ``stop()`` and ``start()`` take it down and bring it back."""
    server = SwitchableSmtp()
    server.start()
    yield server
    server.stop()


class SmallDisk:
    """A real, size-limited file system (tmpfs) mounted at ``path``, that the test can fill up and free again."""

    # Not 4 MB: SQLite checkpoints its WAL at 1000 pages (about 4 MB), so on a smaller file system the WAL fills
    # it before any checkpoint, and the database stays full even after the filler is deleted.
    SIZE = "16m"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._filler = path / "filler"

    def fill(self) -> None:
        """Write a filler file until the file system has no room left: writes fail with ENOSPC."""
        with self._filler.open("ab", buffering=0) as filler:
            try:
                while True:
                    filler.write(bytes(65536))
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise

    def free(self) -> None:
        """Delete the filler file: the room it took is free again."""
        self._filler.unlink()

    def read_only(self) -> None:
        """Mount it read-only, as the kernel does after disk errors (errors=remount-ro): even root cannot write."""
        subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)


@pytest.fixture
def small_disk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmallDisk]:
    """A 16 MB tmpfs, unmounted afterwards; skips the test where it cannot be mounted (not root, no mount)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a real full disk needs root and the mount command, to mount a size-limited tmpfs")
    mount_point = tmp_path_factory.mktemp("small-disk")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SmallDisk.SIZE}", "tmpfs", str(mount_point)],
                             check=False, capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a size-limited tmpfs at {mount_point}: {mounted.stderr.strip()}")
    try:
        yield SmallDisk(mount_point)
    finally:
        # --lazy: a test that failed may leave the database open; the mount still goes, once it is closed
        subprocess.run(["umount", "--lazy", str(mount_point)], check=True)
