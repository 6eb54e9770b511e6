"""The database locked by another process, or its disk full: a clear error, nothing accepted lost, work resumes."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from alerts.digest import send_daily_digests
from bench.traffic import synthetic_posts, write_jsonl
from listener.app import Listener
from listener.config import Settings, load_settings
from listener.daemon import run_daemon
from listener.sources.replay import mention_from_record
from listener.store import Store, StoreUnavailable
from tests.alerts.alert_helpers import free_port
from tests.digest.digest_support import DAY, FakeClock, StoreFiller, at, email_channel, make_settings
from tests.test_daemon import wait_for

POSTS = 1000
BEFORE_THE_DISK_FILLS = 300
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


def quick_settings(write_config: Callable[..., Path]) -> Settings:
    """The replay of ``posts.jsonl`` in batches of 50, polled and delivered every 0.2 s."""
    settings = load_settings(write_config("[alerts]\ndelivery_interval_seconds = 0.2\n", batch_size=50))
    settings.sources.replay.interval_seconds = 0.2
    return settings


@contextmanager
def running_daemon(app: Listener) -> Iterator[threading.Thread]:
    """``app``'s daemon on a thread, as ``listener run`` runs it; stopped on leaving."""
    daemon = threading.Thread(target=run_daemon, args=(app,), kwargs={"handle_signals": False})
    daemon.start()
    try:
        yield daemon
    finally:
        app.stop_event.set()
        daemon.join(timeout=15)


def offset_after(posts_file: Path, lines: int) -> int:
    """The replay cursor's byte offset just after the first ``lines`` lines of ``posts_file``."""
    return sum(len(line) + 1 for line in posts_file.read_bytes().split(b"\n")[:lines])


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
    app = Listener(quick_settings(write_config))
    pages = app.store.db.execute("PRAGMA page_count").fetchone()[0]
    app.store.db.execute(f"PRAGMA max_page_count = {pages + 20}")  # SQLite's own SQLITE_FULL, as on a full disk
    with running_daemon(app):
        assert wait_for(lambda: "database or disk is full" in caplog.text)
        stuck = app.store.stats()["mentions"]
        assert 0 < stuck < POSTS
        assert "free some space" in caplog.text and "nothing committed is lost" in caplog.text
        assert int(app.store.cursor("replay")["offset"]) == offset_after(tmp_path / "posts.jsonl", stuck)

        app.store.db.execute("PRAGMA max_page_count = 1073741823")  # space freed
        assert wait_for(lambda: app.store.stats()["alerts_sent"] == POSTS // 10 and
                        app.store.stats()["classified"] == POSTS)
    assert_everything_once(app, tmp_path / "alerts.jsonl")
    app.close()


@pytest.mark.slow
def test_a_real_full_file_system_stops_the_daemon_s_writes_with_a_clear_error_and_it_resumes_once_there_is_room(
        tmp_path, write_config, small_disk, caplog):
    posts = list(synthetic_posts(POSTS))
    write_jsonl(tmp_path / "posts.jsonl", iter(posts[:BEFORE_THE_DISK_FILLS]))
    caplog.set_level(logging.INFO)
    settings = quick_settings(write_config)
    database = settings.storage.path = small_disk.path / "listener.db"  # and its WAL beside it
    with Listener(settings) as app:
        with running_daemon(app) as daemon:
            assert wait_for(lambda: app.store.stats()["classified"] == BEFORE_THE_DISK_FILLS)
            small_disk.fill()
            with (tmp_path / "posts.jsonl").open("a", encoding="utf-8") as replayed:  # arriving while it is full
                replayed.writelines(json.dumps(post) + "\n" for post in posts[BEFORE_THE_DISK_FILLS:])
            assert wait_for(lambda: "database or disk is full" in caplog.text)
            assert f"cannot write to the database {database}" in caplog.text and "free some space" in caplog.text
            time.sleep(1)  # a few more rounds of polling against the full disk
            assert daemon.is_alive()
            stored = {row[0] for row in app.store.db.execute("SELECT external_id FROM mentions")}
            assert {f"p{number}" for number in range(BEFORE_THE_DISK_FILLS)} <= stored
            assert int(app.store.cursor("replay")["offset"]) == offset_after(tmp_path / "posts.jsonl", len(stored))
            with closing(sqlite3.connect(database)) as reader:
                assert reader.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

            small_disk.free()
            assert wait_for(lambda: app.store.stats()["alerts_sent"] == POSTS // 10 and
                            app.store.stats()["classified"] == POSTS)
        assert_everything_once(app, tmp_path / "alerts.jsonl")


