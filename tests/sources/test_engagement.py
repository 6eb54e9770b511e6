"""The engagement re-poll: recent complaints get today's likes and reach, so spreading ones are seen."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import responses

from listener.app import Listener
from listener.config import EarlyWarningConfig
from listener.domain import Classification, Engagement, StoredMention
from listener.ingest import ingest_files
from listener.sources.reddit import RedditSource, reddit_client
from listener.sources.x import XSource, x_client
from tests.sources.recordings import CassetteServer, Recorded, fixture_path, x_recording

LOOKUP = "https://api.twitter.com/2/tweets"
COMPLAINT = Classification("en", "negative", (0.9, 0.05, 0.05), complaint_prob=0.95)


def test_recent_complaints_get_their_engagement_refreshed(make_settings, throttle):
    body = x_recording("all-0ddaa2.json").json()
    complaint, other = body["data"][0], body["data"][1]
    posted = datetime.fromisoformat(complaint["created_at"].replace("Z", "+00:00"))
    settings = make_settings(x=True)
    source = XSource(settings.sources.x, settings.brands[:1], client=x_client(settings.sources.x),
                     throttle=throttle("x"))
    with Listener(settings, sources=[source], clock=lambda: posted + timedelta(hours=2)) as app:
        ingest_files(app, [fixture_path("x/all-0ddaa2.json")], "x-v2", brand="KFC", classify=False)
        stored = app.store.mention_by_key("x", complaint["id"])
        verdict = Classification("en", "negative", (0.9, 0.05, 0.05), complaint_prob=0.95)
        app.store.save_classifications([(stored.id, verdict)])
        complaint["public_metrics"]["like_count"] += 500
        with responses.RequestsMock() as api:
            api.add(responses.GET, LOOKUP, body=json.dumps(body), status=200)

            updated = app.repoll_engagement()

            assert api.calls[0].request.params["ids"] == complaint["id"], "only complaints are re-polled"
        assert updated == 1
        assert app.store.mention_by_key("x", complaint["id"]).mention.engagement.likes == \
            complaint["public_metrics"]["like_count"]
        assert app.store.mention_by_key("x", other["id"]).mention.engagement.likes == \
            other["public_metrics"]["like_count"]



def test_an_edited_tweet_is_re_polled_by_the_id_of_its_version_last_read(make_settings, throttle, tmp_path):
    """Its mention is keyed on the first version's id, which X answers with the first version: counts that
    stopped growing at the edit."""
    body = x_recording("all-0ddaa2.json").json()
    body["data"] = body["data"][:1]
    edit = body["data"][0]
    first_id, edit["id"] = edit["id"], str(int(edit["id"]) + 1)
    edit["edit_history_tweet_ids"] = [first_id, edit["id"]]
    saved = tmp_path / "edited.json"
    saved.write_text(json.dumps(body), encoding="utf-8")
    posted = datetime.fromisoformat(edit["created_at"].replace("Z", "+00:00"))
    settings = make_settings(x=True)
    source = XSource(settings.sources.x, settings.brands[:1], client=x_client(settings.sources.x),
                     throttle=throttle("x"))
    with Listener(settings, sources=[source], clock=lambda: posted + timedelta(hours=2)) as app:
        ingest_files(app, [saved], "x-v2", brand="KFC", classify=False)
        stored = app.store.mention_by_key("x", first_id)
        app.store.save_classifications([(stored.id, Classification("en", "negative", (0.9, 0.05, 0.05), 0.95))])
        edit["public_metrics"]["like_count"] += 500
        with responses.RequestsMock() as api:
            api.add(responses.GET, LOOKUP, body=json.dumps(body), status=200)

            app.repoll_engagement()

            assert api.calls[0].request.params["ids"] == edit["id"]
        assert app.store.mention(stored.id).mention.engagement.likes == edit["public_metrics"]["like_count"]


def test_one_malformed_tweet_in_the_re_poll_answer_does_not_lose_the_others_fresh_counts(
        make_settings, throttle, caplog):
    """The whole lookup used to fail at that tweet: no complaint of the chunk got its counts."""
    body = x_recording("all-0ddaa2.json").json()
    recent = body["data"][:3]  # the fourth was posted two days earlier
    posted = max(datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00")) for tweet in recent)
    settings = make_settings(x=True)
    source = XSource(settings.sources.x, settings.brands[:1], client=x_client(settings.sources.x),
                     throttle=throttle("x"))
    with Listener(settings, sources=[source], clock=lambda: posted + timedelta(hours=2)) as app:
        ingest_files(app, [fixture_path("x/all-0ddaa2.json")], "x-v2", brand="KFC", classify=False)
        for tweet in recent:
            stored = app.store.mention_by_key("x", tweet["id"])
            app.store.save_classifications([(stored.id, Classification("en", "negative", (0.9, 0.05, 0.05), 0.95))])
            tweet["public_metrics"]["like_count"] += 500
        broken = recent[1]
        stored_likes = app.store.mention_by_key("x", broken["id"]).mention.engagement.likes
        broken["created_at"] = "last Tuesday"
        with responses.RequestsMock() as api:
            api.add(responses.GET, LOOKUP, body=json.dumps(body), status=200)

            updated = app.repoll_engagement()

        assert updated == 2
        likes = {tweet["id"]: app.store.mention_by_key("x", tweet["id"]).mention.engagement.likes for tweet in recent}
        assert likes == {recent[0]["id"]: recent[0]["public_metrics"]["like_count"], broken["id"]: stored_likes,
                         recent[2]["id"]: recent[2]["public_metrics"]["like_count"]}
        [skipped] = [record for record in caplog.records if record.getMessage() == "bad input skipped"]
        assert skipped.detail == "x: tweet #2: field 'created_at' is not an ISO 8601 time: 'last Tuesday'"


class RedditRepoll:
    """praw against a local server replaying the recorded search (its posts moved into the last hours),
    then answering the re-poll's ``/api/info`` with ``posts`` as they are when :meth:`repoll` is called."""

    def __init__(self, server: CassetteServer, app: Listener, body: dict) -> None:
        self.server, self.app, self._body = server, app, body
        self.posts = [child["data"] for child in body["data"]["children"]]
        self._headers = server.routes[("GET", "/r/all/search")][0].headers

    def stored(self, post: dict) -> StoredMention:
        return self.app.store.mention_by_key("reddit", post["name"])

    def repoll(self) -> int:
        self.server.replace("GET", "/api/info", Recorded(200, self._headers, json.dumps(self._body)))
        return self.app.repoll_engagement()


