"""At most once across a SIGKILL between send and commit; the issue's end-to-end check."""

from __future__ import annotations

import email
import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from alerts.escalation import Escalator
from alerts.notifiers.slack import SlackBotNotifier, SlackWebhookNotifier
from alerts.outbox import Outbox
from listener.app import Listener
from listener.cli import main
from listener.config import load_settings
from listener.domain import Alert
from listener.store import Store, StoreUnavailable
from alert_helpers import HOSTILE, FakeClock, Received, add_mention

REPO = Path(__file__).resolve().parents[2]
DELIVER = """
import sys
from alerts.escalation import Escalator
from alerts.notifiers.slack import SlackBotNotifier, SlackWebhookNotifier
from alerts.outbox import Outbox
from listener.store import Store
kind, db, url = sys.argv[1:]
notifier = (SlackBotNotifier("slack", "xoxb-test", "C0ALERTS", base_url=url + "/api/") if kind == "bot"
            else SlackWebhookNotifier("slack", url + "/webhook"))
Outbox(Store.open(db), {"slack": notifier}).deliver_due()
print("committed")
"""


def crash_while_sending(tmp_path: Path, slack_server, kind: str) -> Store:
    """Queue one alert, then run delivery in a process the server SIGKILLs as the message arrives."""
    store = Store.open(tmp_path / "l.db")
    mention_id = add_mention(store)
    store.enqueue_alerts([mention_id], [Alert(key=f"mention:{mention_id}:slack", channel="slack", brand="Lumora",
                                              rule="r", severity="high", title="t", reasons=("r",),
                                              mention_id=mention_id)])
    process = subprocess.Popen([sys.executable, "-c", DELIVER, kind, str(tmp_path / "l.db"), slack_server.url],
                               cwd=REPO, stdout=subprocess.PIPE, text=True)
    slack_server.on_post = lambda: os.kill(process.pid, signal.SIGKILL)
    original = slack_server.handle

    def kill_on_webhook(path, headers, body, query):
        answer = original(path, headers, body, query)
        if path == "/webhook":
            os.kill(process.pid, signal.SIGKILL)
        return answer

    slack_server.handle = kill_on_webhook
    output, _ = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL and "committed" not in output
    return store


def test_sigkill_after_a_bot_post_is_reconciled_from_channel_history_not_resent(tmp_path, slack_server):
    store = crash_while_sending(tmp_path, slack_server, "bot")
    assert store.alerts()[0].status == "sending"
    notifier = SlackBotNotifier("slack", "xoxb-test", "C0ALERTS", base_url=slack_server.url + "/api/")
    report = Outbox(store, {"slack": notifier}).deliver_due()
    assert report.sent == 1
    assert len(slack_server.posts("/api/chat.postMessage")) == 1
    [alert] = store.alerts()
    assert alert.status == "sent" and alert.delivery_ref == "C0ALERTS:1763553600.000001"


def test_slack_down_after_a_crash_does_not_log_cannot_check_at_every_delivery_round(tmp_path, slack_server, caplog):
    """The message a SIGKILL left unfinished is looked up in Slack at every delivery round (every 5 s) until Slack
    answers: each logged 'cannot check an unfinished delivery yet', 25 lines in 2 minutes of a real 'listener
    run', some 17,000 a day. Now the first, then one an hour with the count, and one when it is checked."""
    store = crash_while_sending(tmp_path, slack_server, "bot")
    working = slack_server.handle
    slack_server.handle = lambda path, headers, body, query: (503, {}, {"ok": False, "error": "service_unavailable"})
    clock = FakeClock(datetime.now(timezone.utc))
    notifier = SlackBotNotifier("slack", "xoxb-test", "C0ALERTS", base_url=slack_server.url + "/api/")
    outbox = Outbox(Store.open(tmp_path / "l.db", clock), {"slack": notifier}, clock=clock)
    with caplog.at_level("INFO", logger="alerts.outbox"):
        for _ in range(30):
            clock.advance(seconds=5)
            outbox.deliver_due()
        slack_server.handle = working
        assert outbox.deliver_due().sent == 1
    assert [(record.getMessage(), getattr(record, "failures", None)) for record in caplog.records
            if record.name == "alerts.outbox"] == [
        ("cannot check an unfinished delivery yet", None), ("unfinished delivery checked", 30),
        ("delivery confirmed after restart", None)]


