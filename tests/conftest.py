"""Fixtures shared by the whole suite: a working config written to disk."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

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