def test_a_full_disk_does_not_email_the_daily_digest_again_every_hour(small_disk, switchable_smtp):
    """The digest was emailed, then its sending could not be recorded, so every hourly run emailed it again."""
    clock = FakeClock(at(9, day_offset=1))  # 09:00 the morning after DAY
    settings = make_settings(small_disk.path, recipients=["pr@lumora.example"],
                             extra_channels=[email_channel(switchable_smtp.port)])
    with closing(Store.open(small_disk.path / "listener.db", clock)) as store:
        StoreFiller(store, clock).mention(at(10), complaint=0.9)
        store.record_digest_sent("Lumora", DAY - timedelta(days=1))
        small_disk.fill()
        for _ in range(3):  # the hourly catch-up runs while the disk is full
            with pytest.raises(StoreUnavailable):
                send_daily_digests(store, settings, clock=clock, catch_up=True)
            clock.now += timedelta(hours=1)
        assert switchable_smtp.recorder.messages == []

        small_disk.free()
        assert len(send_daily_digests(store, settings, clock=clock, catch_up=True)) == 1
        assert send_daily_digests(store, settings, clock=clock, catch_up=True) == []
    assert len(switchable_smtp.recorder.messages) == 1


def test_a_purge_on_a_nearly_full_disk_does_not_fail_for_good_but_gives_the_room_back(tmp_path, write_config, small_disk):
    """The disk filling up is when retention_days is lowered; the purge was one transaction, whose -wal file needed
    room nearly the size of what it deleted: with 1 MB free it failed at every housekeeping, freed nothing, and its
    -wal file took that last megabyte."""
    (tmp_path / "posts.jsonl").touch()
    settings = load_settings(write_config())
    settings.storage.path = small_disk.path / "listener.db"
    settings.storage.retention_days = 5
    clock = FakeClock(at(9))
    with Listener(settings, clock=clock) as app:
        for day in range(25):
            app.store.save_batch("x", [mention_from_record({"id": f"{day}-{n}", "text": "Lumora " + "x" * 400,
                                                            "created_at": clock().isoformat()}, "Lumora")
                                       for n in range(200)])
            clock.now += timedelta(days=1)
        app.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the database file: 1 MB is all the room
        small_disk.fill()
        filler = small_disk.path / "filler"
        os.truncate(filler, filler.stat().st_size - 1_000_000)

        report = app.housekeeping()

        assert report.mentions_deleted == 20 * 200 and app.store.stats()["mentions"] == 5 * 200
        assert shutil.disk_usage(small_disk.path).free > 5_000_000
        with closing(sqlite3.connect(settings.storage.path)) as reader:
            assert reader.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def damage_table(database: Path, table: str) -> None:
    """Overwrite the root page of ``table`` with garbage, as a bad disk sector would; the rest of the file reads."""
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    with database.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xa5" * page_size)


def listener(config: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "listener", *args, "--config", str(config)], cwd=config.parent,
                          capture_output=True, text=True, timeout=timeout)


def test_a_damaged_database_does_not_end_a_command_in_a_traceback_but_exits_2_saying_how_to_recover_it(
        tmp_path, write_config):
    write_jsonl(tmp_path / "posts.jsonl", synthetic_posts(POSTS))
    config = write_config()
    assert listener(config, "poll", "--once").returncode == 0
    damage_table(tmp_path / "listener.db", "mentions")
    for command in (["poll", "--once"], ["digest", "--date", "2026-11-19"]):
        finished = listener(config, *command)
        assert finished.returncode == 2 and "Traceback" not in finished.stderr, finished.stderr
        database = tmp_path / "listener.db"
        assert f"the database {database} is damaged (database disk image is malformed)" in finished.stderr
        assert f"sqlite3 {database} .recover | sqlite3 recovered.db" in finished.stderr


def test_a_daemon_that_finds_its_database_damaged_does_not_keep_failing_every_poll_but_exits_2(tmp_path, write_config):
    write_jsonl(tmp_path / "posts.jsonl", synthetic_posts(POSTS))
    config = write_config("[alerts]\ndelivery_interval_seconds = 0.2\n")
    assert listener(config, "poll", "--once").returncode == 0
    damage_table(tmp_path / "listener.db", "mentions")
    finished = listener(config, "run", timeout=30)  # it ran on, failing every poll, until killed
    assert finished.returncode == 2, finished.stderr
    assert f"error: the database {tmp_path / 'listener.db'} is damaged" in finished.stderr
    assert "Traceback" not in finished.stderr


@contextmanager
def immutable(path: Path) -> Iterator[None]:
    """``path`` made immutable (chattr +i), as a read-only file is to its user: not even root may write it."""
    if subprocess.run(["chattr", "+i", str(path)], check=False, capture_output=True).returncode != 0:
        pytest.skip("a read-only file needs chattr on a file system that has it, as root")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def assert_exits_2_saying(config: Path, *words: str) -> None:
    """``poll --once`` and ``run`` exit with code 2 at once, without a traceback, their message saying ``words``."""
    for command in (["poll", "--once"], ["run"]):
        finished = listener(config, *command, timeout=30)
        assert finished.returncode == 2 and "Traceback" not in finished.stderr, finished.stderr
        assert all(word in finished.stderr for word in words), finished.stderr


