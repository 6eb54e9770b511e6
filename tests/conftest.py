"""Fixtures shared by the whole suite: configs written to disk, the shared data folder."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

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


def post(post_id: str, text: str, minute: int = 0, **fields: object) -> dict[str, object]:
    """One replay record at 2026-11-19 10:mm UTC."""
    return {"id": post_id, "text": text, "created_at": f"2026-11-19T10:{minute:02d}:00Z", **fields}


def write_posts(path: Path, records: Iterable[dict[str, object] | str]) -> Path:
    """Write replay records (dicts, or raw strings for broken lines) as JSONL."""
    lines = [record if isinstance(record, str) else json.dumps(record, ensure_ascii=False) for record in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path
