"""SIGTERM while the daemon works through a backlog of alerts: it stops within seconds, and a restart
delivers the rest, each alert once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing

from bench.traffic import synthetic_posts, write_jsonl
from listener.store import Store
from reliability_config import ONE_MESSAGE_PER_ALERT, slack_bot, write_lumora_config

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