def test_reconciliation_pages_through_a_busy_channel_history(tmp_path, slack_server):
    store = crash_while_sending(tmp_path, slack_server, "bot")
    for number in range(2, 452):  # 450 messages posted by others after the crashed one
        slack_server.requests.append(Received("/api/chat.postMessage", {}, b"", {"ts": f"1763553600.{number:06d}"}))
    notifier = SlackBotNotifier("slack", "xoxb-test", "C0ALERTS", base_url=slack_server.url + "/api/")
    assert Outbox(store, {"slack": notifier}).deliver_due().sent == 1
    assert len([r for r in slack_server.posts("/api/chat.postMessage") if r.body]) == 1  # not posted again
    assert store.alerts()[0].delivery_ref == "C0ALERTS:1763553600.000001"
    assert len(slack_server.posts("/api/conversations.history")) == 3  # pages of 200


def test_a_post_whose_record_hit_a_full_disk_is_reconciled_on_the_next_round_not_left_sending(
        tmp_path, slack_server, monkeypatch):
    store = Store.open(tmp_path / "l.db")
    mention_id = add_mention(store)
    store.enqueue_alerts([mention_id], [Alert(key=f"mention:{mention_id}:slack", channel="slack", brand="Lumora",
                                              rule="r", severity="high", title="t", reasons=("r",),
                                              mention_id=mention_id)])
    finish_delivery = store.finish_delivery

    def disk_full_once(delivery_id: int, ref: str | None) -> None:
        monkeypatch.setattr(store, "finish_delivery", finish_delivery)
        raise StoreUnavailable("cannot write to the database (database or disk is full)")

    monkeypatch.setattr(store, "finish_delivery", disk_full_once)
    outbox = Outbox(store, {"slack": SlackBotNotifier("slack", "xoxb-test", "C0ALERTS",
                                                      base_url=slack_server.url + "/api/")})
    with pytest.raises(StoreUnavailable):
        outbox.deliver_due()
    assert store.alerts()[0].status == "sending"
    assert outbox.deliver_due().sent == 1  # the same daemon, once there is room again
    assert len(slack_server.posts("/api/chat.postMessage")) == 1
    assert store.alerts()[0].status == "sent"


@pytest.mark.parametrize("status, answer, hours", [
    (200, {"ok": False, "error": "missing_scope", "needed": "channels:history"}, 0),  # asking again won't help
    (503, {"ok": False, "error": "service_unavailable"}, 24),  # failing until the give-up time
])
def test_an_unfinished_bot_post_slack_cannot_be_asked_about_is_unconfirmed_and_told_not_left_sending(
        tmp_path, slack_server, status, answer, hours):
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    mention_id = add_mention(store)
    store.enqueue_alerts([mention_id], [Alert(key="k", channel="slack", brand="Lumora", rule="r", severity="high",
                                              title="t", reasons=("r",), mention_id=mention_id)])
    store.begin_delivery("k", "slack", [1])  # what a SIGKILL during chat.postMessage leaves
    original = slack_server.handle
    slack_server.handle = lambda path, *rest: ((status, {}, answer) if path == "/api/conversations.history"
                                               else original(path, *rest))
    notices = []
    outbox = Outbox(store, {"slack": SlackBotNotifier("slack", "xoxb-test", "C0ALERTS",
                                                      base_url=slack_server.url + "/api/", timeout=2)},
                    clock=clock, report_problem=lambda *notice: notices.append(notice))
    if hours:
        assert outbox.deliver_due().unconfirmed == 0 and store.alerts()[0].status == "sending"
        clock.advance(hours=hours)
    assert outbox.deliver_due().unconfirmed == 1
    assert store.alerts()[0].status == "unconfirmed"
    assert not slack_server.posts("/api/chat.postMessage")  # at most once: not sent again
    [(kind, channel, text)] = notices
    assert (kind, channel) == ("delivery-unconfirmed", "slack") and "cannot be asked whether it arrived" in text


def test_sigkill_after_a_webhook_post_leaves_it_unconfirmed_and_tells_the_operator(tmp_path, slack_server):
    store = crash_while_sending(tmp_path, slack_server, "webhook")
    notices = []
    outbox = Outbox(store, {"slack": SlackWebhookNotifier("slack", slack_server.url + "/webhook")},
                    report_problem=lambda *notice: notices.append(notice))
    assert outbox.deliver_due().unconfirmed == 1
    assert len(slack_server.posts("/webhook")) == 1  # at most once: not sent again
    assert store.alerts()[0].status == "unconfirmed"
    assert notices[0][0] == "delivery-unconfirmed" and "may or may not have reached slack" in notices[0][2]


