"""Fixtures for the digest tests: a real store in tmp_path with an injected clock, and a filler for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from listener.store import Store
from tests.digest.digest_support import MORNING_AFTER, FakeClock, StoreFiller


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING_AFTER)


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock):
    opened = Store.open(tmp_path / "listener.db", clock)
    yield opened
    opened.close()


@pytest.fixture
def filler(store: Store, clock: FakeClock) -> StoreFiller:
    return StoreFiller(store, clock)
