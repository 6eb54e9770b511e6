"""The recorded API responses in ../shared/fixtures, read in place, and fake time for throttles.

The recordings are never copied into the repo; a test that needs one skips, saying why, when the
shared folder is absent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
BEARER = "AAAAAAAAAAAAAAAAAAAAAtest-bearer-value-do-not-log"
NOW = datetime(2021, 7, 4, 13, 0, 0, tzinfo=timezone.utc)


def fixture_path(relative: str) -> Path:
    """A recording in the shared fixtures folder; skips the test when the folder is not there."""
    path = FIXTURES / relative
    if not path.exists():
        pytest.skip(f"recorded API responses not found at {path} (the shared fixtures folder beside the repo)")
    return path


@dataclass
class Recorded:
    """One recorded HTTP response, ready to be served again."""

    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        """The body, parsed."""
        return json.loads(self.body)


def replayable(headers: dict[str, str]) -> dict[str, str]:
    """Headers fit to serve again: the stored bodies are decoded and their lengths changed (fixtures README)."""
    return {key: value for key, value in headers.items() if key.lower() not in {"content-encoding", "content-length",
                                                                                "transfer-encoding", "connection"}}


def x_recording(name: str) -> Recorded:
    """An X response from ``x/``: a derived httptest recording, or a bare body (with no headers)."""
    document = json.loads(fixture_path(f"x/{name}").read_text(encoding="utf-8"))
    if "response" in document:
        response = document["response"]
        return Recorded(response["status_code"], replayable(response["headers"]), response["body"])
    return Recorded(200, {"content-type": "application/json"}, json.dumps(document))


@dataclass
class FakeTime:
    """A clock that only moves when the code under test sleeps; the sleeps are recorded."""

    now: datetime = NOW
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> datetime:
        """The current fake time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record the wait and move the clock on."""
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)
