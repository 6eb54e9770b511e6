"""The bundled demo stream: rebuilt exactly by its generator, and shaped as the demo and its readers expect."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta

import pytest

from listener.demo.generate import STREAM_PATH, generate

FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "source": str,
    "id": str,
    "url": str,
    "author_handle": str,
    "author_name": str,
    "author_reach": int,
    "text": str,
    "lang": (str, type(None)),
    "created_at": str,
    "likes": int,
    "reposts": int,
    "replies": int,
    "quotes": int,
    "conversation_id": (str, type(None)),
    "parent_id": (str, type(None)),
    "brand": str,
    "expected": dict,
}
TOPICS = {"billing", "outage", "speed", "app", "support", "cancel", "roaming", "installation", "delivery", None}
KINDS = {"complaint", "praise", "question", "news", "joke", "competitor"}


@pytest.fixture(scope="module")
def records() -> list[dict]:
    lines = STREAM_PATH.read_text(encoding="utf-8").split("\n")
    return [json.loads(line) for line in lines if line]


def moment(record: dict) -> datetime:
    return datetime.strptime(record["created_at"], "%Y-%m-%dT%H:%M:%SZ")


def test_committed_stream_is_what_the_generator_writes(tmp_path):
    rebuilt = tmp_path / "stream.jsonl"
    generate(rebuilt)
    assert rebuilt.read_bytes() == STREAM_PATH.read_bytes(), "run `python -m listener.demo.generate` and commit"


def test_every_record_has_exactly_the_replay_fields_with_their_types(records):
    for record in records:
        assert list(record) == list(FIELD_TYPES), record["id"]
        for name, expected_type in FIELD_TYPES.items():
            assert isinstance(record[name], expected_type) and not isinstance(record[name], bool), (record["id"], name)
        assert record["source"] in {"x", "reddit"}
        assert record["lang"] in {"es", "en", "pt", None}
        assert record["brand"] in {"Lumora", "Vireo Net"}
        assert moment(record).strftime("%Y-%m-%dT%H:%M:%SZ") == record["created_at"]
        expected = record["expected"]
        assert list(expected) == ["complaint", "topic", "kind"], record["id"]
        assert isinstance(expected["complaint"], bool)
        assert expected["topic"] in TOPICS and expected["kind"] in KINDS
        assert (expected["topic"] is not None) == expected["complaint"], record["id"]


def test_ids_are_unique(records):
    assert len({record["id"] for record in records}) == len(records)


def test_records_are_sorted_by_time_within_the_three_days(records):
    times = [record["created_at"] for record in records]
    assert times == sorted(times)
    assert times[0] >= "2026-11-18T00:00:00Z" and times[-1] <= "2026-11-20T23:59:59Z"


def test_replies_point_to_earlier_posts_in_the_stream(records):
    seen: dict[str, dict] = {}
    replies = 0
    for record in records:
        if record["parent_id"] is not None:
            replies += 1
            assert record["parent_id"] in seen and record["conversation_id"] in seen, record["id"]
        seen[record["id"]] = record
    assert 0.07 <= replies / len(records) <= 0.13


def test_languages_are_mostly_spanish_then_english_then_portuguese(records):
    reported = Counter(record["lang"] for record in records if record["lang"] is not None)
    total = sum(reported.values())
    assert 0.40 <= reported["es"] / total <= 0.50
    assert 0.25 <= reported["en"] / total <= 0.35
    assert 0.20 <= reported["pt"] / total <= 0.30


def test_a_complaint_burst_stands_out_on_the_evening_of_the_19th(records):
    complaint_times = [moment(record) for record in records if record["expected"]["complaint"]]
    window = timedelta(minutes=60)
    start = max(complaint_times, key=lambda begin: sum(begin <= t < begin + window for t in complaint_times))
    in_window = sum(start <= t < start + window for t in complaint_times)
    assert start.date().isoformat() == "2026-11-19"
    assert in_window >= 40
    per_hour = Counter(t.replace(minute=0, second=0) for t in complaint_times)
    quiet_hours = {hour: count for hour, count in per_hour.items()
                   if hour + timedelta(hours=1) <= start or hour >= start + window}
    assert max(quiet_hours.values()) <= 10


def test_about_a_third_of_lumora_posts_are_complaints(records):
    lumora = [record for record in records if record["brand"] == "Lumora"]
    share = sum(record["expected"]["complaint"] for record in lumora) / len(lumora)
    assert 0.33 <= share <= 0.42
