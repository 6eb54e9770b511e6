"""Hostile and random Unicode through normalisation, classification, every alert format and the digest.

Right-to-left and zero-width marks, control characters, lone surrogates (a JSON ``"\\ud83d"`` cut from
its pair), Slack and HTML markup and 100 KB texts: nothing crashes, and no markup comes out live
(no ping or mention in Slack text, no ``<script`` in HTML, no extra header, line or terminal escape).
"""

from __future__ import annotations

import email
import io
import json
import math
import re
import tempfile
from datetime import datetime, timezone
from email import policy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from alerts.digest import build_digest
from alerts.notifiers import AlertMessage
from alerts.notifiers.console import ConsoleNotifier
from alerts.notifiers.email import render
from alerts.notifiers.jsonl import JsonlNotifier
from alerts.notifiers.slack_format import blocks, fallback_text
from alerts.notifiers.webhook import payload
from listener.domain import Alert, Classification, Mention, StoredMention
from listener.store import Store
from models.lexicon import LexiconClassifier
from models.text import normalize, tokenize
from tests.digest.digest_support import DAY, MORNING_AFTER, FakeClock, StoreFiller, at, make_settings

FRAGMENTS = [
    "<!channel>", "<!here>", "<!everyone>", "<@U024BE7LH>", "<#C0123|general>", "<!subteam^S1|@team>",
    "@channel", "@here", "<http://evil.example|your bank>", "```", "*bold*", "_it_", "~s~", ">quote",
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js>", "<img src=x onerror=alert(1)>",
    "</textarea><svg onload=alert(1)>", "javascript:alert(1)", "&lt;script&gt;", "&amp;lt;!channel&amp;gt;",
    "\u202e", "\u200f", "\u200e", "\u2066", "\u200b", "\u200c", "\u200d", "\ufeff", "\u2060",
    "\x00", "\x07", "\x1b[31m", "\x1b]0;owned\x07", "\r\nBcc: victim@example.com", "\r", "\n", "\t", "\x7f",
    "\ud83d", "\udc00", "😡", "🏳️‍🌈", "e\u0301", "Ｌｕｍｏｒａ", "لومورا", "ルモラ", "Lumora", "estafa", "sin internet",
]
BIG = 100_000

