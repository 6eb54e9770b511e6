"""The shared delivery pipeline: retries, give-ups, quiet hours, grouping, rate limits, secrets."""

from __future__ import annotations

import email
import email.policy
import io
import json
import logging
import os
import random
import socket
import time
import tracemalloc
from datetime import datetime, timedelta, timezone

import pytest
import requests

from alerts.acks import ReactionAcks
from alerts.escalation import Escalator
from alerts.notifiers.console import ConsoleNotifier
from alerts.notifiers import AlertMessage, DeliveryError
from alerts.notifiers.email import EmailNotifier
from alerts.notifiers.jsonl import JsonlNotifier
from alerts.notifiers.slack import SlackBotNotifier, SlackWebhookNotifier
from alerts.notifiers.webhook import WebhookNotifier
from alerts.operator import OperatorNotices
from alerts.outbox import ChannelPolicy, GroupingPolicy, Outbox, RetryPolicy
from alerts.quiet_hours import QuietHours
from alerts.redact import Redactor
from listener.config import QuietHoursConfig
from listener.domain import Alert, incident_group
from listener.store import Store
from alert_helpers import FakeClock, add_mention, disk_full_beyond, free_port

TOKEN = "xoxb-1234-secret-token"


def queue(store: Store, mention_id: int, channel: str, *, group: str | None = None, severity: str = "high",
          clock: FakeClock | None = None) -> None:
    store.enqueue_alerts([mention_id], [Alert(
        key=f"mention:{mention_id}:{channel}", channel=channel, brand="Lumora", rule="complaints",
        severity=severity, title=f"complaint {mention_id}", reasons=("complaint 90% ≥ 60%",),
        mention_id=mention_id, group=group, ack_within=timedelta(minutes=30))])


def bot(slack_server) -> SlackBotNotifier:
    return SlackBotNotifier("slack", TOKEN, "C0ALERTS", base_url=slack_server.url + "/api/", timeout=2)


def test_500_and_429_are_retried_with_backoff_and_delivered_once(tmp_path, slack_server):
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store), "slack")
    slack_server.failures = [(500, {}), (429, {"Retry-After": "120"})]
    outbox = Outbox(store, {"slack": bot(slack_server)}, clock=clock, rng=random.Random(1))

    assert outbox.deliver_due().retrying == 1
    assert outbox.deliver_due().sent == 0  # not due yet: backing off
    clock.advance(seconds=6)
    assert outbox.deliver_due().retrying == 1  # 429
    [alert] = store.alerts()
    assert alert.next_attempt_at - clock.now >= timedelta(seconds=120)  # Retry-After honoured
    clock.advance(seconds=121)
    assert outbox.deliver_due().sent == 1
    clock.advance(hours=1)
    assert outbox.deliver_due().sent == 0
    assert len(slack_server.posts("/api/chat.postMessage")) == 1
    assert store.alerts()[0].status == "sent" and store.alerts()[0].attempts == 3


def test_a_twelve_hour_outage_keeps_retrying_and_delivers_once_when_it_ends(tmp_path, slack_server):
    """The backoff doubles up to its cap however many attempts fail (it overflowed at the 45th)."""
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store), "slack")
    slack_server.failures = [(503, {})] * 1000
    outbox = Outbox(store, {"slack": bot(slack_server)}, clock=clock, rng=random.Random(1))
    for _ in range(12 * 60):
        outbox.deliver_due()
        clock.advance(minutes=1)
    [alert] = store.alerts()
    assert alert.status == "pending" and alert.attempts > 45
    assert alert.next_attempt_at - clock.now <= timedelta(minutes=15)
    slack_server.failures = []
    clock.advance(minutes=15)
    assert outbox.deliver_due().sent == 1
    assert store.alerts()[0].status == "sent"


@pytest.mark.parametrize("retry_after", ["inf", "nan", "10000000"])
def test_a_retry_after_of_days_or_not_finite_waits_at_most_the_longest_backoff(tmp_path, slack_server, retry_after):
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store), "slack")
    slack_server.failures = [(429, {"Retry-After": retry_after})]
    outbox = Outbox(store, {"slack": bot(slack_server)}, clock=clock, rng=random.Random(1))
    assert outbox.deliver_due().retrying == 1
    assert store.alerts()[0].next_attempt_at - clock.now <= timedelta(minutes=15)
    clock.advance(minutes=15)
    assert outbox.deliver_due().sent == 1


@pytest.mark.parametrize("kind", ["bot", "webhook"])
def test_a_timeout_under_a_second_still_delivers_to_slack(tmp_path, slack_server, kind):
    """int(0.5) was 0: a non-blocking socket, and every send failed with BlockingIOError."""
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store), "slack")
    notifier = (SlackBotNotifier("slack", TOKEN, "C0ALERTS", base_url=slack_server.url + "/api/", timeout=0.5)
                if kind == "bot" else SlackWebhookNotifier("slack", slack_server.url + "/webhook", timeout=0.5))
    assert Outbox(store, {"slack": notifier}, clock=clock).deliver_due().sent == 1


def test_a_webhook_whose_server_never_answers_does_not_hold_back_another_channels_alert(tmp_path):
    """The channels were sent to one after another: the file's alert waited out the webhook's timeout, at every
    round the webhook's retry fell due (10 s by default)."""
    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections (the backlog), never answers
    store = Store.open(tmp_path / "l.db")
    mention_id = add_mention(store)
    for channel in ("hook", "file"):
        queue(store, mention_id, channel)
    hook = WebhookNotifier("hook", f"http://127.0.0.1:{silent.getsockname()[1]}/alerts", timeout=2)
    outbox = Outbox(store, {"hook": hook, "file": JsonlNotifier("file", tmp_path / "alerts.jsonl")})

    started = datetime.now(timezone.utc)
    with silent:
        report = outbox.deliver_due()

    [line] = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert (report.sent, report.retrying) == (1, 1)
    assert datetime.fromisoformat(line["sent_at"]) - started < timedelta(seconds=1), "it waited for the webhook"