@pytest.fixture
def reddit_repoll(make_settings, throttle) -> Iterator[Callable[..., RedditRepoll]]:
    """``reddit_repoll(alert_keywords=...)``: the recorded posts polled, each stored as a complaint."""
    with CassetteServer.of("reddit/TestSubreddit.test_search.json") as server, ExitStack() as opened:

        def build(alert_keywords: Sequence[str] = ()) -> RedditRepoll:
            listing = server.routes[("GET", "/r/all/search")][0]
            body = listing.json()
            posts = [child["data"] for child in body["data"]["children"]]
            newest = max(post["created_utc"] for post in posts)
            for number, post in enumerate(posts):  # all within the re-poll's 48 hours, as read: not edited
                post["created_utc"], post["edited"] = newest - 600 * number, False
            server.replace("GET", "/r/all/search", Recorded(200, listing.headers, json.dumps(body)))
            settings = make_settings(x=False, reddit=True, alert_keywords=alert_keywords)
            config = settings.sources.reddit.model_copy(update={"comment_subreddits": []})
            source = RedditSource(config, settings.brands[:1], throttle=throttle("reddit"),
                                  reddit=reddit_client(config, oauth_url=server.url, reddit_url=server.url))
            now = datetime.fromtimestamp(newest, timezone.utc) + timedelta(hours=2)
            app = opened.enter_context(Listener(settings, sources=[source], clock=lambda: now))
            app.source_job(app.sources[0])()
            repoll = RedditRepoll(server, app, body)
            app.store.save_classifications([(repoll.stored(post).id, COMPLAINT) for post in posts])
            return repoll

        yield build


