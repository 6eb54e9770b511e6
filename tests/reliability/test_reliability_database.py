"""The database locked by another process, or its disk full: a clear error, nothing accepted lost, work resumes."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from bench.traffic import synthetic_posts, write_jsonl
from listener.app import Listener
from listener.config import load_settings
from listener.daemon import run_daemon
from listener.sources.replay import mention_from_record
from listener.store import Store, StoreUnavailable
from tests.test_daemon import wait_for

POSTS = 1000
HOLD_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""


def lock_database(path: Path, seconds: float) -> subprocess.Popen:
    """Another process that holds an exclusive lock on ``path`` for ``seconds``."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path), str(seconds)], stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def assert_everything_once(app: Listener, alerts_file: Path) -> None:
    """Every replayed post stored once and classified, and every complaint's alert in the file once."""
    stored = Counter(row[0] for row in app.store.db.execute("SELECT external_id FROM mentions"))
    assert set(stored) == {f"p{number}" for number in range(POSTS)} and set(stored.values()) == {1}
    assert app.store.stats()["classified"] == POSTS
    keys = Counter(json.loads(line)["key"] for line in alerts_file.read_text().splitlines())
    assert len(keys) == POSTS // 10 and set(keys.values()) == {1}


def test_a_write_blocked_by_another_process_lock_fails_with_a_clear_error_and_succeeds_after(tmp_path):
    store = Store.open(tmp_path / "listener.db", busy_timeout=0.5)
    mentions = [mention_from_record(record, "Lumora") for record in synthetic_posts(3)]
    holder = lock_database(tmp_path / "listener.db", 3)
    with pytest.raises(StoreUnavailable, match="another process holds a lock on it") as error:
        store.save_batch("replay", mentions, {"offset": "300"})
    assert str(tmp_path / "listener.db") in str(error.value)
    holder.wait(timeout=10)
    assert store.cursor("replay") == {} and store.stats()["mentions"] == 0, "the failed write left nothing half done"
    assert store.save_batch("replay", mentions, {"offset": "300"}).new == 3


def test_a_poll_waits_for_another_process_lock_to_go_and_then_stores_everything(tmp_path, write_config):
    write_jsonl(tmp_path / "posts.jsonl", synthetic_posts(POSTS))
    with Listener(load_settings(write_config())) as app:
        holder = lock_database(tmp_path / "listener.db", 2)
        started = time.monotonic()
        app.poll_once()
        assert time.monotonic() - started >= 1.5 and holder.wait(timeout=10) == 0
        assert_everything_once(app, tmp_path / "alerts.jsonl")


@pytest.mark.slow
def test_a_full_disk_stops_the_daemon_s_writes_with_a_clear_error_and_it_resumes_once_there_is_room(
        tmp_path, write_config, caplog):
    write_jsonl(tmp_path / "posts.jsonl", synthetic_posts(POSTS))
    caplog.set_level(logging.INFO)
    settings = load_settings(write_config("[alerts]\ndelivery_interval_seconds = 0.2\n", batch_size=50))
    settings.sources.replay.interval_seconds = 0.2
    app = Listener(settings)
    pages = app.store.db.execute("PRAGMA page_count").fetchone()[0]
    app.store.db.execute(f"PRAGMA max_page_count = {pages + 20}")  # SQLite's own SQLITE_FULL, as on a full disk
    daemon = threading.Thread(target=run_daemon, args=(app,), kwargs={"handle_signals": False})
    daemon.start()
    try:
        assert wait_for(lambda: "database or disk is full" in caplog.text)
        stuck = app.store.stats()["mentions"]
        assert 0 < stuck < POSTS
        assert "free some space" in caplog.text and "nothing committed is lost" in caplog.text
        offset = int(app.store.cursor("replay")["offset"])
        assert offset == sum(len(line) + 1 for line in (tmp_path / "posts.jsonl").read_bytes().split(b"\n")[:stuck])

        app.store.db.execute("PRAGMA max_page_count = 1073741823")  # space freed
        assert wait_for(lambda: app.store.stats()["alerts_sent"] == POSTS // 10 and
                        app.store.stats()["classified"] == POSTS)
    finally:
        app.stop_event.set()
        daemon.join(timeout=15)
    assert_everything_once(app, tmp_path / "alerts.jsonl")
    app.close()