def test_a_bot_post_whose_answer_timed_out_is_found_in_the_channel_not_posted_again(tmp_path, slack_server):
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store), "slack")
    slack_server.on_post = lambda: time.sleep(1)  # Slack has the message; its answer comes too late
    outbox = Outbox(store, {"slack": SlackBotNotifier("slack", TOKEN, "C0ALERTS", base_url=slack_server.url + "/api/",
                                                      timeout=0.3)}, clock=clock)
    assert outbox.deliver_due().sent == 1
    slack_server.on_post = None
    clock.advance(minutes=15)
    outbox.deliver_due()
    assert len(slack_server.posts("/api/chat.postMessage")) == 1
    [alert] = store.alerts()
    assert alert.status == "sent" and alert.delivery_ref == "C0ALERTS:1763553600.000001"


@pytest.mark.parametrize("kind", ["bot", "webhook"])
@pytest.mark.parametrize("refusal", ["invalid_blocks", "invalid_blocks_format", "msg_too_long"])
def test_a_message_slack_refuses_for_its_blocks_does_not_go_unseen_but_arrives_once_as_text(
        tmp_path, slack_server, kind, refusal):
    """It was given up at once ("check the bot token"): nobody saw the complaint."""
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store, "se cayó la fibra otra vez <@U123>"), "slack")
    slack_server.refuse_blocks = refusal
    notifier = bot(slack_server) if kind == "bot" else SlackWebhookNotifier("slack", slack_server.url + "/webhook")
    outbox = Outbox(store, {"slack": notifier}, clock=clock)
    assert outbox.deliver_due().sent == 1
    clock.advance(hours=1)
    assert outbox.deliver_due().sent == 0
    [post] = slack_server.posts("/api/chat.postMessage" if kind == "bot" else "/webhook")
    assert "blocks" not in post.data
    text = post.data["text"]
    for fact in ("complaint 1", ">se cayó la fibra otra vez &lt;@U123&gt;", "Ana (@angry)", "reach 1,200 followers",
                 "<https://x.com/angry/status/1|x>", "*Why flagged:* complaint 90% ≥ 60%", "`listener ack 1`"):
        assert fact in text
    [alert] = store.alerts()
    assert alert.status == "sent" and alert.attempts == 1
    if kind == "bot":  # still findable after a crash: it carries the key
        assert notifier.lookup(alert.alert.key, clock.now - timedelta(hours=2)).found


@pytest.mark.parametrize("clock_error", [timedelta(hours=1), timedelta(hours=-1), timedelta(0)])
def test_a_post_a_crash_left_unfinished_while_the_clock_was_wrong_is_not_posted_again(
        tmp_path, slack_server, clock_error):
    """The channel's history was read from the recorded send time on: a post made while the clock ran an hour
    ahead, then corrected, was stamped by Slack before that, was not found, and was posted a second time."""
    slack_clock = FakeClock()
    clock = FakeClock(slack_clock.now + clock_error)
    slack_server.clock = slack_clock
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store), "slack")
    [stored] = store.due_alerts(timedelta(minutes=15))
    store.begin_delivery(stored.alert.key, "slack", [stored.id])
    bot(slack_server).send(AlertMessage(stored.id, stored.alert, store.mention(stored.alert.mention_id)))
    # ... and the listener dies before recording it; it restarts ten minutes later, its clock set right.
    slack_clock.advance(minutes=10)
    clock.now = slack_clock.now
    assert Outbox(store, {"slack": bot(slack_server)}, clock=clock).deliver_due().sent == 1
    [post] = slack_server.posts("/api/chat.postMessage")
    [alert] = store.alerts()
    assert alert.status == "sent" and alert.delivery_ref == f"C0ALERTS:{post.data['ts']}"


def test_connection_refused_is_retried_and_the_secret_url_stays_out_of_store_and_logs(tmp_path, caplog):
    url = f"http://127.0.0.1:{free_port()}/services/T000/B000/supersecretpath"
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store), "slack")
    outbox = Outbox(store, {"slack": SlackWebhookNotifier("slack", url, timeout=2)}, clock=clock,
                    redact=Redactor([url]))
    with caplog.at_level(logging.DEBUG):
        assert outbox.deliver_due().retrying == 1
    [alert] = store.alerts()
    assert alert.status == "pending" and alert.last_error == "the Slack webhook refused the connection"
    assert "supersecretpath" not in caplog.text
    assert "supersecretpath" not in (tmp_path / "l.db").read_bytes().decode("latin-1")


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_webhook_that_redirects_does_not_have_its_alert_recorded_as_sent_unseen(tmp_path, slack_server, status):
    """urllib followed a 301, 302 or 303 as a GET without the body: the new address answered 200, and the alert
    was 'sent' though no one received it. Now it is given up at once, saying what to set, and the operator hears."""
    answer = slack_server.handle
    slack_server.handle = lambda path, headers, body, query: (
        (status, {"Location": slack_server.url + "/new"}, "moved") if path == "/old" else answer(path, headers, body, query))
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store), "hook")
    told = []
    outbox = Outbox(store, {"hook": WebhookNotifier("hook", slack_server.url + "/old")}, clock=clock,
                    report_problem=lambda kind, subject, text: told.append(text))
    assert outbox.deliver_due().given_up == 1
    assert slack_server.posts("/new") == []
    [alert] = store.alerts()
    assert alert.status == "failed" and "redirect" in alert.last_error and "set the channel's URL" in alert.last_error
    assert len(told) == 1


