"""The replay source: JSONL posts in, batches with cursors out, bad lines named and skipped."""

from __future__ import annotations

import json
import logging

import pytest

from listener.brands import BrandMatcher
from listener.config import load_settings
from listener.sources.replay import ReplaySource
from listener.store import Store
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


def test_a_post_whose_text_is_blank_is_reported_not_classified(write_config, tmp_path):
    """With its brand named, such a line used to be stored, and the embedded model reads a post with
    no word at all as 0.9 likely a complaint in any language but English."""
    path = write_posts(tmp_path / "posts.jsonl", [post("1", " \n\t ", brand="Lumora"), post("2", "Lumora ok")])
    [batch] = list(source(write_config, path).fetch({}))
    assert [m.external_id for m in batch.mentions] == ["2"]
    assert batch.errors == [f"{path}:1: missing required field 'text'"]


BAD_FIELDS = [{"brand": ["Lumora"]}, {"author_handle": 12345}, {"lang": {"code": "es"}}, {"url": ["http://x"]},
              {"author_name": ["Ana"]}, {"likes": 10**30}, {"author_reach": 10**20}, {"id": {"n": 1}}]


def test_a_field_of_the_wrong_type_or_size_skips_its_line_and_the_others_are_stored(write_config, tmp_path):
    """Such a line used to fail the whole batch in the database, every poll: nothing after it was stored."""
    records = [post("0", "Lumora ok")]
    for n, fields in enumerate(BAD_FIELDS, start=1):
        records += [post(f"bad{n}", "Lumora sin internet", **fields), post(str(n), "Lumora sigue sin internet")]
    path = write_posts(tmp_path / "posts.jsonl", records)
    [batch] = list(source(write_config, path).fetch({}))
    assert [m.external_id for m in batch.mentions] == [str(n) for n in range(len(BAD_FIELDS) + 1)]
    assert [error.split(": ", 1)[0] for error in batch.errors] == [f"{path}:{2 * n}" for n in range(1, len(BAD_FIELDS) + 1)]
    assert "field 'brand' must be a string, got list" in batch.errors[0]
    store = Store.open(tmp_path / "l.db")
    assert store.save_batch("replay", batch.mentions).new == len(BAD_FIELDS) + 1


@pytest.mark.parametrize("speed", [0, 60])
def test_a_line_still_being_written_is_read_once_it_is_complete(write_config, tmp_path, speed):
    path = write_posts(tmp_path / "posts.jsonl", [post("1", "Lumora uno")])
    whole = json.dumps(post("2", "Lumora dos, sin internet"))
    with path.open("a") as handle:
        handle.write(whole[:30])
    replay = source(write_config, path, speed=speed)
    [batch] = list(replay.fetch({}))
    assert ([m.external_id for m in batch.mentions], batch.errors) == (["1"], [])
    with path.open("a") as handle:
        handle.write(whole[30:] + "\n")
    [batch] = list(replay.fetch(batch.cursor))
    assert ([m.external_id for m in batch.mentions], batch.errors, batch.cursor["line"]) == (["2"], [], "2")


def test_a_last_line_without_its_newline_is_read(write_config, tmp_path):
    path = tmp_path / "posts.jsonl"
    path.write_text(json.dumps(post("1", "Lumora uno")), encoding="utf-8")
    [batch] = list(source(write_config, path).fetch({}))
    assert [m.external_id for m in batch.mentions] == ["1"]


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


def test_a_file_replaced_by_a_shorter_one_is_read_from_its_start(write_config, tmp_path, caplog):
    """A rotated file: reading on from the old offset would skip every new post, silently."""
    path = write_posts(tmp_path / "posts.jsonl", [post(str(n), f"Lumora {n} " + "x" * 200) for n in range(5)])
    replay = source(write_config, path)
    [batch] = list(replay.fetch({}))
    write_posts(path, [post("new1", "Lumora otra vez sin internet")])
    [after] = list(replay.fetch(batch.cursor))
    assert [m.external_id for m in after.mentions] == ["new1"] and after.cursor["line"] == "1"
    assert "replay file is shorter than where reading stopped" in caplog.text


def test_a_file_emptied_by_copytruncate_does_not_warn_at_every_poll_until_it_is_written_to(
        write_config, tmp_path, caplog):
    """logrotate's copytruncate left the file empty: nothing read, the old offset stayed saved, and every poll
    warned 'replay file is shorter than where reading stopped' again, for as long as nothing was written."""
    path = write_posts(tmp_path / "posts.jsonl", [post(str(n), f"Lumora {n}") for n in range(5)])
    replay = source(write_config, path)
    [batch] = list(replay.fetch({}))
    cursor = batch.cursor
    path.write_text("", encoding="utf-8")
    read = []
    for poll in range(10):
        if poll == 8:
            write_posts(path, [post("new1", "Lumora otra vez sin internet")])
        for batch in replay.fetch(cursor):  # as the pipeline saves each batch's cursor
            read += [m.external_id for m in batch.mentions]
            cursor = batch.cursor
    assert caplog.text.count("replay file is shorter than where reading stopped") == 1
    assert read == ["new1"]


