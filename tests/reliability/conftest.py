"""Fixtures for the reliability tests: the alert and source tests' own, and an SMTP server that can go down."""

from __future__ import annotations

from collections.abc import Iterator

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
