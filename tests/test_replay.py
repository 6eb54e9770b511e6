"""The replay source: JSONL posts in, batches with cursors out, bad lines named and skipped."""

from __future__ import annotations

from listener.brands import BrandMatcher
from listener.config import load_settings
from listener.sources.replay import ReplaySource
from replay_records import post, write_posts


def source(write_config, path, **kwargs):
    settings = load_settings(write_config())
    return ReplaySource(path, BrandMatcher(settings.brands, "replay"), **kwargs)


def test_posts_are_matched_to_brands_and_the_brands_own_posts_are_left_out(write_config, tmp_path):
    path = write_posts(tmp_path / "posts.jsonl", [
        post("1", "la app de Lumora no carga"),
        post("2", "Vireo Net is great"),
        post("3", "nothing to do with anyone"),
        post("4", "Lumora news: new plans", author_handle="lumora"),
    ])
    [batch] = list(source(write_config, path).fetch({}))
    assert [(m.external_id, m.brand) for m in batch.mentions] == [("1", "Lumora"), ("2", "Vireo Net")]
    assert batch.skipped == 2


def test_a_restart_resumes_after_the_last_batch(write_config, tmp_path):
    path = write_posts(tmp_path / "posts.jsonl", [post(str(i), f"Lumora #{i}", i) for i in range(5)])
    first = next(source(write_config, path, batch_size=2).fetch({}))
    assert [m.external_id for m in first.mentions] == ["0", "1"]
    rest = list(source(write_config, path, batch_size=2).fetch(first.cursor))
    assert [m.external_id for batch in rest for m in batch.mentions] == ["2", "3", "4"]
    assert rest[-1].cursor["line"] == "5"


def test_bad_lines_are_reported_with_file_and_line_and_the_rest_still_read(write_config, tmp_path):
    path = write_posts(tmp_path / "posts.jsonl", [
        post("1", "Lumora ok"),
        "{not json",
        post("3", "Lumora bad time", created_at="yesterday"),
        post("4", "Lumora negative likes", likes=-3),
        post("5", "Lumora fine too"),
    ])
    [batch] = list(source(write_config, path).fetch({}))
    assert [m.external_id for m in batch.mentions] == ["1", "5"]
    assert batch.errors[0].startswith(f"{path}:2: not valid JSON")
    assert batch.errors[1] == f"{path}:3: field 'created_at' is not an ISO 8601 time: 'yesterday'"
    assert "'likes' must be a non-negative integer" in batch.errors[2]


def test_paced_replay_hands_on_only_the_posts_whose_time_has_come(write_config, tmp_path):
    path = write_posts(tmp_path / "posts.jsonl", [post(str(i), f"Lumora {i}", minute=i * 10) for i in range(4)])
    now = [1000.0]
    paced = source(write_config, path, speed=60, monotonic=lambda: now[0])  # 10 stream minutes = 10 s
    cursor: dict[str, str] = {}
    seen = []
    for wall in (1000.0, 1009.0, 1010.0, 1031.0):
        now[0] = wall
        for batch in paced.fetch(cursor):
            seen.append((wall, [m.external_id for m in batch.mentions]))
            cursor = batch.cursor
    assert seen == [(1000.0, ["0"]), (1010.0, ["1"]), (1031.0, ["2", "3"])]