def test_smtp_4xx_is_retried_and_the_email_arrives_once(tmp_path, smtp_server):
    recorder, port = smtp_server
    recorder.failures = ["451 4.3.0 try again later"]
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store), "email")
    email = EmailNotifier("email", host="127.0.0.1", port=port, sender="listener@example.com",
                          recipients=["pr@example.com"], security="none")
    outbox = Outbox(store, {"email": email}, clock=clock)
    assert outbox.deliver_due().retrying == 1
    assert store.alerts()[0].last_error == "the SMTP server 127.0.0.1:{} answered SMTP 451".format(port)
    clock.advance(minutes=1)
    assert outbox.deliver_due().sent == 1
    clock.advance(minutes=10)
    outbox.deliver_due()
    assert len(recorder.messages) == 1


def test_a_line_a_full_disk_cut_short_is_removed_so_the_retry_leaves_only_whole_json_lines(tmp_path):
    """The retry's line used to continue the fragment: an invalid line in the file, its alert 'sent'."""
    path = tmp_path / "alerts.jsonl"
    path.write_text('{"key": "earlier"}\n')
    jsonl = JsonlNotifier("file", path)
    message = AlertMessage(1, Alert(key="mention:1:file", channel="file", brand="Lumora", rule="complaints",
                                    severity="high", title="complaint 1", reasons=("complaint 90% ≥ 60%",)), None)
    with disk_full_beyond(path.stat().st_size + 40), pytest.raises(DeliveryError, match="cannot append"):
        jsonl.send(message)
    assert jsonl.send(message) == "mention:1:file"
    assert [json.loads(line)["key"] for line in path.read_text().splitlines()] == ["earlier", "mention:1:file"]


def crash_after_writing_the_line(store: Store, jsonl: JsonlNotifier, mention_id: int) -> None:
    """What a crash between a JSONL line's write and its record as sent leaves: the line, and its delivery
    still 'attempting'."""
    [stored] = [row for row in store.alerts() if row.alert.mention_id == mention_id]
    store.begin_delivery(stored.alert.key, "file", [stored.id])
    jsonl.send(AlertMessage(stored.id, stored.alert, store.mention(mention_id)))


def test_a_jsonl_file_of_months_does_not_slow_start_up_nor_the_check_after_a_crash(tmp_path):
    """The whole file was read at start-up, and again for the check: 500,000 lines (263 MB) took 16 s and 50 MB
    each (its keys held for good, growing with every alert); a check now reads back only to the unfinished
    delivery's start."""
    clock = FakeClock()
    path = tmp_path / "alerts.jsonl"
    line = json.dumps({"channel": "file", "text": "Lumora me cobró dos veces " * 4, "sent_at": "2026-06-01T00:00:00+00:00"})
    path.write_text("".join(line.replace('"channel"', f'"key": "mention:{n}:old", "channel"') + "\n"
                            for n in range(100_000)))
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store), "file")
    tracemalloc.start()
    try:
        jsonl = JsonlNotifier("file", path, clock)
        crash_after_writing_the_line(store, jsonl, 1)
        assert Outbox(store, {"file": jsonl}, clock=clock).deliver_due().sent == 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, "the file's 100,000 keys are not held"
    assert [row.status for row in store.alerts()] == ["sent"]
    assert path.read_text().count("mention:1:file") == 1


@pytest.mark.parametrize("rotation", ["create", "copytruncate"])
def test_a_jsonl_file_rotated_by_logrotate_does_not_get_an_alert_twice_nor_lose_one(tmp_path, rotation):
    """A crash left a line unrecorded, then logrotate moved the file away before the restart: the check read only
    the new, empty file and wrote the alert again."""
    clock = FakeClock()
    path = tmp_path / "alerts.jsonl"
    store = Store.open(tmp_path / "l.db", clock)
    first, second = add_mention(store), add_mention(store, external_id="2")
    queue(store, first, "file")
    jsonl = JsonlNotifier("file", path, clock)
    crash_after_writing_the_line(store, jsonl, first)
    if rotation == "create":
        path.rename(tmp_path / "alerts.jsonl.1")
        path.touch()
    else:
        (tmp_path / "alerts.jsonl.1").write_bytes(path.read_bytes())
        os.truncate(path, 0)
    clock.advance(minutes=5)
    queue(store, second, "file")
    restarted = JsonlNotifier("file", path, clock)
    assert Outbox(store, {"file": restarted}, clock=clock).deliver_due().sent == 2
    rotated = [json.loads(line)["key"] for line in (tmp_path / "alerts.jsonl.1").read_text().splitlines()]
    current = [json.loads(line)["key"] for line in path.read_text().splitlines()]
    assert (rotated, current) == (["mention:1:file"], ["mention:2:file"])


def email_to(port: int, *recipients: str, security: str = "none", user: str | None = None) -> EmailNotifier:
    return EmailNotifier("email", host="127.0.0.1", port=port, sender="listener@example.com",
                         recipients=list(recipients), security=security, user=user, password="secret" if user else None)


def test_an_error_answering_quit_after_the_server_took_the_email_does_not_send_it_again(tmp_path, smtp_server):
    recorder, port = smtp_server
    recorder.quit_reply = "421 4.3.2 shutting down"
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store), "email")
    outbox = Outbox(store, {"email": email_to(port, "pr@example.com")}, clock=clock)
    assert outbox.deliver_due().sent == 1
    clock.advance(minutes=10)
    outbox.deliver_due()
    assert len(recorder.messages) == 1 and store.alerts()[0].status == "sent"


