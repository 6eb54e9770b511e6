"""Fixtures for the source tests: real settings from a TOML file, throttles on fake time."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from listener.config import Settings, load_settings
from listener.sources.throttle import RetryPolicy, Throttle
from tests.sources.recordings import BEARER, FakeTime

SETTINGS = """
[[brands]]
name = "KFC"
terms = {{ x = ["kfc"], reddit = ["praw", "oauth"], "*" = ["kfc", "KFC"] }}
own_handles = ["lumora_support"]
ignored_handles = ["kfc_news"]

[[brands]]
name = "Lequipe"
terms = {{ "*" = ["lequipe", "@lequipe"], reddit = ["school", "phone"] }}
competitor = true

[sources.x]
enabled = {x_enabled}
bearer_token = "${{X_BEARER_TOKEN}}"

[sources.reddit]
enabled = {reddit_enabled}
client_id = "${{REDDIT_CLIENT_ID}}"
client_secret = "${{REDDIT_CLIENT_SECRET}}"
subreddits = ["all"]
comment_subreddits = ["askreddit"]

[classifier]
backend = "lexicon"

[alerts]
operator_channel = "ops"

[[alerts.channels]]
name = "ops"
type = "jsonl"
path = "ops.jsonl"

[storage]
path = "listener.db"
retention_days = 36500  # the recordings date from 2016 to 2021: a backfill of them is kept
"""

KEYWORD_RULE = """
[[alerts.channels]]
name = "alerts"
type = "jsonl"
path = "alerts.jsonl"

[[alerts.rules]]
name = "keywords"
complaint_threshold = false
default_keywords = false
keywords = {keywords}
channels = ["alerts"]
"""


@pytest.fixture
def fake_time() -> FakeTime:
    """Injected time for throttles."""
    return FakeTime()


@pytest.fixture
def throttle(fake_time: FakeTime) -> Callable[[str], Throttle]:
    """A throttle on fake time with no jitter (waits are exact): ``throttle("x")``."""
    return lambda service: Throttle(service, policy=RetryPolicy(attempts=3, base_seconds=1.0), sleep=fake_time.sleep,
                                    clock=fake_time.clock, jitter=lambda: 1.0)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Real settings from a TOML file in tmp_path, with the credentials in a fake environment.

    With ``alert_keywords``, a rule alerts on them to ``tmp_path / "alerts.jsonl"`` (see ``alert_lines``).
    """

    def make(*, x: bool = True, reddit: bool = False, alert_keywords: Sequence[str] = ()) -> Settings:
        path = tmp_path / "listener.toml"
        text = SETTINGS.format(x_enabled=str(x).lower(), reddit_enabled=str(reddit).lower())
        if alert_keywords:
            text += KEYWORD_RULE.format(keywords=json.dumps(list(alert_keywords)))
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        environ = {"X_BEARER_TOKEN": BEARER, "REDDIT_CLIENT_ID": "test-client-id",
                   "REDDIT_CLIENT_SECRET": "test-client-secret"}
        return load_settings(path, environ=environ)

    return make


@pytest.fixture
def alert_lines(tmp_path: Path) -> Callable[[], list[dict]]:
    """The alerts delivered so far to the ``alert_keywords`` rule's file, oldest first."""

    def read() -> list[dict]:
        path = tmp_path / "alerts.jsonl"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        return [json.loads(line) for line in lines]

    return read
