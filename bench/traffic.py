"""Synthetic brand traffic in the replay format (README, "The replay format"), shared by the benchmarks
and the reliability tests: a steady day of posts about Lumora, one in ``complaint_every`` a complaint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

START = datetime(2026, 11, 19, 0, 0, tzinfo=timezone.utc)
COMPLAINTS = (
    "Lumora me cobró dos veces este mes, es una estafa",
    "@lumora the app is down again, worst service ever",
    "Lumora sem internet há 3 dias, péssimo atendimento",
)
OTHERS = (
    "Gracias Lumora, todo perfecto hoy",
    "I love my new Lumora plan",
    "Alguém sabe se a Lumora tem fibra em Curitiba?",
    "Lumora anuncia 5G en Sevilla",
)


def synthetic_posts(count: int, *, complaint_every: int = 10, seconds_apart: float = 17.28,
                    start: datetime = START) -> Iterator[dict[str, object]]:
    """``count`` replay records, ``seconds_apart`` apart (the default spreads 5,000 over a day).

    Every text is unique (it carries its post number), so no two posts look like the same one.
    """
    for number in range(count):
        pool = COMPLAINTS if number % complaint_every == 0 else OTHERS
        created = start + timedelta(seconds=number * seconds_apart)
        yield {
            "id": f"p{number}",
            "text": f"{pool[number % len(pool)]} #{number}",
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "author_handle": f"user{number % 997}",
            "author_reach": (number * 37) % 20000,
            "url": f"https://example.com/p{number}",
        }


def write_jsonl(path: Path, records: Iterator[dict[str, object]]) -> Path:
    """Write ``records`` as one JSON object per line."""
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
