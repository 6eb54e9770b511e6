"""SIGTERM while the daemon works through a backlog of alerts, reactions or digests: it stops within seconds,
and a restart delivers the rest, each once."""

from __future__ import annotations

import asyncio
import email
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from datetime import datetime, timedelta, timezone

from aiosmtpd.controller import Controller

from bench.traffic import synthetic_posts, write_jsonl
from listener.store import Store
from reliability_config import ONE_MESSAGE_PER_ALERT, slack_bot, smtp, write_lumora_config
from tests.alerts.alert_helpers import free_port

COMPLAINTS = 200
STOP_AT_POST = 5
BOT_TOKEN = "xoxb-stop-token"


def listener(config, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "listener", *args, "--config", str(config)], cwd=config.parent,
                            env={**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kwargs)


def test_sigterm_during_a_backlog_of_sends_does_not_wait_for_the_whole_backlog_nor_lose_or_repeat_an_alert(
        tmp_path, slack_server):
    write_jsonl(tmp_path / "posts.jsonl", synthetic_posts(COMPLAINTS, complaint_every=1))
    config = write_lumora_config(tmp_path, {"slack": slack_bot(slack_server.url) + ONE_MESSAGE_PER_ALERT},
                                 replay="speed = 0\n")
    daemon = listener(config, "run")
    stopped_at: list[float] = []

    def stop_on_a_post() -> None:
        if slack_server.ts_counter == STOP_AT_POST:
            stopped_at.append(time.monotonic())
            os.kill(daemon.pid, signal.SIGTERM)
        time.sleep(0.05)  # a channel that takes its time: the backlog lasts ten seconds

    slack_server.on_post = stop_on_a_post
    try:
        daemon.wait(timeout=120)
    finally:
        daemon.kill()
    assert stopped_at and time.monotonic() - stopped_at[0] < 5, "the daemon stopped within seconds"
    assert daemon.returncode == 0 and "listener stopped" in daemon.stderr.read()
    assert len(slack_server.posts("/api/chat.postMessage")) < COMPLAINTS / 2, "the backlog waits for the restart"

    slack_server.on_post = None
    finished = listener(config, "run", "--once")
    assert finished.wait(timeout=120) == 0, finished.stderr.read()
    posted = Counter(request.data["metadata"]["event_payload"]["key"]
                     for request in slack_server.posts("/api/chat.postMessage"))
    with closing(Store.open(tmp_path / "listener.db")) as store:
        alerts = store.alerts()
    assert len(alerts) == COMPLAINTS and {row.status for row in alerts} == {"sent"}
    assert set(posted) == {row.alert.key for row in alerts} and set(posted.values()) == {1}


def test_sigterm_while_reading_acknowledgement_reactions_does_not_wait_for_every_message_to_be_read(
        tmp_path, slack_server):
    write_jsonl(tmp_path / "posts.jsonl", synthetic_posts(COMPLAINTS, complaint_every=1))
    config = write_lumora_config(tmp_path, {"slack": slack_bot(slack_server.url) + ONE_MESSAGE_PER_ALERT},
                                 replay="speed = 0\n")
    delivered = listener(config, "run", "--once")
    assert delivered.wait(timeout=120) == 0, delivered.stderr.read()
    daemon = listener(config, "run")
    answer = slack_server.handle
    asked: list[float] = []

    def slow_reactions(path: str, *args):
        if path == "/api/reactions.get":
            asked.append(time.monotonic())
            if len(asked) == STOP_AT_POST:
                os.kill(daemon.pid, signal.SIGTERM)
            time.sleep(0.05)  # each of the 200 unacknowledged messages takes its time: ten seconds in all
        return answer(path, *args)

    slack_server.handle = slow_reactions
    try:
        daemon.wait(timeout=120)
    finally:
        daemon.kill()
    assert len(asked) >= STOP_AT_POST and time.monotonic() - asked[STOP_AT_POST - 1] < 5, "stopped within seconds"
    assert daemon.returncode == 0 and len(asked) < COMPLAINTS / 2


class SlowInbox:
    """An SMTP server that takes a second over each message (a virus scan), keeping their subjects."""

    def __init__(self) -> None:
        self.subjects: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        await asyncio.sleep(1)
        self.subjects.append(email.message_from_bytes(envelope.content)["Subject"])
        return "250 OK"


def test_sigterm_during_the_digest_catch_up_does_not_wait_for_every_digest_to_be_emailed(tmp_path):
    """A listener back after a week sends seven digests at start-up: a stop waited for all of them (at a second
    each, 7 s; two brands on a slow server, past systemd's TimeoutStopSec=20, whose SIGKILL mid-send lost a digest
    already recorded as sent)."""
    write_jsonl(tmp_path / "posts.jsonl", [])
    inbox = SlowInbox()
    server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    config = write_lumora_config(tmp_path, {"mail": smtp(server.port)})
    config.write_text(config.read_text() + '[digest]\nenabled = true\n', encoding="utf-8")
    with closing(Store.open(tmp_path / "listener.db")) as store:
        store.record_digest_sent("Lumora", datetime.now(timezone.utc).date() - timedelta(days=10))
    try:
        daemon = listener(config, "run")
        try:
            deadline = time.monotonic() + 60
            while not inbox.subjects and time.monotonic() < deadline:
                time.sleep(0.05)
            stopped_at = time.monotonic()
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=60)
        finally:
            daemon.kill()
        assert time.monotonic() - stopped_at < 3, "the daemon stopped within seconds"
        assert daemon.returncode == 0 and len(inbox.subjects) < 7

        restarted = listener(config, "run")
        try:
            deadline = time.monotonic() + 60
            while len(inbox.subjects) < 7 and time.monotonic() < deadline:
                time.sleep(0.05)
            restarted.send_signal(signal.SIGTERM)
            restarted.wait(timeout=60)
        finally:
            restarted.kill()
    finally:
        server.stop()
    assert len(inbox.subjects) == len(set(inbox.subjects)) == 7, inbox.subjects