def test_a_read_only_database_does_not_end_a_command_in_a_traceback_nor_fail_every_poll_but_exits_2(
        tmp_path, write_config):
    """It ended 'poll --once' in a traceback (exit 1), and a daemon logged 'job failed ... attempt to write a readonly
    database' with a traceback at every poll, storing nothing, until it was stopped."""
    write_jsonl(tmp_path / "posts.jsonl", synthetic_posts(POSTS))
    config = write_config()
    assert listener(config, "poll", "--once").returncode == 0
    write_jsonl(tmp_path / "posts.jsonl", synthetic_posts(POSTS + 10))  # more come in
    database = tmp_path / "listener.db"
    with immutable(database):
        assert_exits_2_saying(config, f"the database {database} cannot be written (attempt to write a readonly database)",
                              "writable by that user")


def test_a_database_on_a_read_only_file_system_does_not_say_to_check_storage_path_but_that_its_folder_is_read_only(
        tmp_path, write_config, small_disk):
    """'cannot open the database ...: unable to open database file. Check the storage.path setting.': the path
    was right; SQLite could not make its -shm file beside it."""
    write_jsonl(tmp_path / "posts.jsonl", synthetic_posts(POSTS))
    config = write_config()
    config.write_text(config.read_text().replace('path = "listener.db"', f'path = "{small_disk.path / "listener.db"}"'))
    assert listener(config, "poll", "--once").returncode == 0
    small_disk.read_only()
    assert_exits_2_saying(config, f"Its folder {small_disk.path} cannot be written",
                          "writable by the user the listener runs as")


def test_a_database_deleted_while_the_daemon_runs_does_not_take_its_mentions_with_it_nor_alert_them_again(
        tmp_path, write_config):
    """SQLite went on writing to the deleted file: the daemon polled and alerted as if nothing had happened, the
    stop took everything with it, and the next start made a new, empty database that alerted every post again
    (8 of 8 alerts twice in a real 'listener run'). Now it stops (exit 2), having saved what it held beside."""
    write_jsonl(tmp_path / "posts.jsonl", synthetic_posts(POSTS))
    config = write_config("[alerts]\ndelivery_interval_seconds = 0.2\n")
    config.write_text(config.read_text().replace("[sources.replay]\n", "[sources.replay]\ninterval_seconds = 0.2\n"))
    database, alerts = tmp_path / "listener.db", tmp_path / "alerts.jsonl"
    daemon = subprocess.Popen([sys.executable, "-m", "listener", "run", "--config", str(config)], cwd=tmp_path,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: alerts.exists() and len(alerts.read_text().splitlines()) == POSTS // 10)
        database.unlink()
        write_jsonl(tmp_path / "posts.jsonl", synthetic_posts(POSTS + 100))  # more come in
        _, stderr = daemon.communicate(timeout=30)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert daemon.returncode == 2 and "Traceback" not in stderr, stderr
    [saved] = tmp_path.glob("listener.db.saved-*")
    assert f"the database file {database} was deleted, moved or replaced while the listener ran" in stderr
    assert f"what it held is saved in {saved}" in stderr

    for stale in (tmp_path / "listener.db-wal", tmp_path / "listener.db-shm"):  # as the message says
        stale.unlink(missing_ok=True)
    saved.rename(database)
    assert listener(config, "poll", "--once").returncode == 0
    keys = Counter(json.loads(line)["key"] for line in alerts.read_text().splitlines())
    assert len(keys) == (POSTS + 100) // 10 and set(keys.values()) == {1}, "every alert once"
    with closing(Store.open(database)) as store:
        assert store.stats()["mentions"] == POSTS + 100


class LockAndRefuse:
    """An SMTP server that refuses the digest (451) while another process takes the database's lock."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.holder: subprocess.Popen | None = None

    async def handle_DATA(self, server, session, envelope) -> str:
        self.holder = lock_database(self.database, 3)
        return "451 4.3.0 try again later"


def test_a_digest_whose_failure_cannot_be_recorded_does_not_say_it_is_tried_again_but_how_to_send_it(
        tmp_path, caplog):
    """Recorded as sent before the email, it could not be taken back, so no run sent it: the log said 'tried
    again at the next hourly run', and the job ended in the lock's StoreUnavailable."""
    clock = FakeClock(at(9, day_offset=1))
    refusing = LockAndRefuse(tmp_path / "listener.db")
    controller = Controller(refusing, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings = make_settings(tmp_path, recipients=["pr@lumora.example"],
                             extra_channels=[email_channel(controller.port)])
    try:
        with closing(Store.open(tmp_path / "listener.db", clock, busy_timeout=0.5)) as store:
            store.record_digest_sent("Lumora", DAY - timedelta(days=1))
            assert send_daily_digests(store, settings, clock=clock, catch_up=True) == []
    finally:
        controller.stop()
        if refusing.holder is not None:
            refusing.holder.wait(timeout=10)
    [failed] = [record for record in caplog.records if record.getMessage() == "digest delivery failed"]
    assert "tried again at the next hourly run" not in failed.detail
    assert failed.detail.endswith("it is not tried again, as the database could not record that it was not sent "
                                  "(it was locked, full or damaged): once it can be written, send it with "
                                  "'listener digest --brand Lumora --date 2026-11-19 --send'")