def test_recipients_refused_one_by_one_are_logged_and_the_others_get_the_email_once(tmp_path, smtp_server, caplog):
    recorder, port = smtp_server
    recorder.refused = {"oncall@example.com"}
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store), "email")
    outbox = Outbox(store, {"email": email_to(port, "pr@example.com", "oncall@example.com")}, clock=clock)
    assert outbox.deliver_due().sent == 1
    assert [message.rcpt_tos for message in recorder.messages] == [["pr@example.com"]]
    [record] = [r for r in caplog.records if r.getMessage() == "the SMTP server refused some recipients"]
    assert record.levelname == "ERROR" and record.refused == ["oncall@example.com"] and record.codes == [550]


def test_starttls_asked_of_a_server_without_it_is_given_up_at_once_saying_what_to_set(tmp_path, smtp_server):
    recorder, port = smtp_server
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store), "email")
    outbox = Outbox(store, {"email": email_to(port, "pr@example.com", security="starttls")}, clock=clock)
    assert outbox.deliver_due().given_up == 1
    assert "does not offer STARTTLS; set smtp_security" in store.alerts()[0].last_error


def test_a_login_asked_of_a_server_without_smtp_auth_is_given_up_at_once_saying_what_to_change(tmp_path, smtp_server):
    """It read "failed (SMTPNotSupportedError)", or was taken for STARTTLS not offered."""
    recorder, port = smtp_server  # offers no AUTH
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store), "email")
    outbox = Outbox(store, {"email": email_to(port, "pr@example.com", user="listener")}, clock=clock)
    assert outbox.deliver_due().given_up == 1
    error = store.alerts()[0].last_error
    assert "does not offer a login (no SMTP AUTH); remove smtp_user and smtp_password" in error
    assert 'set smtp_security to "starttls"' in error and "STARTTLS;" not in error and not recorder.messages


def test_an_alert_older_than_the_give_up_age_fails_and_the_operator_hears_once(tmp_path, slack_server):
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    for n in (1, 2):
        queue(store, add_mention(store, external_id=str(n)), "slack")
    slack_server.failures = [(503, {})] * 50
    notices = OperatorNotices(store, "ops", clock=clock)
    ops = io.StringIO()
    outbox = Outbox(store, {"slack": bot(slack_server), "ops": ConsoleNotifier("ops", ops)}, clock=clock,
                    policy=RetryPolicy(give_up_after=timedelta(hours=1)), report_problem=notices.report)
    outbox.deliver_due()
    clock.advance(hours=2)
    report = outbox.deliver_due()
    assert (report.given_up, report.sent) == (2, 1)
    assert [a.status for a in store.alerts() if a.alert.channel == "slack"] == ["failed", "failed"]
    assert ops.getvalue().count("[operator] delivery-failed: slack") == 1  # two give-ups, one notice an hour
    assert "gave up delivering alert(s) #1 to slack after 2 attempt(s): Slack chat.postMessage answered HTTP 503" \
        in ops.getvalue()


def test_quiet_hours_hold_alerts_for_the_digest_but_not_critical_ones(tmp_path, slack_server):
    clock = FakeClock()  # 12:00 UTC = 13:00 in Madrid
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store, external_id="1"), "slack", severity="high")
    queue(store, add_mention(store, external_id="2"), "slack", severity="critical")
    quiet = QuietHours(QuietHoursConfig(start="12:30", end="08:00", timezone="Europe/Madrid"))
    outbox = Outbox(store, {"slack": bot(slack_server)}, clock=clock,
                    policies={"slack": ChannelPolicy(quiet_hours=quiet)})
    report = outbox.deliver_due()
    assert (report.held, report.sent) == (1, 1)
    assert [a.alert.severity for a in store.alerts(status="held")] == ["high"]


def test_quiet_hours_deliver_the_severities_excepted_and_every_one_above_them():
    quiet = QuietHours(QuietHoursConfig(start="00:00", end="23:59", timezone="Europe/Madrid",
                                        except_severities=["high"]))
    moment = FakeClock()()
    assert [quiet.holds(moment, severity) for severity in ("low", "normal", "high", "critical")] == \
        [True, True, False, False]


def test_over_the_rate_limit_the_most_severe_go_alone_and_lead_the_batch(tmp_path, slack_server):
    """A critical alert among routine ones is neither batched behind them nor hidden in the batch's list."""
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    for n, severity in enumerate(["normal", "normal", "high", "normal", "critical", "critical", "low"], start=1):
        queue(store, add_mention(store, external_id=str(n)), "slack", severity=severity)
    outbox = Outbox(store, {"slack": bot(slack_server)}, clock=clock,
                    policies={"slack": ChannelPolicy(rate_limit_per_minute=3)})
    assert outbox.deliver_due().sent == 7
    single_1, single_2, batch = (post.data["blocks"] for post in slack_server.posts("/api/chat.postMessage"))
    assert [blocks[0]["text"]["text"] for blocks in (single_1, single_2)] == [
        ":red_circle: *complaint 5*", ":red_circle: *complaint 6*"]
    assert batch[0]["text"]["text"] == (":large_orange_circle: *5 alerts batched (channel rate limit reached): "
                                        "1 high, 3 normal, 1 low*")
    listed = next(block["text"]["text"] for block in batch if block.get("text", {}).get("text", "").startswith("*+4 more:*"))
    assert [line.split(" (#")[0] for line in listed.splitlines() if line.startswith("• ")] == [
        "• *normal* complaint 1", "• *normal* complaint 2", "• *normal* complaint 4", "• *low* complaint 7"]