def test_one_malformed_reddit_post_in_the_re_poll_answer_does_not_lose_the_others_fresh_counts(
        reddit_repoll, caplog):
    reddit = reddit_repoll()
    for post in reddit.posts:
        post["score"] += 500
    broken = reddit.posts[1]
    stored_likes = reddit.stored(broken).mention.engagement.likes
    broken["created_utc"] = "yesterday"

    updated = reddit.repoll()

    assert updated == 5
    assert {post["name"]: reddit.stored(post).mention.engagement.likes for post in reddit.posts} == \
        {post["name"]: stored_likes if post is broken else post["score"] for post in reddit.posts}
    [skipped] = [record for record in caplog.records if record.getMessage() == "bad input skipped"]
    assert skipped.detail == (f"reddit {broken['name']}: field 'created_utc' must be a number of seconds since "
                              "1970, got 'yesterday'")


def test_a_reddit_post_edited_after_it_was_read_does_not_keep_its_old_text(reddit_repoll, alert_lines):
    """The poller reads a post once; the re-poll reads it whole again and takes an edit as an import
    does: classified again, evaluated again only while it has not alerted, never a removal's mark."""
    reddit = reddit_repoll(alert_keywords=["refund"])
    edited, removed = reddit.posts[:2]
    removed_text = reddit.stored(removed).mention.text
    moment = reddit.app.clock().timestamp()
    edited.update(selftext="EDIT: three weeks and still no refund", edited=moment - 60)
    removed.update(selftext="[removed]", edited=moment - 60)

    reddit.repoll()

    assert reddit.stored(edited).mention.text.endswith("EDIT: three weeks and still no refund")
    assert "refund" in reddit.stored(edited).classification.cues, "classified again"
    assert [line["url"] for line in alert_lines()] == [reddit.stored(edited).mention.url]
    assert reddit.stored(removed).mention.text == removed_text
    edited.update(selftext="EDIT 2: refund, refund, refund", edited=moment - 30)

    reddit.repoll()

    assert reddit.stored(edited).mention.text.endswith("EDIT 2: refund, refund, refund")
    assert len(alert_lines()) == 1, "an edit never makes a post alert twice"


@pytest.mark.parametrize("complaint_prob, age, lookback_hours", [
    (0.55, timedelta(hours=2), 48),  # a complaint for early warning (0.5), under the rules' 0.6
    (0.95, timedelta(hours=60), 72),  # watched for 72 hours, older than the re-poll's 48
])
def test_a_complaint_the_spread_check_watches_does_not_miss_its_re_poll(
        make_settings, throttle, complaint_prob, age, lookback_hours):
    """The re-poll chose complaints by the rules' threshold and 48 hours: the spread check watched these
    but never saw their counts grow, so +500 reposts in half an hour escalated nothing."""
    body = x_recording("all-0ddaa2.json").json()
    body["data"] = body["data"][:1]
    tweet = body["data"][0]
    tweet["public_metrics"]["retweet_count"] = 0
    posted = datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00"))
    settings = make_settings(x=True)
    settings = settings.model_copy(update={"early_warning": EarlyWarningConfig(
        enabled=True, channels=["ops"], spread_lookback_hours=lookback_hours, spread_reach=10**9)})
    source = XSource(settings.sources.x, settings.brands[:1], client=x_client(settings.sources.x),
                     throttle=throttle("x"))
    clock = [posted + age]
    with Listener(settings, sources=[source], clock=lambda: clock[0]) as app:
        ingest_files(app, [fixture_path("x/all-0ddaa2.json")], "x-v2", brand="KFC", classify=False)
        stored = app.store.mention_by_key("x", tweet["id"])
        verdict = Classification("en", "negative", (0.9, 0.05, 0.05), complaint_prob=complaint_prob)
        app.store.save_classifications([(stored.id, verdict)])
        app.store.save_batch("x", [replace(stored.mention, engagement=Engagement())])  # quiet so far
        assert app.early_warning().escalated == 0
        tweet["public_metrics"]["retweet_count"] = 500
        clock[0] += timedelta(minutes=30)
        with responses.RequestsMock() as api:
            api.add(responses.GET, LOOKUP, body=json.dumps(body), status=200)

            app.repoll_engagement()

        assert app.store.mention(stored.id).mention.engagement.reposts == 500
        assert app.early_warning().escalated == 1
