"""Fixtures shared by the whole suite: a working config written to disk."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

from listener.domain import Alert, Mention
from listener.store import StoredAlert, Store

BASE_CONFIG = """
[[brands]]
name = "Lumora"
terms = {{ "*" = ["Lumora", "@lumora"] }}
own_handles = ["lumora"]

[[brands]]
name = "Vireo Net"
terms = {{ "*" = ["Vireo Net", "@vireonet"] }}
competitor = true

[sources.replay]
enabled = true
path = "{replay}"
batch_size = {batch_size}

[classifier]
backend = "lexicon"

[[alerts.channels]]
name = "file"
type = "jsonl"
path = "alerts.jsonl"

[[alerts.rules]]
name = "complaints"
complaint_threshold = 0.5
keywords = ["denuncia", "lawyer"]
channels = ["file"]

[storage]
path = "listener.db"
retention_days = 36500  # the test posts have fixed dates: stored whatever day the suite runs
"""


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a working config (replay source, lexicon classifier, JSONL alerts) into tmp_path."""

    def write(extra: str = "", *, replay: str = "posts.jsonl", batch_size: int = 200, text: str | None = None) -> Path:
        path = tmp_path / "listener.toml"
        body = text if text is not None else BASE_CONFIG.format(replay=replay, batch_size=batch_size)
        path.write_text(textwrap.dedent(body) + textwrap.dedent(extra), encoding="utf-8")
        return path

    return write


@pytest.fixture
def one_alert(tmp_path: Path) -> StoredAlert:
    """The one alert, pending, of a new database at the test config's storage.path, about a stored complaint."""
    store = Store.open(tmp_path / "listener.db")
    store.save_batch("x", [Mention("x", "1", "Lumora sin internet", datetime(2026, 11, 19, tzinfo=timezone.utc), "Lumora")])
    mention_id = store.mention_by_key("x", "1").id
    store.enqueue_alerts([mention_id], [Alert(key="mention:1:file", channel="file", brand="Lumora", rule="r",
                                              severity="normal", title="t", reasons=(), mention_id=mention_id)])
    [alert] = store.alerts()
    store.close()
    return alert