def test_a_rotated_file_is_read_from_its_start_even_when_the_new_one_is_longer(write_config, tmp_path, caplog):
    """Renamed away and replaced by a file at least as long: reading on from the old offset lost its first posts."""
    path = write_posts(tmp_path / "posts.jsonl", [post(f"old{n}", f"Lumora old {n}") for n in range(3)])
    replay = source(write_config, path)
    [batch] = list(replay.fetch({}))
    path.rename(tmp_path / "posts.jsonl.1")
    write_posts(path, [post(f"new{n}", f"Lumora new {n}") for n in range(6)])
    [after] = list(replay.fetch(batch.cursor))
    assert [m.external_id for m in after.mentions] == [f"new{n}" for n in range(6)] and after.cursor["line"] == "6"
    assert "replay file was replaced" in caplog.text


def test_a_cursor_saved_before_the_first_line_was_kept_reads_on_from_its_offset(write_config, tmp_path, caplog):
    path = write_posts(tmp_path / "posts.jsonl", [post(str(n), f"Lumora #{n}", n) for n in range(5)])
    first = next(source(write_config, path, batch_size=2).fetch({}))
    old_cursor = {"offset": first.cursor["offset"], "line": first.cursor["line"]}
    rest = list(source(write_config, path).fetch(old_cursor))
    assert [m.external_id for batch in rest for m in batch.mentions] == ["2", "3", "4"]
    assert "replay file" not in caplog.text


def test_a_first_line_read_before_its_newline_was_written_is_still_the_same_file(write_config, tmp_path, caplog):
    path = tmp_path / "posts.jsonl"
    path.write_text(json.dumps(post("1", "Lumora uno")), encoding="utf-8")
    replay = source(write_config, path)
    [batch] = list(replay.fetch({}))
    with path.open("a") as handle:
        handle.write("\n" + json.dumps(post("2", "Lumora dos")) + "\n")
    [after] = list(replay.fetch(batch.cursor))
    assert [m.external_id for m in after.mentions] == ["2"] and "replay file" not in caplog.text


@pytest.mark.parametrize("poison", [
    json.dumps(post("2", "Lumora sin internet", created_at="9999-12-31T23:00:00-05:00")),  # after 9999 in UTC
    "[" * 100_000,  # deeper than the JSON decoder goes
], ids=["time-after-9999-in-utc", "nested-too-deep"])
def test_a_line_that_cannot_be_read_is_reported_and_the_lines_around_it_are_stored(write_config, tmp_path, poison):
    """Such a line used to end every poll with a traceback, the lines before and after it never stored."""
    path = write_posts(tmp_path / "posts.jsonl", [post("1", "Lumora ok"), poison, post("3", "Lumora fine too")])
    [batch] = list(source(write_config, path).fetch({}))
    assert [m.external_id for m in batch.mentions] == ["1", "3"]
    assert [error.split(": ", 1)[0] for error in batch.errors] == [f"{path}:2"]
    assert batch.cursor["line"] == "3"


def test_a_source_failing_at_every_poll_does_not_log_a_line_at_every_poll(write_config, tmp_path, caplog):
    """A replay file gone for hours (a folder in its place) logged 'source call failed' at each poll: 1,440 lines
    a day at a minute's interval. Now the first failure is logged, then one line an hour with the count, and
    one line when it works again."""
    from listener.sources.guard import GuardedSource

    path = write_posts(tmp_path / "posts.jsonl", [post("1", "Lumora #1")])
    guarded = GuardedSource(source(write_config, path), lambda name, reason: None)
    path.unlink()
    path.mkdir()
    with caplog.at_level("INFO", logger="listener.sources.guard"):
        for _ in range(100):
            assert list(guarded.fetch({})) == []
        path.rmdir()
        write_posts(path, [post("1", "Lumora #1")])
        assert len(list(guarded.fetch({}))) == 1
    assert [(record.getMessage(), getattr(record, "failures", None)) for record in caplog.records
            if record.name == "listener.sources.guard"] == [
        ("source call failed; tried again next poll", None), ("source call works again", 100)]


def test_a_failure_that_persists_is_logged_again_each_hour_with_how_often_it_failed(caplog):
    from listener.logs import PersistingFailures

    now = [0.0]
    failures = PersistingFailures(logging.getLogger("test"), monotonic=lambda: now[0])
    with caplog.at_level("INFO", logger="test"):
        for minute in range(121):
            now[0] = minute * 60.0
            failures.failed("x", "down", source="x")
    assert [(record.getMessage(), getattr(record, "repeated", None)) for record in caplog.records
            if record.name == "test"] == [("down", None), ("down", 60), ("down", 60)]