def test_end_to_end_ingest_gives_one_slack_message_and_one_email_hostile_text_inert_ack_by_reaction(
        tmp_path, slack_server, smtp_server):
    recorder, port = smtp_server
    (tmp_path / "posts.jsonl").write_text(json.dumps({
        "id": "9001", "text": "Lumora " + HOSTILE + " llevo 3 días sin internet, voy a llamar a mi abogado",
        "created_at": "2026-11-19T11:00:00Z", "source": "x", "author_handle": "ana", "author_reach": 50000,
        "url": "https://x.com/ana/status/9001", "lang": "es"}) + "\n", encoding="utf-8")
    (tmp_path / "listener.toml").write_text(textwrap.dedent(f"""
        [[brands]]
        name = "Lumora"
        terms = {{ "*" = ["Lumora"] }}
        [classifier]
        backend = "lexicon"
        [[alerts.channels]]
        name = "slack"
        type = "slack"
        bot_token = "${{SLACK_BOT_TOKEN}}"
        channel = "C0ALERTS"
        base_url = "{slack_server.url}/api/"
        [[alerts.channels]]
        name = "email"
        type = "email"
        smtp_host = "127.0.0.1"
        smtp_port = {port}
        smtp_security = "none"
        sender = "listener@example.com"
        recipients = ["pr@example.com"]
        [[alerts.rules]]
        name = "complaints"
        complaint_threshold = 0.5
        channels = ["slack", "email"]
        [storage]
        path = "listener.db"
        retention_days = 36500  # the post has a fixed date: stored whatever day the suite runs
        """), encoding="utf-8")
    environ = {"SLACK_BOT_TOKEN": "xoxb-e2e-token"}
    ingested = CliRunner().invoke(main, ["ingest", "--format", "jsonl", "--json", "--config",
                                         str(tmp_path / "listener.toml"), str(tmp_path / "posts.jsonl")], env=environ)
    assert ingested.exit_code == 0, ingested.output
    assert json.loads(ingested.stdout.splitlines()[-1]) == {"read": 1, "new": 1, "duplicates": 0, "errors": 0}
    assert "alerts sent 2" in ingested.stderr
    settings = load_settings(tmp_path / "listener.toml", environ=environ)
    clock = FakeClock(start=datetime.now(timezone.utc))  # the command delivered on the system clock
    with Listener(settings, clock=clock) as app:
        [post] = slack_server.posts("/api/chat.postMessage")
        assert "<!channel>" not in json.dumps(post.data) and "&lt;!channel&gt;" in post.data["text"]
        assert post.headers["authorization"] == "Bearer xoxb-e2e-token"
        [envelope] = recorder.messages
        html = email.message_from_bytes(envelope.content, policy=policy.default).get_body(("html",)).get_content()
        assert "&lt;script&gt;" in html and "<script>" not in html

        slack_server.reactions[post.data["ts"]] = [{"name": "white_check_mark", "users": ["U42"], "count": 1}]
        clock.advance(minutes=3)
        assert app.alerting.acks.check() == 1
        acknowledged = {row.alert.channel: row for row in app.store.alerts()}
        assert acknowledged["slack"].acknowledged_by == "slack:U42"
        assert acknowledged["email"].acknowledged_by == "slack:U42"  # the complaint is acknowledged
        assert 180 <= acknowledged["slack"].seconds_to_ack < 190
    with Listener(settings, clock=clock) as restarted:
        assert restarted.poll_once().delivery.sent == 0
    assert len(slack_server.posts("/api/chat.postMessage")) == 1 and len(recorder.messages) == 1


def test_an_unacknowledged_complaint_escalates_once_after_its_sla(tmp_path):
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    mention_id = add_mention(store)
    store.enqueue_alerts([mention_id], [Alert(key="k", channel="slack", brand="Lumora", rule="r", severity="high",
                                              title="t", reasons=("r",), mention_id=mention_id,
                                              ack_within=timedelta(minutes=30))])
    delivery = store.begin_delivery("k", "slack", [1])
    store.finish_delivery(delivery.id, "C1:1.0")
    escalator = Escalator(store, "oncall")
    clock.advance(minutes=29)
    assert escalator.escalate_overdue() == 0
    clock.advance(minutes=2)
    assert escalator.escalate_overdue() == 1
    assert escalator.escalate_overdue() == 0
    [escalation] = [row for row in store.alerts() if row.alert.channel == "oncall"]
    assert escalation.alert.severity == "critical" and escalation.alert.title == "Not acknowledged in time: t"
