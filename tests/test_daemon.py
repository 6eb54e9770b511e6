"""The daemon with the real APScheduler: runs the jobs, stops cleanly, refuses a second instance,
and loses or repeats nothing when killed."""

from __future__ import annotations

import email
import json
import logging
import random
import signal
import subprocess
import sys
import threading
import time
from contextlib import closing
from datetime import datetime, timedelta, timezone
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from listener.app import Listener
from listener.cli import main
from listener.config import load_settings
from listener.daemon import run_daemon
from listener.domain import Mention
from listener.instance import AlreadyRunning, InstanceLock
from listener.sources import SourceUnavailable
from listener.sources.throttle import Throttle, interruptible_sleep
from listener.store import Store
from models.lexicon import LexiconClassifier
from replay_records import post, write_posts
from tests.alerts.alert_helpers import smtp_server  # noqa: F401 (fixture)

FAST = "\n[alerts]\ndelivery_interval_seconds = 0.2\n"


def listener_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "listener", *args]


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_scheduled_jobs_poll_classify_and_deliver_then_stop_on_request(write_config, tmp_path):
    write_posts(tmp_path / "posts.jsonl", [post(str(i), f"Lumora me cobró dos veces, estafa #{i}", i) for i in range(30)])
    settings = load_settings(write_config(FAST))
    settings.sources.replay.interval_seconds = 0.2
    app = Listener(settings)
    daemon = threading.Thread(target=run_daemon, args=(app,), kwargs={"handle_signals": False})
    daemon.start()
    try:
        assert wait_for(lambda: app.store.stats()["alerts_sent"] == 30)
    finally:
        app.stop_event.set()
        daemon.join(timeout=10)
    assert not daemon.is_alive()
    assert app.store.stats()["mentions"] == 30
    app.close()


def test_sigterm_stops_the_daemon_within_ten_seconds(write_config, tmp_path):
    write_posts(tmp_path / "posts.jsonl", [post("1", "Lumora me cobró dos veces, es una estafa")])
    config = write_config(FAST)
    process = subprocess.Popen(listener_command("run", "--config", str(config)), stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: (tmp_path / "alerts.jsonl").exists() or process.poll() is not None)
        assert process.poll() is None
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    finally:
        process.kill()
    assert time.monotonic() - started < 10
    assert process.returncode == 0
    assert "listener stopped" in process.stderr.read()


def test_a_second_instance_on_the_same_database_is_refused(write_config, tmp_path):
    write_posts(tmp_path / "posts.jsonl", [post("1", "Lumora")])
    config = write_config(FAST)
    first = subprocess.Popen(listener_command("run", "--config", str(config)), stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: Path(f"{tmp_path / 'listener.db'}.lock").exists())
        time.sleep(0.5)
        second = subprocess.run(listener_command("poll", "--once", "--config", str(config)),
                                capture_output=True, text=True, timeout=60)
        assert second.returncode != 0
        assert f"another listener (pid {first.pid}) is already running" in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=10)


def test_a_second_instance_naming_the_database_through_a_symlink_is_refused(tmp_path):
    """The lock was beside the path as written, so another name for the database took a lock of its own."""
    (tmp_path / "data").mkdir()
    Store.open(tmp_path / "data" / "listener.db").close()
    (tmp_path / "other.db").symlink_to(tmp_path / "data" / "listener.db")
    with InstanceLock(tmp_path / "data" / "listener.db"):
        with pytest.raises(AlreadyRunning, match=r"another listener \(pid \d+\) is already running"):
            InstanceLock(tmp_path / "other.db").acquire()


