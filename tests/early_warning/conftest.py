"""Fixtures of the early-warning tests: a real store in tmp_path, a clock the test moves, the config."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from early_warning_helpers import MovableClock
from listener.config import EarlyWarningConfig
from listener.store import Store


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def open_store(tmp_path: Path, clock: MovableClock) -> Callable[[], Store]:
    """Opens the same database file each call (a second call is a restart)."""
    return lambda: Store.open(tmp_path / "listener.db", clock)


@pytest.fixture
def config() -> EarlyWarningConfig:
    return EarlyWarningConfig(enabled=True, channels=["console", "file"])
