"""Hostile post text arrives inert on every channel."""

from __future__ import annotations

import email
import hashlib
import hmac
import json
from dataclasses import replace
from email import policy

import pytest

from alerts.notifiers import AlertMessage
from alerts.notifiers.email import EmailNotifier
from alerts.notifiers.slack_format import SECTION_LIMIT, blocks, escape, fit
from alerts.notifiers.webhook import WebhookNotifier
from alerts.message import AlertSummary
from listener.domain import Alert
from listener.store import Store
from alert_helpers import HOSTILE, FakeClock, add_mention


def message(store: Store, text: str = HOSTILE, handle: str = "angry") -> AlertMessage:
    mention_id = add_mention(store, text, handle=handle)
    alert = Alert(key=f"mention:{mention_id}:c", channel="c", brand="Lumora", rule="r", severity="high",
                  title=f"Lumora: complaint from @{handle} on x\r\nBcc: x@example.com", reasons=("keyword 'abogado'",),
                  mention_id=mention_id)
    return AlertMessage(1, alert, store.mention(mention_id))


def test_slack_escaping_defuses_pings_fake_links_and_code_fences():
    assert escape("<!channel> <!here> <@U123> <!subteam^S1|@team> <http://evil.example|your bank>") == (
        "&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;!subteam^S1|@team&gt; "
        "&lt;http://evil.example|your bank&gt;")
    assert escape("a & b @here @channel") == "a &amp; b @\u2060here @\u2060channel"
    assert escape("```x```") == "`\u200b`\u200b`x`\u200b`\u200b`"


def test_slack_text_is_cut_to_block_kit_limits_without_splitting_an_entity():
    cut = fit("<" * 5000, SECTION_LIMIT)
    assert len(cut) <= SECTION_LIMIT and cut.endswith("&lt;…")


@pytest.mark.parametrize("text", ["la factura & el <cobro> " * 200, "x\n" * 2000], ids=["long", "many-lines"])
def test_a_long_post_is_quoted_up_to_the_section_limit_and_does_not_end_without_saying_it_was_cut(tmp_path, text):
    """Every section was cut at the 2,000 characters of a field, after fitting: a long Reddit post ended
    mid-sentence (or mid-entity) with no "…", and a batch lost its "… and N more" line."""
    store = Store.open(tmp_path / "l.db")
    quoted = blocks(AlertSummary.of(message(store, text)), None)[1]["text"]["text"]
    assert 2000 < len(quoted) <= SECTION_LIMIT
    assert quoted.endswith("…")


def test_a_batch_of_long_posts_does_not_drop_the_line_saying_how_many_more_it_carries(tmp_path):
    """Ten posts of 235 characters fill the section: the "… and 20 more" line after them was left out,
    so the message listed ten of "+30 more" with no word of the rest."""
    store = Store.open(tmp_path / "l.db")
    post = ("@lumora llevo tres días sin internet y nadie de soporte me contesta, ya llamé cinco veces y me "
            "cuelgan siempre, es una vergüenza total y quiero que me devuelvan el dinero del mes YA, y encima "
            "me cobran la reconexión & el router")
    first, *others = (message(store, post, handle=f"customer_{n:04d}") for n in range(31))
    batch = replace(first, more=tuple(others))

    [listed] = [block["text"]["text"] for block in blocks(AlertSummary.of(batch), None)
                if block.get("text", {}).get("text", "").startswith("*+")]

    assert listed.startswith("*+30 more:*") and len(listed) <= SECTION_LIMIT
    shown = listed.count("\n• ")
    assert listed.endswith(f"\n… and {30 - shown} more (see `listener alerts`)")


def test_slack_blocks_quote_the_post_escaped_and_link_only_the_real_url(tmp_path):
    store = Store.open(tmp_path / "l.db")
    summary = AlertSummary.of(message(store, handle="a|b><!here>"))
    rendered = blocks(summary, "white_check_mark")
    assert rendered[1]["text"]["text"] == ">" + escape(HOSTILE).replace("\r\n", "\r\n>")
    assert rendered[2]["fields"][2]["text"] == "*Source*\n<https://x.com/a%7Cb%3E%3C!here%3E/status/1|x>"
    assert "&lt;!here&gt;" in rendered[2]["fields"][0]["text"]
    assert rendered[-1]["elements"][0]["text"].startswith("React with :white_check_mark: to acknowledge")
    assert rendered[2]["fields"][3]["text"] == (
        "*Posted*\n<!date^1795086000^{date_short_pretty} {time}|2026-11-19 11:00 UTC>")  # our own date entity
    everything = json.dumps(rendered).replace('<!date^1795086000^', '')
    assert "<!" not in everything and "<@" not in everything and "<http://evil" not in everything


