"""Who posted it and how far it reaches, as every channel words it."""

from __future__ import annotations

import io
from datetime import datetime, timezone

from alerts.message import AlertSummary
from alerts.notifiers import AlertMessage
from alerts.notifiers.console import ConsoleNotifier
from alerts.notifiers.slack_format import blocks
from alerts.rules import RuleEngine
from listener.config import BrandConfig, RuleConfig
from listener.domain import Alert, Classification, Mention, StoredMention
from listener.store import Store


def message(store: Store, source: str, handle: str, name: str, reach: int) -> AlertMessage:
    store.save_batch(source, [Mention(source, "p1", "Lumora sin internet", datetime(2026, 11, 19, tzinfo=timezone.utc),
                                      "Lumora", author_handle=handle, author_name=name, author_reach=reach)])
    stored = store.mention_by_key(source, "p1")
    alert = Alert(key="k", channel="c", brand="Lumora", rule="r", severity="normal", title="t", reasons=(),
                  mention_id=stored.id)
    return AlertMessage(1, alert, stored)


def test_a_reddit_posts_reach_is_its_subreddits_subscribers_and_a_name_equal_to_the_handle_shows_once(tmp_path):
    """Reddit gives no author audience: the number is the subreddit's, and alerts must say so."""
    reddit = message(Store.open(tmp_path / "r.db"), "reddit", "Spare_Otter_2569", "Spare_Otter_2569", 450_000)
    out = io.StringIO()
    ConsoleNotifier(stream=out).send(reddit)
    assert "  @Spare_Otter_2569 · 450,000 subreddit subscribers · reddit" in out.getvalue()
    assert {"type": "mrkdwn", "text": "*Reach*\n450,000 subreddit subscribers"} in blocks(AlertSummary.of(reddit), None)[2]["fields"]


def test_an_x_authors_reach_is_their_followers(tmp_path):
    summary = AlertSummary.of(message(Store.open(tmp_path / "x.db"), "x", "jorgevaz", "Jorge V.", 143))
    assert (summary.author, summary.reach, summary.reach_label) == ("Jorge V. (@jorgevaz)", 143, "followers")


def test_a_big_subreddit_does_not_raise_a_reddit_complaints_severity_as_a_big_author_does():
    """Reach thresholds weigh the author's own audience: a subreddit's subscribers are every post's there."""
    rule = RuleConfig(name="complaints", complaint_threshold=0.6, channels=["console"], reach_thresholds=[10_000, 100_000])
    classification = Classification("en", "negative", (0.8, 0.15, 0.05), 0.7)

    def severity(source: str) -> str:
        mention = Mention(source, "p1", "Lumora charged me twice again this month", datetime(2026, 11, 19, tzinfo=timezone.utc),
                          "Lumora", author_reach=450_000)
        [alert] = RuleEngine([rule], [BrandConfig(name="Lumora")]).evaluate(StoredMention(1, mention, classification))
        return alert.severity

    assert (severity("reddit"), severity("x")) == ("normal", "critical")