def test_sigkill_during_run_demo_loses_and_repeats_nothing(tmp_path):
    """Kill `listener run --demo` at random moments, restart it, then finish with `--once`."""
    rng = random.Random(7)
    for _ in range(3):
        process = subprocess.Popen(listener_command("run", "--demo", "--speed", "20000"), cwd=tmp_path,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(rng.uniform(1.5, 4.0))
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
    finished = subprocess.run(listener_command("run", "--demo", "--once"), cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr

    stream = Path(__file__).resolve().parents[1] / "listener" / "demo" / "stream.jsonl"
    expected = {json.loads(line)["id"] for line in stream.read_text(encoding="utf-8").splitlines()}
    store = Store.open(tmp_path / "listener-demo.db")
    stored = [row[0] for row in store.db.execute("SELECT external_id FROM mentions").fetchall()]
    assert sorted(stored) == sorted(expected)  # every mention once: none lost, none twice
    figures = store.stats()
    assert figures["classified"] == figures["mentions"] and figures["alerts_pending"] == 0
    keys = [json.loads(line)["key"] for line in (tmp_path / "demo-alerts.jsonl").read_text().splitlines()]
    file_alerts = store.db.execute("SELECT COUNT(*) FROM alerts WHERE channel = 'file' AND status = 'sent'").fetchone()[0]
    assert len(keys) == len(set(keys)) == file_alerts > 0


def test_a_rate_limit_wait_ends_as_soon_as_a_stop_is_requested():
    stop = threading.Event()
    throttle = Throttle("x", sleep=interruptible_sleep(stop))
    throttle.observe(remaining="0", reset=str(int(time.time()) + 8))  # a wait short enough to sleep in the poll
    threading.Timer(0.3, stop.set).start()
    started = time.monotonic()
    with pytest.raises(SourceUnavailable, match="cut short"):
        throttle.call(lambda: "never called", classify=lambda error: None)
    assert time.monotonic() - started < 2


def test_run_with_speed_nan_does_not_start_a_replay_that_never_sends(write_config):
    """'nan' passed FloatRange(min=0): the daemon ran and replayed nothing, as no pace is ever reached. (--once,
    which replays at speed 0 whatever is given, keeps the test from hanging where it is let through.)"""
    result = CliRunner().invoke(main, ["run", "--once", "--speed", "nan", "--config", str(write_config())])
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--speed': nan is no speed" in result.output


def test_a_job_waiting_behind_a_slow_one_does_not_log_a_warning_at_every_interval(write_config, tmp_path, caplog):
    """A delivery round waiting out a Slack that hangs (10 s timeouts) held the one worker: APScheduler logged
    'Execution of job ... skipped: maximum number of running instances reached' for every job due meanwhile,
    ~7 lines a minute in a real 'listener run'. The run comes once the worker is free; nothing to tell."""
    write_posts(tmp_path / "posts.jsonl", [post("1", "Lumora me cobró dos veces, estafa", 0)])
    settings = load_settings(write_config(FAST))
    app = Listener(settings)
    deliver = app.pipeline.deliver

    def slow_delivery():
        time.sleep(1.5)  # as a channel's timeout
        return deliver()

    app.pipeline.deliver = slow_delivery
    daemon = threading.Thread(target=run_daemon, args=(app,), kwargs={"handle_signals": False})
    with caplog.at_level("WARNING"):
        daemon.start()
        try:
            assert wait_for(lambda: app.store.stats()["alerts_sent"] == 1)
            time.sleep(2)
        finally:
            app.stop_event.set()
            daemon.join(timeout=10)
    app.close()
    assert [record.getMessage() for record in caplog.records
            if record.name.startswith("apscheduler") and record.levelno >= logging.WARNING] == []


def test_a_job_queued_behind_the_running_one_does_not_start_after_a_stop_is_requested(write_config, tmp_path):
    """SIGTERM while a job ran (classifying a batch, a delivery waiting on a slow channel): every job queued behind
    it on the one worker ran too before the scheduler shut down, in a real 'listener run' a replay batch stored and an
    early-warning round after 'stop requested', and the stop took 4.75 s instead of the running job's rest."""
    write_posts(tmp_path / "posts.jsonl", [post(str(i), f"Lumora me cobró dos veces, estafa #{i}", i) for i in range(3)])
    settings = load_settings(write_config(FAST))
    settings.sources.replay.interval_seconds = 0.2
    app = Listener(settings)
    deliver, ingest = app.pipeline.deliver, app.pipeline.ingest
    delivering, started = threading.Event(), []

    def slow_delivery():
        started.append(("deliver", time.monotonic()))
        delivering.set()
        time.sleep(1.5)  # as a channel's timeout; the other jobs fall due meanwhile
        return deliver()

    def recorded_ingest(source):
        started.append(("ingest", time.monotonic()))
        return ingest(source)

    app.pipeline.deliver, app.pipeline.ingest = slow_delivery, recorded_ingest
    daemon = threading.Thread(target=run_daemon, args=(app,), kwargs={"handle_signals": False})
    daemon.start()
    try:
        assert delivering.wait(10)
        time.sleep(0.5)
        stopped_at = time.monotonic()
        app.stop_event.set()
        daemon.join(timeout=10)
    finally:
        app.stop_event.set()
        daemon.join(timeout=10)
    app.close()
    assert not daemon.is_alive()
    assert [name for name, at in started if at > stopped_at] == []


def digest_after_a_kill(write_config, tmp_path, smtp_server, classifier=None) -> str:
    """Start a daemon on a database a kill left with 20 complaints of yesterday stored and not classified, its
    digest due; returns the digest email's plain-text part once it is sent."""
    recorder, port = smtp_server
    write_posts(tmp_path / "posts.jsonl", [])
    config = write_config(f"""
        [[alerts.channels]]
        name = "mail"
        type = "email"
        smtp_host = "127.0.0.1"
        smtp_port = {port}
        smtp_security = "none"
        sender = "listener@lumora.example"
        recipients = ["pr@lumora.example"]

        [digest]
        enabled = true
        time = "00:00"
        """)
    today = datetime.now(timezone.utc).date()
    yesterday = datetime.combine(today - timedelta(days=1), datetime.min.time(), timezone.utc)
    with closing(Store.open(tmp_path / "listener.db")) as store:
        store.record_digest_sent("Lumora", today - timedelta(days=2))
        store.save_batch("replay", [Mention("replay", str(i), f"Lumora me cobró dos veces, estafa #{i}",
                                            yesterday + timedelta(minutes=10 * i), "Lumora") for i in range(20)])
    app = Listener(load_settings(config), classifier=classifier)
    daemon = threading.Thread(target=run_daemon, args=(app,), kwargs={"handle_signals": False})
    daemon.start()
    try:
        assert wait_for(lambda: app.store.digest_sent_through("Lumora") == today - timedelta(days=1))
    finally:
        app.stop_event.set()
        daemon.join(timeout=10)
    app.close()
    [sent] = [message for message in recorder.messages if "digest" in message.content.decode()]
    return email.message_from_bytes(sent.content, policy=policy.default).get_body(("plain",)).get_content()


def test_the_digest_caught_up_at_start_up_does_not_miss_the_complaints_a_kill_left_unclassified(
        write_config, tmp_path, smtp_server):
    """The catch-up ran before any source's job (jobs due together run in the order of their ids) and said
    "20 mentions, 0 complaints": the 20 complaints a kill left unclassified were never counted as complaints."""
    text = digest_after_a_kill(write_config, tmp_path, smtp_server)
    assert "20 mentions, 20 complaints" in text
    assert "Not classified yet" not in text


class Down(LexiconClassifier):
    """The lexicon classifier failing on every text, as one out of memory does."""

    def classify(self, texts, lang_hints=None):
        raise MemoryError("out of memory")


def test_a_classifier_down_at_start_up_does_not_hold_the_digest_catch_up_back(write_config, tmp_path, smtp_server):
    text = digest_after_a_kill(write_config, tmp_path, smtp_server, classifier=Down())
    assert "20 mentions, 0 complaints" in text
    assert "Not classified yet: 20 posts of the day" in text
