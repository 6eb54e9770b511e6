"""SIGKILL the daemon at random moments while it replays 5,000 mentions into a Slack bot channel.

The lexicon backend keeps the restarts fast (the embedded model's load is measured in bench/).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from bench.traffic import synthetic_posts, write_jsonl
from listener.store import Store

MENTIONS = 5000
MAX_RESTARTS = 40
KILL_AT_POSTS = {40, 180, 330}
SPEED = 7200  # the day of posts in 12 s of wall time, so the kills land in every stage
BOT_TOKEN = "xoxb-reliability-token"


def write_config(tmp_path: Path, slack_url: str) -> Path:
    """The daemon's config: the replay file, lexicon, a Slack bot channel sending one message per alert."""
    config = tmp_path / "listener.toml"
    config.write_text(textwrap.dedent(f"""
        [[brands]]
        name = "Lumora"
        terms = {{ "*" = ["Lumora", "@lumora"] }}
        [sources.replay]
        enabled = true
        path = "posts.jsonl"
        batch_size = 100
        speed = {SPEED}
        interval_seconds = 0.2
        [classifier]
        backend = "lexicon"
        [[alerts.channels]]
        name = "slack"
        type = "slack"
        bot_token = "${{SLACK_BOT_TOKEN}}"
        channel = "C0ALERTS"
        base_url = "{slack_url}/api/"
        rate_limit_per_minute = 100000
        grouping = false
        [[alerts.rules]]
        name = "complaints"
        complaint_threshold = 0.5
        channels = ["slack"]
        [alerts]
        delivery_interval_seconds = 0.1
        [storage]
        path = "listener.db"
        """), encoding="utf-8")
    return config


def start_daemon(config: Path, log: Path) -> subprocess.Popen:
    """``listener run`` on ``config``, its log appended to ``log``."""
    with log.open("a") as stderr:
        return subprocess.Popen([sys.executable, "-m", "listener", "run", "--config", str(config)],
                                cwd=config.parent, env={"SLACK_BOT_TOKEN": BOT_TOKEN, "PATH": "/usr/bin:/bin"},
                                stdout=subprocess.DEVNULL, stderr=stderr)


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
    config, log = write_config(tmp_path, slack_server.url), tmp_path / "daemon.log"
    daemon: list[subprocess.Popen] = []
    # Three kills land between Slack accepting a message and the daemon recording it.
    slack_server.on_post = lambda: (slack_server.ts_counter in KILL_AT_POSTS
                                    and os.kill(daemon[-1].pid, signal.SIGKILL))
    rng = random.Random(8)
    while not finished(tmp_path / "listener.db"):
        assert len(daemon) < MAX_RESTARTS, f"not done after {len(daemon)} restarts; see {log}"
        daemon.append(start_daemon(config, log))
        try:
            daemon[-1].wait(timeout=rng.uniform(0.8, 3.0))
        except subprocess.TimeoutExpired:
            daemon[-1].send_signal(signal.SIGKILL)
            daemon[-1].wait(timeout=10)

    assert len(daemon) > 3 and all(process.returncode == -signal.SIGKILL for process in daemon)
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