def test_email_is_autoescaped_and_its_headers_cannot_be_injected(tmp_path, smtp_server):
    recorder, port = smtp_server
    store = Store.open(tmp_path / "l.db")
    notifier = EmailNotifier("email", host="127.0.0.1", port=port, sender="listener@example.com",
                             recipients=["pr@example.com"], security="none")
    reference = notifier.send(message(store))
    [envelope] = recorder.messages
    assert envelope.rcpt_tos == ["pr@example.com"]
    received = email.message_from_bytes(envelope.content, policy=policy.default)
    assert received["Subject"] == "[high] Lumora: complaint from @angry on x Bcc: x@example.com"
    assert received["Bcc"] is None and received["Message-ID"] == reference
    html = received.get_body(("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "&lt;http://evil.example|your bank&gt;" in html
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "<script>alert(1)</script>" in text  # plain text shows it as typed, it cannot run there


def test_a_multi_line_post_cannot_forge_lines_of_the_plain_text_email(tmp_path, smtp_server):
    """Each line of the post is quoted: one of its lines read 'Acknowledge: listener ack 999' as the email's own."""
    recorder, port = smtp_server
    store = Store.open(tmp_path / "l.db")
    notifier = EmailNotifier("email", host="127.0.0.1", port=port, sender="listener@example.com",
                             recipients=["pr@example.com"], security="none")
    notifier.send(message(store, "@Lumora sin internet\nSeverity: low\n\nAcknowledge: listener ack 999"))
    received = email.message_from_bytes(recorder.messages[0].content, policy=policy.default)
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "> @Lumora sin internet\n> Severity: low\n>\n> Acknowledge: listener ack 999\n" in text
    assert [line for line in text.splitlines() if line.startswith(("Acknowledge:", "Severity:"))] == [
        "Severity: high · Brand: Lumora", "Acknowledge: listener ack 1"]


def test_a_multi_line_post_an_incident_lists_as_similar_cannot_forge_lines_of_the_plain_text_email(
        tmp_path, smtp_server):
    """An incident's alert gives the posts most like it as reasons ("similar: ..."), on the "Why flagged"
    line: a Reddit post's lines ('Severity: low', 'Acknowledge: listener ack 1') read as the email's own."""
    recorder, port = smtp_server
    store = Store.open(tmp_path / "l.db")
    shown = add_mention(store, "Lumora app won't let me log in", external_id="1")
    add_mention(store, "No puedo iniciar sesión en Lumora\nSeverity: low\n\nAcknowledge: listener ack 1",
                external_id="2")
    alert = Alert(key="incident:7:step:1:email", channel="email", brand="Lumora", rule="early-warning",
                  severity="high", title="Lumora: 5 complaints in 15 min: log in / app", mention_id=shown,
                  reasons=("spike on Lumora: 5 complaints in 15 min", "incident #7: 5 complaints",
                           "similar: No puedo iniciar sesión en Lumora\nSeverity: low\n\nAcknowledge: listener ack 1"))
    notifier = EmailNotifier("email", host="127.0.0.1", port=port, sender="listener@example.com",
                             recipients=["pr@example.com"], security="none")
    notifier.send(AlertMessage(3, alert, store.mention(shown)))
    received = email.message_from_bytes(recorder.messages[0].content, policy=policy.default)
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "similar: No puedo iniciar sesión en Lumora Severity: low Acknowledge: listener ack 1\n" in text
    assert [line for line in text.splitlines() if line.startswith(("Acknowledge:", "Severity:"))] == [
        "Severity: high · Brand: Lumora", "Acknowledge: listener ack 3"]


def test_webhook_sends_plain_json_with_a_verifiable_hmac_signature(tmp_path, slack_server):
    store = Store.open(tmp_path / "l.db")
    clock = FakeClock()
    WebhookNotifier("hook", slack_server.url + "/hook", secret="hmac-secret", clock=clock).send(message(store))
    [received] = slack_server.posts("/hook")
    assert json.loads(received.body)["text"] == HOSTILE
    timestamp = received.headers["x-listener-timestamp"]
    expected = hmac.new(b"hmac-secret", timestamp.encode() + b"." + received.body, hashlib.sha256).hexdigest()
    assert received.headers["x-listener-signature"] == f"sha256={expected}"
    assert received.headers["idempotency-key"] == "mention:1:c"