def test_alerts_about_one_thing_become_one_follow_up_in_the_first_messages_thread(tmp_path, slack_server):
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    policies = {"slack": ChannelPolicy(grouping=True)}
    outbox = Outbox(store, {"slack": bot(slack_server)}, clock=clock, policies=policies,
                    grouping=GroupingPolicy(window=timedelta(minutes=30), interval=timedelta(minutes=5)))
    queue(store, add_mention(store, external_id="1"), "slack", group="Lumora:cue:sin internet")
    assert outbox.deliver_due().sent == 1
    for n in range(2, 7):
        clock.advance(seconds=30)
        queue(store, add_mention(store, external_id=str(n)), "slack", group="Lumora:cue:sin internet")
        outbox.deliver_due()
    assert len(slack_server.posts("/api/chat.postMessage")) == 1  # no storm while the interval runs
    clock.advance(minutes=5)
    assert outbox.deliver_due().sent == 5
    first, follow_up = slack_server.posts("/api/chat.postMessage")
    assert follow_up.data["thread_ts"] == first.data["ts"]
    assert follow_up.data["blocks"][0]["text"]["text"].endswith("*Follow-up: 5 more like this*")


def test_an_incident_that_doubles_after_the_grouping_window_is_followed_up_in_its_thread_not_posted_anew(
        tmp_path, slack_server):
    """An outage grows for hours (incidents stay open 120 minutes, groups 30): its growth was posted as new
    messages once its first was half an hour old, though the README says it goes to the same thread."""
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    outbox = Outbox(store, {"slack": bot(slack_server)}, clock=clock, policies={"slack": ChannelPolicy(grouping=True)},
                    grouping=GroupingPolicy(window=timedelta(minutes=30), interval=timedelta(minutes=5)))
    for n in (1, 2, 3):
        queue(store, add_mention(store, external_id=str(n)), "slack", group=incident_group("Lumora", 7))
        outbox.deliver_due()
        clock.advance(minutes=45)
    queue(store, add_mention(store, external_id="4"), "slack", group="Lumora:cue:bill")
    outbox.deliver_due()
    clock.advance(minutes=45)
    queue(store, add_mention(store, external_id="5"), "slack", group="Lumora:cue:bill")
    outbox.deliver_due()
    first, *grown, bill, bill_again = slack_server.posts("/api/chat.postMessage")
    assert [post.data.get("thread_ts") for post in grown] == [first.data["ts"]] * 2
    assert bill_again.data.get("thread_ts") is None  # a topic's alerts still group within the window only


def test_over_the_rate_limit_the_rest_is_batched_into_one_message(tmp_path, slack_server):
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    for n in range(1, 8):
        queue(store, add_mention(store, external_id=str(n)), "slack")
    outbox = Outbox(store, {"slack": bot(slack_server)}, clock=clock,
                    policies={"slack": ChannelPolicy(rate_limit_per_minute=3)})
    assert outbox.deliver_due().sent == 7
    posts = slack_server.posts("/api/chat.postMessage")
    assert len(posts) == 3
    assert posts[2].data["blocks"][0]["text"]["text"].endswith("*5 alerts batched (channel rate limit reached): 5 high*")
    queue(store, add_mention(store, external_id="8"), "slack")
    assert outbox.deliver_due().sent == 0  # the minute is used up
    clock.advance(seconds=61)
    assert outbox.deliver_due().sent == 1


def test_a_group_s_follow_up_on_a_slack_webhook_does_not_claim_a_rate_limit_was_reached(tmp_path, slack_server):
    """A webhook gives no reference to thread under, so its follow-up was headed "3 alerts batched (channel rate
    limit reached)" though the limit was ten a minute and three messages were sent in five minutes."""
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    outbox = Outbox(store, {"slack": SlackWebhookNotifier("slack", slack_server.url + "/webhook")}, clock=clock,
                    policies={"slack": ChannelPolicy(rate_limit_per_minute=10, grouping=True)})
    for n in range(1, 5):
        queue(store, add_mention(store, external_id=str(n)), "slack", group="Lumora:cue:bill")
        outbox.deliver_due()
        clock.advance(seconds=30)
    clock.advance(minutes=5)
    assert outbox.deliver_due().sent == 3
    headlines = [post.data["blocks"][0]["text"]["text"] for post in slack_server.posts("/webhook")]
    assert headlines == [":large_orange_circle: *complaint 1*",
                         ":large_orange_circle: *complaint 2 and 2 more like it*"]


def test_a_batch_on_the_console_does_not_show_only_its_first_alert(tmp_path):
    """The console printed the lead's title and post alone: the other alerts a rate limit batched into the message
    were recorded as sent and never shown."""
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    for n in range(1, 5):
        queue(store, add_mention(store, f"post number {n}", external_id=str(n)), "console")
    screen = io.StringIO()
    outbox = Outbox(store, {"console": ConsoleNotifier("console", screen)}, clock=clock,
                    policies={"console": ChannelPolicy(rate_limit_per_minute=2)})
    assert outbox.deliver_due().sent == 4
    batch = screen.getvalue().split("[ALERT #2 ")[1]
    assert batch.startswith("HIGH] 3 alerts batched (channel rate limit reached): 3 high\n")
    assert "  +2 more:\n  - [high] complaint 3 (#3) · Ana (@angry): post number 3\n" \
           "  - [high] complaint 4 (#4) · Ana (@angry): post number 4\n" in batch


def test_acknowledging_a_batch_acknowledges_every_alert_it_carried(tmp_path, slack_server):
    """As a reaction on the batch's message does: the person saw the whole message."""
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    for n in range(1, 6):
        queue(store, add_mention(store, external_id=str(n)), "slack")
    Outbox(store, {"slack": bot(slack_server)}, clock=clock,
           policies={"slack": ChannelPolicy(rate_limit_per_minute=2)}).deliver_due()
    batch = store.delivery_alerts(store.alerts()[0].delivery_id)
    assert len(batch) == 4
    store.acknowledge(batch[0].id, "ana")
    assert [stored.acknowledged_by for stored in store.alerts()] == ["ana"] * 4 + [None]


def test_an_incidents_alert_and_the_alert_of_the_post_it_shows_are_acknowledged_apart(tmp_path):
    """The incident's alert shows one of its posts; acknowledging that post is not being on the incident."""
    store = Store.open(tmp_path / "l.db", FakeClock())
    mention_id = add_mention(store)
    queue(store, mention_id, "slack")
    store.enqueue_alerts([], [Alert(key=f"incident:7:step:1:{channel}", channel=channel, brand="Lumora",
                                    rule="early-warning", severity="high", title="12 complaints in 15 min",
                                    reasons=(), mention_id=mention_id, group=incident_group("Lumora", 7))
                              for channel in ("slack", "mail")])
    post, *incident = sorted(store.alerts(), key=lambda stored: stored.id)
    store.acknowledge(post.id, "ana")
    assert [store.alert(stored.id).acknowledged_by for stored in incident] == [None, None]
    store.acknowledge(incident[0].id, "luis")
    assert [store.alert(stored.id).acknowledged_by for stored in (post, *incident)] == ["ana", "luis", "luis"]


def test_an_operator_notice_says_what_happened_in_the_push_and_shows_no_empty_post(tmp_path, slack_server, smtp_server):
    """It was laid out as a post's alert: an empty quote, "Author:", "Source: post", "Scores: complaint ? · ?",
    the problem under "Why flagged", and a push that ended at the title ("[high] [operator] ...: email: ")."""
    recorder, port = smtp_server
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    mail = EmailNotifier("mail", host="127.0.0.1", port=port, sender="listener@example.com",
                         recipients=["ops@example.com"], security="none")
    OperatorNotices(store, "slack", clock=clock).report("source-disabled", "x", "X rejected the bearer token (401)")
    OperatorNotices(store, "mail", clock=clock).report("source-disabled", "reddit", "Reddit rejected the app (401)")
    for subject in ("mail", "jsonl"):  # a batch of notices on a rate-limited operator channel
        OperatorNotices(store, "slack", clock=clock).report("delivery-failed", subject, f"gave up on {subject}")
    policies = {"slack": ChannelPolicy(rate_limit_per_minute=2)}
    Outbox(store, {"slack": bot(slack_server), "mail": mail}, clock=clock, policies=policies).deliver_due()
    post, batch = slack_server.posts("/api/chat.postMessage")
    assert post.data["text"] == "[high] [operator] source-disabled: x: X rejected the bearer token (401)"
    assert [block["text"]["text"] for block in post.data["blocks"][:2]] == [
        ":large_orange_circle: *[operator] source-disabled: x*", "X rejected the bearer token (401)"]
    assert "Author" not in json.dumps(post.data["blocks"])
    assert batch.data["blocks"][2]["text"]["text"].endswith("(#4) · gave up on jsonl")
    received = email.message_from_bytes(recorder.messages[0].content, policy=email.policy.default)
    text = received.get_body(("plain",)).get_content()
    assert "Reddit rejected the app (401)" in text and "Author:" not in text and '""' not in text
    html = received.get_body(("html",)).get_content()
    assert "<p>Reddit rejected the app (401)</p>" in html and "<blockquote" not in html


def test_a_server_that_quotes_part_of_a_secret_url_has_that_part_redacted():
    """A 404 body that echoes the webhook's path, a URL error that quotes its query: neither shows the token."""
    redact = Redactor(["https://hooks.example.com/echo/404/SECRET-HOOKECHO-555",
                       "http://127.0.0.1:18500/hook?token=SECRET-WHSPACE-212 x"])
    assert redact("HTTP 404 (no_such_hook /echo/404/SECRET-HOOKECHO-555)") == "HTTP 404 (no_such_hook [redacted])"
    assert "SECRET" not in redact("unexpected InvalidURL: '/hook?token=SECRET-WHSPACE-212 x'")
    assert redact("see https://hooks.example.com/status") == "see https://hooks.example.com/status"


def test_one_bot_refused_its_reactions_leaves_another_bots_channel_read(tmp_path, slack_server):
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    ops = SlackBotNotifier("ops", "xoxb-ops-no-scope", "C0OPS", base_url=slack_server.url + "/api/", timeout=2)
    pr = SlackBotNotifier("pr", "xoxb-pr-good", "C0PR", base_url=slack_server.url + "/api/", timeout=2)
    queue(store, add_mention(store, external_id="1"), "ops")
    queue(store, add_mention(store, external_id="2"), "pr")
    Outbox(store, {"ops": ops, "pr": pr}, clock=clock).deliver_due()
    [pr_ts] = [post.data["ts"] for post in slack_server.posts("/api/chat.postMessage") if post.data["channel"] == "C0PR"]
    slack_server.reactions = {pr_ts: [{"name": "white_check_mark", "users": ["U42"], "count": 1}]}
    original = slack_server.handle
    slack_server.handle = lambda path, headers, body, query: (
        (200, {}, {"ok": False, "error": "missing_scope", "needed": "reactions:read"})
        if path == "/api/reactions.get" and "no-scope" in headers.get("authorization", "") else
        original(path, headers, body, query))
    clock.advance(minutes=1)
    assert ReactionAcks(store, {"ops": ops, "pr": pr}, clock=clock).check() == 1
    assert {stored.alert.channel: stored.acknowledged_by for stored in store.alerts()} == {"ops": None, "pr": "slack:U42"}


def test_a_deleted_alert_message_does_not_stop_the_reactions_on_later_ones_being_read(tmp_path, slack_server):
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    for n in (1, 2, 3):
        queue(store, add_mention(store, external_id=str(n)), "slack")
    Outbox(store, {"slack": bot(slack_server)}, clock=clock).deliver_due()
    deleted, *kept = (post.data["ts"] for post in slack_server.posts("/api/chat.postMessage"))  # oldest first
    slack_server.reactions = {ts: [{"name": "white_check_mark", "users": ["U42"], "count": 1}] for ts in kept}
    original = slack_server.handle
    slack_server.handle = lambda path, headers, body, query: (
        (200, {}, {"ok": False, "error": "message_not_found"})
        if path == "/api/reactions.get" and f"timestamp={deleted}" in body.decode() else
        original(path, headers, body, query))
    clock.advance(minutes=1)
    assert ReactionAcks(store, {"slack": bot(slack_server)}, clock=clock).check() == 2
    assert [stored.acknowledged_by for stored in reversed(store.alerts())] == [None, "slack:U42", "slack:U42"]



def test_a_reaction_on_a_follow_up_in_its_thread_acknowledges_its_alerts_so_they_do_not_escalate(
        tmp_path, slack_server):
    """The follow-up says "React with ✅ to acknowledge": its reactions were never read (only those of
    messages of their own), so the complaints it carried escalated although someone had reacted."""
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    outbox = Outbox(store, {"slack": bot(slack_server)}, clock=clock, policies={"slack": ChannelPolicy(grouping=True)},
                    grouping=GroupingPolicy(window=timedelta(minutes=30), interval=timedelta(minutes=5)))
    queue(store, add_mention(store, external_id="1"), "slack", group="Lumora:cue:bill")
    outbox.deliver_due()
    clock.advance(seconds=30)
    for n in (2, 3):
        queue(store, add_mention(store, external_id=str(n)), "slack", group="Lumora:cue:bill")
    clock.advance(minutes=5)
    outbox.deliver_due()
    lead, follow_up = slack_server.posts("/api/chat.postMessage")
    assert follow_up.data["thread_ts"] == lead.data["ts"]
    slack_server.reactions = {follow_up.data["ts"]: [{"name": "white_check_mark", "users": ["U42"], "count": 1}]}
    asked = []
    original = slack_server.handle

    def counting(path, headers, body, query):
        asked.append(path)
        return original(path, headers, body, query)

    slack_server.handle = counting
    clock.advance(minutes=1)
    assert ReactionAcks(store, {"slack": bot(slack_server)}, clock=clock).check() == 1
    assert asked == ["/api/reactions.get"] * 2  # the lead and the follow-up, each read once
    assert [stored.acknowledged_by for stored in reversed(store.alerts())] == [None, "slack:U42", "slack:U42"]
    clock.advance(minutes=40)
    assert Escalator(store, "oncall").escalate_overdue() == 1  # the lead's complaint only


def test_a_reaction_on_a_batch_does_not_leave_the_follow_ups_in_its_thread_to_escalate(tmp_path, slack_server):
    """A group's lead batched by the rate limit has its follow-ups in the batch's thread. A message is read
    once a round, through the alert of it read first: when that was not the lead, its follow-ups were not
    acknowledged (read once per alert, the lead's own reading had acknowledged them) and escalated."""
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    outbox = Outbox(store, {"slack": bot(slack_server)}, clock=clock,
                    policies={"slack": ChannelPolicy(rate_limit_per_minute=2, grouping=True)},
                    grouping=GroupingPolicy(window=timedelta(minutes=30), interval=timedelta(minutes=5)))
    for n in range(1, 6):  # the first goes alone, the other four are batched: #3 leads the "bill" group
        queue(store, add_mention(store, external_id=str(n)), "slack", severity="critical" if n == 1 else "high",
              group="Lumora:cue:bill" if n == 3 else f"Lumora:cue:topic {n}")
    queue(store, add_mention(store, external_id="6"), "slack", group="Lumora:cue:bill")
    outbox.deliver_due()
    clock.advance(minutes=6)
    outbox.deliver_due()
    alone, batch, follow_up = slack_server.posts("/api/chat.postMessage")
    assert follow_up.data["thread_ts"] == batch.data["ts"]
    slack_server.reactions = {batch.data["ts"]: [{"name": "white_check_mark", "users": ["U42"], "count": 1}]}
    clock.advance(minutes=1)

    assert ReactionAcks(store, {"slack": bot(slack_server)}, clock=clock).check() == 1

    assert [stored.acknowledged_by for stored in reversed(store.alerts())] == [None] + ["slack:U42"] * 5
    clock.advance(minutes=40)
    assert [stored.id for stored in store.overdue_unacknowledged()] == [1]  # the alert sent alone only


def test_a_reaction_on_the_newest_alert_is_read_though_slack_rate_limits_the_round_before_the_oldest_are(
        tmp_path, slack_server):
    """Slack answers some 50 reactions.get a minute: read oldest first, 60 unacknowledged messages in the
    lookback ended every round before the newest, so a reaction on a fresh alert was never seen."""
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    for n in range(1, 61):
        queue(store, add_mention(store, external_id=str(n)), "slack")
    Outbox(store, {"slack": bot(slack_server)}, clock=clock).deliver_due()
    newest = slack_server.posts("/api/chat.postMessage")[-1].data["ts"]
    slack_server.reactions = {newest: [{"name": "white_check_mark", "users": ["U42"], "count": 1}]}
    asked = []
    original = slack_server.handle

    def tier_3(path, headers, body, query):
        if path == "/api/reactions.get":
            asked.append(path)
            if len(asked) > 50:
                return 429, {"Retry-After": "30"}, {"ok": False, "error": "ratelimited"}
        return original(path, headers, body, query)

    slack_server.handle = tier_3
    clock.advance(minutes=1)
    assert ReactionAcks(store, {"slack": bot(slack_server)}, clock=clock).check() == 1
    assert store.alerts()[0].acknowledged_by == "slack:U42"  # the newest


