"""Slack and the SMTP server go down for a while, then come back: every alert arrives once, in order."""

from __future__ import annotations

import email
from collections import Counter

from alerts.notifiers.email import message_id
from bench.traffic import synthetic_posts, write_jsonl
from listener.app import Listener
from listener.config import Settings, load_settings
from reliability_config import ONE_MESSAGE_PER_ALERT, slack_bot, smtp, write_lumora_config
from tests.alerts.alert_helpers import FakeClock

COMPLAINTS = 30
STEP_SECONDS = 5  # the daemon's delivery job runs about this often


def run_delivery(app: Listener, clock: FakeClock, minutes: float) -> None:
    """What the daemon's delivery job does over ``minutes``: deliver every few seconds."""
    for _ in range(int(minutes * 60 / STEP_SECONDS)):
        clock.advance(seconds=STEP_SECONDS)
        app.pipeline.deliver()


def slack_and_email_settings(tmp_path, slack_server, switchable_smtp) -> Settings:
    """COMPLAINTS complaints to replay, each alerting a Slack bot channel and email, one message per alert."""
    write_jsonl(tmp_path / "posts.jsonl", synthetic_posts(COMPLAINTS, complaint_every=1))
    patient = "timeout_seconds = 2\n" + ONE_MESSAGE_PER_ALERT
    return load_settings(write_lumora_config(tmp_path, {
        "slack": slack_bot(slack_server.url, token="xoxb-outage") + patient,
        "email": smtp(switchable_smtp.port) + patient}))


def slack_down(path: str, headers: dict[str, str], body: bytes, query: dict[str, str]) -> tuple[int, dict, dict]:
    """Slack's answer to everything during an outage."""
    return 503, {}, {"ok": False, "error": "service_unavailable"}


def test_email_alerts_go_out_on_time_while_slack_is_down(tmp_path, slack_server, switchable_smtp):
    settings = slack_and_email_settings(tmp_path, slack_server, switchable_smtp)
    slack_server.handle = slack_down
    with Listener(settings, clock=FakeClock()) as app:
        first = app.poll_once()
        write_jsonl(tmp_path / "posts.jsonl", synthetic_posts(2 * COMPLAINTS, complaint_every=1))  # more come in
        second = app.poll_once()
    assert first.delivery.retrying == 1, "Slack's alerts wait behind its first failure"
    assert (first.delivery.sent, second.delivery.sent) == (COMPLAINTS, COMPLAINTS), "email is not held back"
    assert len(switchable_smtp.recorder.messages) == 2 * COMPLAINTS


def test_alerts_queued_during_a_slack_and_smtp_outage_arrive_once_each_in_order_after_recovery(
        tmp_path, slack_server, switchable_smtp):
    settings = slack_and_email_settings(tmp_path, slack_server, switchable_smtp)
    working = slack_server.handle
    slack_server.handle = slack_down
    switchable_smtp.stop()
    clock = FakeClock()
    with Listener(settings, clock=clock) as app:
        report = app.poll_once()
        assert report.alerts_queued == 2 * COMPLAINTS
        assert report.delivery.retrying == 2, "a channel that is down is tried once per round, not once per alert"
        run_delivery(app, clock, minutes=20)
        assert app.store.stats()["alerts_sent"] == 0 and app.store.stats()["alerts_failed"] == 0

        slack_server.handle = working
        switchable_smtp.start()
        run_delivery(app, clock, minutes=16)  # longer than the longest backoff (15 minutes)
        alerts = app.store.alerts()

    assert {row.status for row in alerts} == {"sent"}
    by_key = {row.alert.key: row.id for row in alerts}
    slack_order = [by_key[request.data["metadata"]["event_payload"]["key"]]
                   for request in slack_server.posts("/api/chat.postMessage")]
    ids_by_message_id = {message_id(row.alert.key): row.id for row in alerts}
    email_order = [ids_by_message_id[email.message_from_bytes(envelope.content)["Message-ID"]]
                   for envelope in switchable_smtp.recorder.messages]
    for channel, order in (("slack", slack_order), ("email", email_order)):
        expected = sorted(row.id for row in alerts if row.alert.channel == channel)
        assert sorted(order) == expected, f"every {channel} alert once"
        assert Counter(order).most_common(1)[0][1] == 1, f"no {channel} alert twice"
        assert order == expected, f"{channel} alerts in the order they were raised"