hostile_texts = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=20), max_size=30).map("".join),
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300),
    st.sampled_from(FRAGMENTS).map(lambda fragment: (fragment * (BIG // len(fragment) + 1))[:BIG]),
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any "<...>" left in Slack text must be one of our own links to the post.
SLACK_ENTITY = re.compile(r"<([^>]*)>")
# The only other entity an alert carries: when the post was written, in each reader's own time zone.
POSTED_DATE = re.compile(r"!date\^\d+\^\{date_short_pretty\} \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC")


@pytest.fixture(scope="module")
def embedded():
    from listener.config import ClassifierConfig
    from models.factory import load_classifier

    return load_classifier(ClassifierConfig(backend="embedded"))


def hostile_message(text: str, name: str) -> AlertMessage:
    """An alert whose post text and author name are ``text`` and ``name`` (through the domain type)."""
    mention = Mention(source="x", external_id="1", text=text, created_at=datetime(2026, 11, 19, tzinfo=timezone.utc),
                      brand="Lumora", url="https://x.com/a/status/1", author_handle=name[:30], author_name=name,
                      author_reach=10, lang="es")
    cue = (mention.author_name or "")[:40]  # cues come from the stored text, as the classifier finds them
    classification = Classification("es", "negative", (0.8, 0.1, 0.1), 0.9, (cue, "estafa"), "fuzz")
    alert = Alert(key="mention:1:c", channel="c", brand="Lumora", rule="complaints", severity="high",
                  title=f"Lumora: complaint from @{mention.author_handle} on x", reasons=(f"cue {cue}",),
                  mention_id=1)
    return AlertMessage(1, alert, StoredMention(1, mention, classification))


@FUZZ
@given(text=hostile_texts)
def test_normalisation_and_both_classifiers_take_any_text(text, embedded):
    normalized = normalize(text)
    assert isinstance(normalized, str) and all(isinstance(token, str) for token in tokenize(normalized))
    for classifier in (LexiconClassifier(), embedded):
        [result] = classifier.classify([text], [None])
        assert 0.0 <= result.complaint_prob <= 1.0 and math.isclose(sum(result.sentiment_probs), 1.0, abs_tol=1e-3)


@FUZZ
@given(text=hostile_texts, name=hostile_texts)
def test_slack_alert_text_carries_no_live_ping_mention_or_foreign_link(text, name):
    message = hostile_message(text, name)
    summary_blocks = blocks(_summary(message), "white_check_mark")
    texts = [fallback_text(_summary(message))] + _texts(summary_blocks)
    json.dumps(summary_blocks).encode("utf-8")
    for shown in texts:
        for entity in SLACK_ENTITY.findall(shown):
            assert entity.startswith("https://x.com/a/status/1|") or POSTED_DATE.fullmatch(entity), (
                f"live Slack markup: <{entity}>")
        assert not re.search(r"@(channel|here|everyone)\b", shown, re.IGNORECASE), "a bare broadcast"


@FUZZ
@given(text=hostile_texts, name=hostile_texts)
def test_email_alert_has_no_live_html_and_no_injected_header(text, name):
    rendered = render(hostile_message(text, name), "listener@example.com", ["pr@example.com"])
    parsed = email.message_from_bytes(rendered.as_bytes(), policy=policy.default)
    assert sorted(parsed.keys()) == sorted(["Subject", "From", "To", "Date", "Message-ID", "MIME-Version",
                                            "Content-Type"])
    assert_inert_html(parsed.get_body(("html",)).get_content())


@FUZZ
@given(text=hostile_texts, name=hostile_texts)
def test_webhook_console_and_jsonl_alerts_keep_text_as_data(text, name):
    message = hostile_message(text, name)
    body = json.loads(payload(message).decode("utf-8"))
    assert body["text"] == message.mention.mention.text

    screen = io.StringIO()
    ConsoleNotifier(stream=screen).send(message)
    assert all(ch.isprintable() or ch in " \n" for ch in screen.getvalue()), "no terminal control sequence"

    with tempfile.TemporaryDirectory() as folder:
        notifier = JsonlNotifier("file", Path(folder) / "alerts.jsonl")
        notifier.send(message)
        [line, end] = (Path(folder) / "alerts.jsonl").read_text(encoding="utf-8").split("\n")
        assert json.loads(line)["key"] == message.key and end == "", "one alert, one line"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(hostile_texts, min_size=1, max_size=4), name=hostile_texts)
def test_the_digest_of_a_day_of_hostile_complaints_has_no_live_html(texts, name):
    with tempfile.TemporaryDirectory() as folder:
        config = make_settings(Path(folder))
        clock = FakeClock(MORNING_AFTER)
        store = Store.open(config.storage.path, clock)
        filler = StoreFiller(store, clock)
        for hour, text in enumerate(texts):
            mention_id = filler.mention(at(hour + 1), text=text, complaint=0.9, sentiment="negative", url=name)
            filler.alert(mention_id, at(hour + 1))
        digest = build_digest(store, config, day=DAY, clock=clock)
        store.close()
    for html in (digest.html, digest.email_html):
        assert_inert_html(html)


class _Elements(HTMLParser):
    """The elements and attributes of an HTML document, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_inert_html(html: str) -> None:
    """No script, no event handler, no ``javascript:`` link, no foreign image or frame in ``html``.

    (The digest's own charts are inline SVG; text that tried to add one would have to carry a handler.)
    """
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in ("script", "iframe", "object", "embed", "textarea"), f"live <{tag}>"
        for name, value in attrs:
            assert not name.startswith("on"), f"live event handler {name} on <{tag}>"
            assert not (value or "").strip().lower().startswith("javascript:"), f"javascript: link on <{tag}>"
        if tag == "img":
            source = dict(attrs).get("src") or ""
            assert source.startswith(("cid:", "data:image/")), f"foreign image {source!r}"


def _summary(message: AlertMessage):
    from alerts.message import AlertSummary

    return AlertSummary.of(message)


def _texts(value: object) -> list[str]:
    """Every ``text`` string in a Block Kit structure."""
    if isinstance(value, dict):
        found = [value["text"]] if isinstance(value.get("text"), str) else []
        return found + [text for item in value.values() if not isinstance(item, str) for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []
