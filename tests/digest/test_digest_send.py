"""Sending the digest: through a real local SMTP server (aiosmtpd) and a local Slack webhook."""

from __future__ import annotations

import email
from datetime import timedelta
import json
import logging
import socket
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from pydantic import SecretStr

from alerts.digest import build_digest, send_daily_digests
from alerts.digest.deliver import DigestDeliveryError, send_digest
from listener.cli import main
from tests.digest.digest_support import DAY, at, email_channel, make_settings, read_page


class Inbox:
    """An aiosmtpd handler that keeps every message it receives, after refusing the first ``refuse`` ones."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            self.refuse -= 1
            return "554 5.7.1 message rejected"
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def slack_webhook():
    posts: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield posts, f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def mail_settings(tmp_path, port: int, **digest):
    return make_settings(tmp_path, recipients=["pr@lumora.example", "ceo@lumora.example"],
                         extra_channels=[email_channel(port)], **digest)


def test_the_email_is_text_or_html_with_its_charts_inline(tmp_path, store, filler, clock, smtp_server):
    inbox, port = smtp_server
    filler.mention(at(10), complaint=0.9, text="Lumora me cobraron dos veces")
    filler.mention(at(11))
    report = send_digest(build_digest(store, mail_settings(tmp_path, port), day=DAY, clock=clock),
                         mail_settings(tmp_path, port))

    assert report.recipients == ("pr@lumora.example", "ceo@lumora.example")
    [(rcpt, raw)] = inbox.messages
    assert rcpt == ["pr@lumora.example", "ceo@lumora.example"]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"].startswith("Lumora digest, Thursday, November 19, 2026: 2 mentions, 1 complaint")
    assert message.get_content_type() == "multipart/alternative"
    text, related = message.get_payload()
    assert text.get_content_type() == "text/plain"
    assert "Complaints: 1" in text.get_content()
    assert related.get_content_type() == "multipart/related"
    html, *images = related.get_payload()
    assert html.get_content_type() == "text/html"
    page = read_page(html.get_content())
    assert page.number("totals", "complaints") == 1
    assert page.svgs == 0  # Gmail strips inline SVG: the email shows PNGs instead
    assert [image.get_content_type() for image in images] == ["image/png", "image/png"]
    for image in images:
        assert image.get_content().startswith(b"\x89PNG")
        assert f'src="cid:{image["Content-ID"].strip("<>")}"' in html.get_content()


def test_the_slack_summary_goes_to_the_digest_channel(tmp_path, store, filler, clock, smtp_server, slack_webhook):
    inbox, port = smtp_server
    posts, url = slack_webhook
    settings = mail_settings(tmp_path, port)
    settings.alerts.channels.append(settings.alerts.channels[0].model_validate(
        {"name": "team", "type": "slack", "webhook_url": url}))
    settings.digest.channel = "team"
    filler.mention(at(10), complaint=0.9, text="Lumora sin internet, no funciona")
    clock.now = at(8, day_offset=1)

    [report] = send_daily_digests(store, settings, clock=clock)

    assert report.slack and len(inbox.messages) == 1
    [post] = posts
    assert post["text"].startswith("Lumora digest, Thursday, November 19, 2026: 1 mention, 1 complaint")
    assert "Top topics: outage (1)." in post["text"]


def test_a_slack_summary_that_fails_after_the_email_says_the_email_went_out(tmp_path, store, clock, smtp_server):
    """Only the Slack error was shown: sending again, to get the summary, emailed the digest twice."""
    inbox, port = smtp_server
    settings = make_settings(tmp_path, recipients=["pr@lumora.example"], channel="team", extra_channels=[
        email_channel(port), {"name": "team", "type": "slack", "webhook_url": f"http://127.0.0.1:{free_port()}/hook"}])
    with pytest.raises(DigestDeliveryError, match=r"^emailed to pr@lumora\.example; the Slack summary failed: "
                                                  r"Slack channel 'team' could not be reached"):
        send_digest(build_digest(store, settings, day=DAY, clock=clock), settings)
    assert len(inbox.messages) == 1


def test_the_daily_job_sends_the_other_brands_digests_when_one_fails(tmp_path, store, clock, smtp_server, caplog):
    inbox, port = smtp_server
    inbox.refuse = 1  # the first digest, Lumora's
    settings = mail_settings(tmp_path, port)
    settings.brands[1].competitor = False  # two own brands: Lumora, then Vireo Net

    reports = send_daily_digests(store, settings, clock=clock)

    [(_, raw)] = inbox.messages
    assert len(reports) == 1 and "Vireo Net digest" in email.message_from_bytes(raw, policy=policy.default)["Subject"]
    [failed] = [record for record in caplog.records if record.getMessage() == "digest delivery failed"]
    assert failed.levelname == "ERROR" and failed.brand == "Lumora" and "answered SMTP 554" in failed.detail


def test_sending_without_an_email_channel_says_what_to_add(tmp_path, store, clock):
    settings = make_settings(tmp_path, recipients=["pr@lumora.example"])
    with pytest.raises(DigestDeliveryError, match=r"needs an \[\[alerts.channels\]\] entry with type = 'email'"):
        send_digest(build_digest(store, settings, day=DAY, clock=clock), settings)


def test_an_unreachable_smtp_server_is_a_clear_error(tmp_path, store, clock):
    settings = mail_settings(tmp_path, free_port())
    with pytest.raises(DigestDeliveryError, match=r"the SMTP server 127\.0\.0\.1:\d+ refused the connection \(channel 'mail'\)$"):
        send_digest(build_digest(store, settings, day=DAY, clock=clock), settings)


def test_a_digest_the_daemon_could_not_send_does_not_ask_for_it_to_be_sent_by_hand(tmp_path, store, clock, caplog):
    """The log said "then retry with 'listener digest --send'": done, the next hourly run emailed it a second time."""
    settings = mail_settings(tmp_path, free_port())
    store.record_digest_sent("Lumora", DAY - timedelta(days=1))
    clock.now = at(9, day_offset=1)

    assert send_daily_digests(store, settings, clock=clock, catch_up=True) == []

    [failed] = [record for record in caplog.records if record.getMessage() == "digest delivery failed"]
    assert "listener digest --send" not in failed.detail
    assert failed.detail.endswith("refused the connection (channel 'mail'); tried again at the next hourly run")


def test_the_digest_command_says_to_run_it_again_when_the_email_could_not_be_sent(tmp_path, store):
    config = tmp_path / "listener.toml"
    config.write_text(f"""
