"""SIGKILL the daemon at random moments while it replays 5,000 mentions into a Slack bot channel.

The lexicon backend keeps the restarts fast (the embedded model's load is measured in bench/).
"""

from __future__ import annotations

import asyncio
import email
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from alerts.digest import due_day
from bench.traffic import synthetic_posts, write_jsonl
from listener.config import load_settings
from listener.store import Store
from reliability_config import ONE_MESSAGE_PER_ALERT, slack_bot, smtp, write_lumora_config
from tests.alerts.alert_helpers import free_port

MENTIONS = 5000
RANDOM_KILLS = 8
MAX_RESTARTS = 20
KILL_AT_POSTS = {40, 180, 330}
SPEED = 7200  # the day of posts in 12 s of wall time, so the kills land in every stage
BOT_TOKEN = "xoxb-reliability-token"


def start_daemon(config: Path, log: Path) -> subprocess.Popen:
    """``listener run`` on ``config``, its log appended to ``log``; the code under test (``PYTHONPATH`` kept)."""
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "PATH": "/usr/bin:/bin"}
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    with log.open("a") as stderr:
        return subprocess.Popen([sys.executable, "-m", "listener", "run", "--config", str(config)],
                                cwd=config.parent, env=env, stdout=subprocess.DEVNULL, stderr=stderr)


def finished(database: Path) -> bool:
    """Every mention stored, classified and evaluated, and no alert waiting."""
    if not database.exists():
        return False
    store = Store.open(database)
    try:
        figures = store.stats()
        unevaluated = store.db.execute("SELECT COUNT(*) FROM mentions WHERE evaluated_at IS NULL").fetchone()[0]
    finally:
        store.close()
    return figures["mentions"] == MENTIONS and unevaluated == 0 and figures["alerts_pending"] == 0


@pytest.mark.slow
def test_killed_daemon_restarted_until_done_stores_every_mention_once_and_posts_every_alert_once(
        tmp_path, slack_server):
    write_jsonl(tmp_path / "posts.jsonl", synthetic_posts(MENTIONS))
    config = write_lumora_config(tmp_path, {"slack": slack_bot(slack_server.url) + ONE_MESSAGE_PER_ALERT},
                                 replay=f"batch_size = 100\nspeed = {SPEED}\ninterval_seconds = 0.2\n",
                                 alerts="delivery_interval_seconds = 0.1\n")
    log = tmp_path / "daemon.log"
    daemon: list[subprocess.Popen] = []
    # Three kills land between Slack accepting a message and the daemon recording it.
    slack_server.on_post = lambda: (slack_server.ts_counter in KILL_AT_POSTS
                                    and os.kill(daemon[-1].pid, signal.SIGKILL))
    rng = random.Random(8)
    database = tmp_path / "listener.db"
    try:
        while not finished(database):
            assert len(daemon) < MAX_RESTARTS, f"not done after {len(daemon)} restarts; see {log}"
            daemon.append(start_daemon(config, log))
            # Killed at a random moment the first few times; then left to finish (unless Slack's kill comes).
            lifetime = rng.uniform(0.8, 3.0) if len(daemon) <= RANDOM_KILLS else 120
            deadline = time.monotonic() + lifetime
            while daemon[-1].poll() is None and time.monotonic() < deadline and not finished(database):
                time.sleep(0.5)
            daemon[-1].send_signal(signal.SIGKILL)
            daemon[-1].wait(timeout=10)
    finally:  # a failing test leaves no daemon behind
        for process in daemon:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    assert len(daemon) > RANDOM_KILLS and all(process.returncode == -signal.SIGKILL for process in daemon)
    assert log.read_text().count("delivery confirmed after restart") >= len(KILL_AT_POSTS)
    store = Store.open(tmp_path / "listener.db")
    stored = Counter(row[0] for row in store.db.execute("SELECT external_id FROM mentions"))
    assert set(stored) == {f"p{number}" for number in range(MENTIONS)} and set(stored.values()) == {1}
    alerts = store.alerts()
    assert len(alerts) == MENTIONS // 10 and {row.status for row in alerts} == {"sent"}
    posted = Counter(request.data["metadata"]["event_payload"]["key"]
                     for request in slack_server.posts("/api/chat.postMessage"))
    assert set(posted) == {row.alert.key for row in alerts}, "every alert reached Slack"
    assert [key for key, times in posted.items() if times > 1] == [], "no alert reached Slack twice"
    refs = {row.delivery_ref for row in alerts}
    assert len(refs) == len(alerts) and None not in refs, "the delivery log names each alert's own message"


class HangingInbox:
    """An SMTP server that keeps each message in DATA until ``release`` is set, keeping their envelopes."""

    def __init__(self, hold: bool) -> None:
        self.hold = hold
        self.received: list[bytes] = []
        self.in_data = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        self.in_data += 1
        while self.hold:
            await asyncio.sleep(0.05)
        self.received.append(envelope.content)
        return "250 OK"


def test_a_digest_killed_while_being_emailed_is_not_lost_without_a_word_nor_sent_twice(tmp_path):
    """SIGKILL while the SMTP server had the digest in DATA: recorded as sent before it went out, it was never
    sent again and nothing said it may not have arrived. Now the next start logs it, once, with the command."""
    write_jsonl(tmp_path / "posts.jsonl", [])
    hanging, working = HangingInbox(hold=True), HangingInbox(hold=False)
    servers = [Controller(inbox, hostname="127.0.0.1", port=free_port()) for inbox in (hanging, working)]
    for server in servers:
        server.start()
    log = tmp_path / "daemon.log"
    log.touch()
    config = write_lumora_config(tmp_path, {"mail": smtp(servers[0].port)})
    config.write_text(config.read_text() + '[digest]\nenabled = true\n', encoding="utf-8")
    due = due_day(datetime.now(timezone.utc), load_settings(config))
    cut_off = due - timedelta(days=2)
    with closing(Store.open(tmp_path / "listener.db")) as store:
        store.record_digest_sent("Lumora", cut_off - timedelta(days=1))

    def wait_for(condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 60
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert condition(), f"see {log}"

    try:
        daemon = start_daemon(config, log)
        try:
            wait_for(lambda: hanging.in_data == 1)
        finally:
            daemon.send_signal(signal.SIGKILL)
            daemon.wait(timeout=10)
        config.write_text(config.read_text().replace(str(servers[0].port), str(servers[1].port)), encoding="utf-8")
        for starts in (2, 3):  # restarted, twice
            daemon = start_daemon(config, log)
            try:
                wait_for(lambda: log.read_text().count("listener started") == starts and len(working.received) == 2)
                time.sleep(1)  # the second restart's catch-up: nothing more to send
            finally:
                daemon.send_signal(signal.SIGTERM)
                daemon.wait(timeout=30)
    finally:
        hanging.hold = False
        for server in servers:
            server.stop()
    [reported] = [line for line in log.read_text().splitlines() if "digest delivery failed" in line]
    assert f"day={cut_off}" in reported and f"listener digest --brand Lumora --date {cut_off} --send" in reported
    assert len(working.received) == 2, "the two days after it, each once; not the day cut off"