def test_a_bot_that_may_not_read_reactions_asks_once_a_round_not_once_a_message(tmp_path, slack_server):
    """missing_scope is the token's, not one message's: asking on about every message repeated it 40 times."""
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    for n in range(1, 41):
        queue(store, add_mention(store, external_id=str(n)), "slack")
    Outbox(store, {"slack": bot(slack_server)}, clock=clock).deliver_due()
    asked = []
    original = slack_server.handle

    def refusing(path, headers, body, query):
        if path == "/api/reactions.get":
            asked.append(path)
            return 200, {}, {"ok": False, "error": "missing_scope", "needed": "reactions:read"}
        return original(path, headers, body, query)

    slack_server.handle = refusing
    clock.advance(minutes=1)
    assert ReactionAcks(store, {"slack": bot(slack_server)}, clock=clock).check() == 0
    assert len(asked) == 1


def test_slack_down_for_hours_does_not_log_cannot_read_reactions_at_every_round(tmp_path, slack_server, caplog):
    """The daemon reads reactions every minute: Slack down for a day logged 1,440 'cannot read reactions'
    lines. Now the first, then one an hour with the count, and one when they are read again."""
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store), "slack")
    Outbox(store, {"slack": bot(slack_server)}, clock=clock).deliver_due()
    working = slack_server.handle
    slack_server.handle = lambda path, headers, body, query: (503, {}, {"ok": False, "error": "service_unavailable"})
    acks = ReactionAcks(store, {"slack": bot(slack_server)}, clock=clock)
    with caplog.at_level("INFO", logger="alerts.acks"):
        for _ in range(30):
            clock.advance(minutes=1)
            assert acks.check() == 0
        slack_server.handle = working
        acks.check()
    assert [(record.getMessage(), getattr(record, "failures", None)) for record in caplog.records
            if record.name == "alerts.acks"] == [("cannot read reactions", None), ("reactions read again", 30)]

def test_a_secret_quoted_escaped_or_line_by_line_is_redacted():
    """requests refuses a header value with a line break and quotes it escaped ('Bearer AAAA...\\nSECRET...'),
    and a traceback prints a multi-line value's lines apart: neither form was redacted."""
    secret = "AAAAAAAAAAAAAAAAAAAAAcanary\nSECRETTAIL"
    with pytest.raises(requests.exceptions.InvalidHeader) as refused:
        requests.Request("GET", "https://api.twitter.com/2/tweets/search/recent",
                         headers={"Authorization": f"Bearer {secret}"}).prepare()
    redact = Redactor([secret])

    assert "\\n" in str(refused.value) and "canary" in str(refused.value)
    for text in (str(refused.value), "Bearer AAAAAAAAAAAAAAAAAAAAAcanary\n  File x.py, line 3\nSECRETTAIL"):
        assert "canary" not in redact(text) and "SECRETTAIL" not in redact(text)


def test_a_clock_set_back_an_hour_does_not_hold_a_channel_s_retry_or_the_alerts_behind_it_for_that_hour(
        tmp_path, slack_server):
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    queue(store, add_mention(store, external_id="1"), "slack")
    slack_server.failures = [(503, {})]
    outbox = Outbox(store, {"slack": bot(slack_server)}, clock=clock, rng=random.Random(1))
    assert outbox.deliver_due().retrying == 1  # its retry timed on the clock an hour ahead
    clock.advance(hours=-1)  # NTP corrects it
    queue(store, add_mention(store, external_id="2"), "slack")
    clock.advance(minutes=1)
    assert outbox.deliver_due().sent == 2
    assert store.stats()["alerts_pending"] == 0


def test_a_clock_set_back_an_hour_does_not_count_that_hour_s_messages_against_the_rate_limit(tmp_path, slack_server):
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    outbox = Outbox(store, {"slack": bot(slack_server)}, clock=clock,
                    policies={"slack": ChannelPolicy(rate_limit_per_minute=3)})
    for n in range(1, 4):
        queue(store, add_mention(store, external_id=str(n)), "slack")
    assert outbox.deliver_due().sent == 3
    clock.advance(hours=-1)
    queue(store, add_mention(store, external_id="4"), "slack")
    assert outbox.deliver_due().sent == 1


def test_a_clock_set_back_an_hour_does_not_hold_a_follow_up_for_that_hour(tmp_path, slack_server):
    clock = FakeClock()
    store = Store.open(tmp_path / "l.db", clock)
    outbox = Outbox(store, {"slack": bot(slack_server)}, clock=clock, policies={"slack": ChannelPolicy(grouping=True)},
                    grouping=GroupingPolicy(window=timedelta(minutes=30), interval=timedelta(minutes=5)))
    queue(store, add_mention(store, external_id="1"), "slack", group="Lumora:cue:sin internet")
    assert outbox.deliver_due().sent == 1
    clock.advance(hours=-1)
    queue(store, add_mention(store, external_id="2"), "slack", group="Lumora:cue:sin internet")
    assert outbox.deliver_due().sent == 1
    assert slack_server.posts("/api/chat.postMessage")[1].data["thread_ts"] == \
        slack_server.posts("/api/chat.postMessage")[0].data["ts"]