[[brands]]
name = "Lumora"

[[alerts.channels]]
name = "mail"
type = "email"
smtp_host = "127.0.0.1"
smtp_port = {free_port()}
smtp_security = "none"
sender = "listener@lumora.example"
recipients = ["pr@lumora.example"]

[storage]
path = "{tmp_path / 'listener.db'}"
""", encoding="utf-8")
    result = CliRunner().invoke(main, ["digest", "--config", str(config), "--date", "2026-11-19", "--send"])
    assert result.exit_code == 1, result.output
    assert "refused the connection (channel 'mail'); then run the command again" in result.output


@pytest.fixture
def slack_api():
    """A local stand-in for the three calls of Slack's file upload: get an upload URL, upload, complete."""
    calls: dict[str, bytes] = {}

    class Api(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            calls[self.path] = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path == "/upload":
                body = b"OK"
            elif self.path == "/api/files.getUploadURLExternal":
                body = json.dumps({"ok": True, "upload_url": f"{base}/upload", "file_id": "F123"}).encode()
            else:
                body = json.dumps({"ok": True, "files": [{"id": "F123"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain" if self.path == "/upload" else "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Api)
    base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield calls, f"{base}/api/"
    server.shutdown()


def test_a_slack_bot_uploads_the_page_with_the_summary(tmp_path, store, filler, clock, smtp_server, slack_api):
    inbox, port = smtp_server
    calls, base_url = slack_api
    settings = mail_settings(tmp_path, port)
    settings.alerts.channels.append(settings.alerts.channels[0].model_validate(
        {"name": "team", "type": "slack", "bot_token": "xoxb-test", "channel": "C0123", "base_url": base_url}))
    settings.digest.channel = "team"
    filler.mention(at(10), complaint=0.9)
    digest = build_digest(store, settings, day=DAY, clock=clock)

    send_digest(digest, settings)

    assert calls["/upload"] == digest.html.encode()
    completion = calls["/api/files.completeUploadExternal"].decode()
    assert "C0123" in completion and "F123" in completion
    assert "initial_comment=Lumora+digest" in completion  # the summary, form-encoded, as the upload's comment


@pytest.mark.parametrize("webhook", ["http://127.0.0.1:{port}/services/T0/B0/SECRET-HOOK-1",
                                     "hooks.slack.com/services/T0/B0/SECRET-HOOK-1"])  # no scheme: urllib quotes it
def test_a_failing_slack_webhook_never_shows_its_url(tmp_path, store, clock, smtp_server, caplog, webhook):
    """The webhook URL is the secret: neither the error nor any log line (slack_sdk's own included) quotes it.

    The config rejects a URL without a scheme; the channel is built past that check, as a library caller could."""
    caplog.set_level(logging.DEBUG)
    settings = mail_settings(tmp_path, smtp_server[1])
    settings.alerts.channels.append(settings.alerts.channels[0].model_construct(
        name="team", type="slack", webhook_url=SecretStr(webhook.format(port=free_port()))))
    settings.digest.channel = "team"
    with pytest.raises(DigestDeliveryError, match="Slack channel 'team'") as raised:
        send_digest(build_digest(store, settings, day=DAY, clock=clock), settings)
    assert "SECRET" not in str(raised.value)
    assert caplog.records and not [record for record in caplog.records if "SECRET" in record.getMessage()]


def subjects(inbox: Inbox) -> list[str]:
    return [email.message_from_bytes(raw, policy=policy.default)["Subject"] for _, raw in inbox.messages]


def test_the_days_a_stopped_listener_missed_are_sent_at_its_start_oldest_first_and_once(
        tmp_path, store, clock, smtp_server):
    """Each day's page lists the alerts quiet hours held until its digest: a day never sent lost them."""
    inbox, port = smtp_server
    settings = mail_settings(tmp_path, port)
    [first] = send_daily_digests(store, settings, clock=clock)  # 08:00 on the 20th: the 19th
    clock.now = at(10, day_offset=4)  # stopped from then until 10:00 on the 23rd; started again
    assert len(send_daily_digests(store, settings, clock=clock, catch_up=True)) == 3
    assert send_daily_digests(store, settings, clock=clock, catch_up=True) == []  # the next hour's run
    assert [subject.split(",")[1].strip() for subject in subjects(inbox)] == [
        "Thursday", "Friday", "Saturday", "Sunday"]
    assert store.digest_sent_through("Lumora") == DAY + timedelta(days=3)


def test_a_digest_that_could_not_be_sent_is_sent_by_the_next_hours_run(tmp_path, store, clock, smtp_server):
    inbox, port = smtp_server
    inbox.refuse = 1
    settings = mail_settings(tmp_path, port)
    assert send_daily_digests(store, settings, clock=clock) == []  # refused at 08:00
    clock.now += timedelta(hours=1)
    assert len(send_daily_digests(store, settings, clock=clock, catch_up=True)) == 1
    clock.now += timedelta(hours=1)
    assert send_daily_digests(store, settings, clock=clock, catch_up=True) == []
    assert len(inbox.messages) == 1


def test_a_first_start_sends_no_digest_before_the_digests_time(tmp_path, store, clock, smtp_server):
    """The start-up run catches up only after a digest was sent: a new listener waits for digest.time."""
    inbox, port = smtp_server
    clock.now = at(15)  # 15:00 on the 19th
    assert send_daily_digests(store, mail_settings(tmp_path, port), clock=clock, catch_up=True) == []
    assert inbox.messages == []


def test_a_digest_emailed_whose_slack_summary_failed_is_not_emailed_again_by_the_next_runs(
        tmp_path, store, clock, smtp_server):
    inbox, port = smtp_server
    settings = make_settings(tmp_path, recipients=["pr@lumora.example"], channel="team", extra_channels=[
        email_channel(port), {"name": "team", "type": "slack", "webhook_url": f"http://127.0.0.1:{free_port()}/hook"}])
    assert send_daily_digests(store, settings, clock=clock) == []  # emailed; the summary could not be posted
    for _ in range(3):
        clock.now += timedelta(hours=1)
        send_daily_digests(store, settings, clock=clock, catch_up=True)
    clock.now += timedelta(days=1)
    send_daily_digests(store, settings, clock=clock, catch_up=True)
    assert len(inbox.messages) == 2  # the 19th once, then the 20th


def test_one_brands_digest_that_cannot_be_made_does_not_stop_the_other_brands_digests(
        tmp_path, store, filler, clock, smtp_server, caplog):
    """An exception building Lumora's digest (here an incident row whose sources are not JSON) ended the job: Vireo
    Net's digest never went out, and the log did not say whose digest failed."""
    inbox, port = smtp_server
    settings = mail_settings(tmp_path, port)
    settings.brands[1].competitor = False  # two own brands: Lumora, then Vireo Net
    store.db.execute("INSERT INTO incidents (brand, title, size, first_seen, last_seen, sources) "
                     "VALUES ('Lumora', 'outage', 3, ?, ?, 'not json')", [at(9).isoformat(), at(11).isoformat()])

    assert len(send_daily_digests(store, settings, clock=clock)) == 1

    [subject] = subjects(inbox)
    assert "Vireo Net digest" in subject
    [failed] = [record for record in caplog.records if record.getMessage() == "digest could not be made"]
    assert failed.levelname == "ERROR" and failed.brand == "Lumora" and failed.day == DAY.isoformat()
    store.db.execute("UPDATE incidents SET sources = '{}'")  # the data mended: the next hour's run sends it
    clock.now += timedelta(hours=1)
    assert len(send_daily_digests(store, settings, clock=clock, catch_up=True)) == 1
    assert "Lumora digest" in subjects(inbox)[1]


def test_late_posts_a_digest_sent_late_already_counted_are_not_counted_again(tmp_path, store, filler, clock,
                                                                             smtp_server):
    """The 19th's digest, refused at 08:00, went out at 09:00 with the posts a poll brought at 08:30: the 20th's
    digest must not count those as late posts again, only the one seen after 09:00."""
    inbox, port = smtp_server
    inbox.refuse = 1
    settings = mail_settings(tmp_path, port)
    assert send_daily_digests(store, settings, clock=clock) == []  # 08:00 on the 20th: refused
    clock.now = at(8.5, day_offset=1)
    filler.mention(at(14), complaint=0.9)
    filler.mention(at(15), complaint=0.9)
    clock.now = at(9, day_offset=1)
    assert len(send_daily_digests(store, settings, clock=clock, catch_up=True)) == 1
    clock.now = at(9.5, day_offset=1)
    filler.mention(at(16), complaint=0.9)
    clock.now = at(8, day_offset=2)

    assert len(send_daily_digests(store, settings, clock=clock, catch_up=True)) == 1

    thursday, friday = subjects(inbox)
    assert "2 mentions, 2 complaints" in thursday
    text = email.message_from_bytes(inbox.messages[1][1], policy=policy.default).get_body("plain").get_content()
    assert "LATE POSTS FROM EARLIER DAYS: 1 post, 1 complaint" in text
