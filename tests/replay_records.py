"""Replay records for tests: posts at fixed times, written as JSONL."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path


def post(post_id: str, text: str, minute: int = 0, **fields: object) -> dict[str, object]:
    """One replay record at 2026-11-19 10:mm UTC."""
    return {"id": post_id, "text": text, "created_at": f"2026-11-19T10:{minute:02d}:00Z", **fields}


def write_posts(path: Path, records: Iterable[dict[str, object] | str]) -> Path:
    """Write replay records (dicts, or raw strings for broken lines) as JSONL."""
    lines = [record if isinstance(record, str) else json.dumps(record, ensure_ascii=False) for record in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path
