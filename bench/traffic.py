"""Brand traffic in the replay format (README, "The replay format"), shared by the benchmarks and the
reliability tests: a steady day of posts about Lumora, either short synthetic ones (one in
``complaint_every`` a complaint, as the lexicon sees it) or the bundled demo stream's real-looking
posts in a loop, and the demo config pointed at such a file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "listener" / "demo"

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


def demo_posts(count: int, *, seconds_apart: float = 17.28,
               start: datetime = START) -> Iterator[dict[str, object]]:
    """``count`` posts cycling through the demo stream's texts, re-numbered and re-timed ``seconds_apart``.

    The demo mixes languages, praise, questions, news and complaints (about 20 % alert on its rules).
    """
    stream = [json.loads(line) for line in (DEMO / "stream.jsonl").read_text(encoding="utf-8").splitlines()]
    for number in range(count):
        record = dict(stream[number % len(stream)])
        record.pop("expected", None)
        created = start + timedelta(seconds=number * seconds_apart)
        record.update(id=f"d{number}", created_at=created.strftime("%Y-%m-%dT%H:%M:%SZ"), conversation_id=None,
                      parent_id=None, text=f"{record['text']} ({number})")
        yield record


def demo_config(folder: Path, *, replay: Path, speed: float = 0, extra: str = "") -> Path:
    """The bundled demo config, replaying ``replay`` at ``speed`` with its database in ``folder``."""
    text = (DEMO / "demo.toml").read_text(encoding="utf-8")
    text = text.replace('path = "stream.jsonl"', f'path = "{replay}"').replace("speed = 432", f"speed = {speed}")
    text = text.replace('path = "listener-demo.db"', f'path = "{folder / "listener.db"}"')
    text = text.replace('path = "demo-alerts.jsonl"', f'path = "{folder / "alerts.jsonl"}"')
    config = folder / "listener.toml"
    config.write_text(text + extra, encoding="utf-8")
    return config
