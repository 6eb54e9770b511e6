"""The X poller: tweepy itself, against the recorded X API v2 responses served by ``responses``."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses

from listener.app import Listener
from listener.brands import BrandMatcher
from listener.sources.replay import ReplaySource
from listener.sources.x import XSource, x_client
from listener.sources.x_mapping import mention_from_tweet
from tests.replay_records import post, write_posts
from tests.sources.recordings import BEARER, NOW, Recorded, x_recording

SEARCH = "https://api.twitter.com/2/tweets/search/recent"


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    """The X API, mocked at the transport (tweepy's host is fixed)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def app(make_settings, throttle):
    """A listener whose only source is the X poller (real tweepy client, fake time)."""
    settings = make_settings(x=True)
    source = XSource(settings.sources.x, settings.brands[:1], client=x_client(settings.sources.x),
                     throttle=throttle("x"))
    with Listener(settings, sources=[source], clock=lambda: NOW) as listener:
        yield listener


def serve(api: responses.RequestsMock, *recordings: Recorded) -> None:
    """Answer the next searches with ``recordings``, in order."""
    for recording in recordings:
        api.add(responses.GET, SEARCH, body=recording.body, status=recording.status, headers=recording.headers)


def first_page() -> Recorded:
    """A search/recent page with a next_token (body recorded by twittered; headers from academictwitteR's)."""
    page = x_recording("tweetlist_example_v2.json")
    return Recorded(200, x_recording("all-0ddaa2.json").headers, page.body)


def params(call) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(call.request.url).query).items()}


def problem(status: int, title: str, reset: int | None = None) -> Recorded:
    """An X error response built from the OpenAPI spec's Problem schema (x/latest-openapi.json).

    No X 429 was ever recorded (fixtures README, "Not found"); this body is the one the README
    quotes, sent with the usual x-rate-limit headers. An assumption, not a recording.
    """
    headers = {"content-type": "application/problem+json", "x-rate-limit-limit": "450",
               "x-rate-limit-remaining": "0"}
    if reset is not None:
        headers["x-rate-limit-reset"] = str(reset)
    body = {"title": title, "detail": title, "type": "about:blank", "status": status}
    return Recorded(status, headers, json.dumps(body))


def test_search_follows_next_token_and_stores_every_page(app, api):
    app.store.save_batch("x", [], {"since_id:KFC": "1400000000000000000"})
    serve(api, first_page(), x_recording("all-0ddaa2.json"))

    report = app.pipeline.ingest(app.sources[0])

    assert (report.new, report.duplicates) == (10 + 4, 0)
    assert params(api.calls[1])["next_token"] == first_page().json()["meta"]["next_token"]
    first = params(api.calls[0])
    assert "-is:retweet" in first["query"] and first["expansions"] == "author_id"
    assert "public_metrics" in first["tweet.fields"] and "public_metrics" in first["user.fields"]
    assert app.store.cursor("x") == {
        "since_id:KFC": first_page().json()["meta"]["newest_id"], "next_token:KFC": "", "newest_id:KFC": ""}


def test_first_poll_reads_only_the_newest_page_and_starts_from_it(app, api):
    serve(api, first_page(), x_recording("all-0ddaa2.json"))

    report = app.pipeline.ingest(app.sources[0])

    assert len(api.calls) == 1 and report.new == 10
    assert app.store.cursor("x")["since_id:KFC"] == first_page().json()["meta"]["newest_id"]


def test_mentions_carry_author_followers_url_and_engagement(app, api):
    serve(api, x_recording("all-0ddaa2.json"))
    body = x_recording("all-0ddaa2.json").json()
    tweet = body["data"][0]
    author = next(user for user in body["includes"]["users"] if user["id"] == tweet["author_id"])

    app.pipeline.ingest(app.sources[0])

    stored = app.store.mention_by_key("x", tweet["id"]).mention
    assert stored.author_reach == author["public_metrics"]["followers_count"]
    assert stored.url == f"https://x.com/{author['username']}/status/{tweet['id']}"
    assert stored.engagement.likes == tweet["public_metrics"]["like_count"]
    assert stored.brand == "KFC" and stored.lang == tweet["lang"]


def test_an_ignored_account_is_left_out_of_the_query_and_its_posts_are_not_stored(make_settings, throttle, api):
    """A news outlet the brand ignores: its tweets are excluded from the search (``-from:``), and one that
    comes back all the same (a renamed account, a query X did not apply) is not a mention."""
    body = x_recording("all-0ddaa2.json").json()
    tweet = body["data"][0]
    outlet = next(user["username"] for user in body["includes"]["users"] if user["id"] == tweet["author_id"])
    settings = make_settings(x=True)
    brand = settings.brands[0].model_copy(update={"ignored_handles": [f"@{outlet.upper()}"]})
    source = XSource(settings.sources.x, [brand], client=x_client(settings.sources.x), throttle=throttle("x"))
    serve(api, x_recording("all-0ddaa2.json"))

    with Listener(settings, sources=[source], clock=lambda: NOW) as app:
        report = app.pipeline.ingest(source)

        query = params(api.calls[0])["query"]
        assert "-from:lumora_support" in query and f"-from:{outlet.upper()}" in query
        by_outlet = [post["id"] for post in body["data"] if post["author_id"] == tweet["author_id"]]
        assert report.new == len(body["data"]) - len(by_outlet)
        assert [app.store.mention_by_key("x", post_id) for post_id in by_outlet] == [None] * len(by_outlet)


def test_tweet_text_is_stored_as_written_not_html_escaped(app, api):
    """X escapes '&', '<' and '>' in tweet text. The recorded page's only such text is a quoted tweet's
    ("Le journal &gt; https://…", in ``includes``); here it is given to the page's first tweet."""
    page = first_page()
    body = page.json()
    escaped = next(tweet["text"] for tweet in body["includes"]["tweets"] if "&gt;" in tweet["text"])
    body["data"][0]["text"] = escaped
    serve(api, Recorded(page.status, page.headers, json.dumps(body)))

    app.pipeline.ingest(app.sources[0])

    text = app.store.mention_by_key("x", body["data"][0]["id"]).mention.text
    assert "Le journal > https://" in text and "&gt;" not in text


def test_next_poll_searches_since_the_newest_id(app, api):
    serve(api, x_recording("all-0ddaa2.json"))
    app.pipeline.ingest(app.sources[0])
    newest = x_recording("all-0ddaa2.json").json()["meta"]["newest_id"]

    app.pipeline.ingest(app.sources[0])

    assert params(api.calls[1])["since_id"] == newest
    assert "next_token" not in params(api.calls[1])


def test_empty_result_keeps_the_cursor(app, api):
    app.store.save_batch("x", [], {"since_id:KFC": "1400000000000000000"})
    serve(api, Recorded(200, {"content-type": "application/json"}, json.dumps({"meta": {"result_count": 0}})))

    report = app.pipeline.ingest(app.sources[0])

    assert (report.read, report.errors) == (0, [])
    assert app.store.cursor("x")["since_id:KFC"] == "1400000000000000000"


def test_a_quiet_brands_empty_polls_and_idle_early_warning_runs_do_not_log_a_line_each(app, api, caplog):
    """A poll of X that found nothing logged 'batch stored new=0 updated=0 ...' per brand, and the early warning
    'early warning run grouped=0 spikes=0 ...' every minute: 1,728 lines a day that said nothing happened."""
    from alerts.early_warning.job import EarlyWarningJob

    app.store.save_batch("x", [], {"since_id:KFC": "1400000000000000000"})
    job = EarlyWarningJob(app.store, app.settings.early_warning, app.settings.brands)
    with caplog.at_level("INFO"):
        for _ in range(5):
            serve(api, Recorded(200, {"content-type": "application/json"}, json.dumps({"meta": {"result_count": 0}})))
            app.pipeline.ingest(app.sources[0])
            job.run()
    assert [record.getMessage() for record in caplog.records if record.name.startswith(("listener", "alerts"))] == []


def test_rejected_query_is_reported_and_stores_nothing(app, api):
    serve(api, x_recording("all-92adbd.json"))

    report = app.pipeline.ingest(app.sources[0])

    assert report.new == 0 and "400" in report.errors[0] and "must be before" in report.errors[0]
    assert app.store.cursor("x") == {}


def test_rejected_since_id_is_dropped_and_the_search_starts_afresh(app, api):
    app.store.save_batch("x", [], {"since_id:KFC": "1"})
    serve(api, x_recording("all-92adbd.json"), x_recording("all-0ddaa2.json"))

    report = app.pipeline.ingest(app.sources[0])

    assert "since_id" in params(api.calls[0]) and "since_id" not in params(api.calls[1])
    assert report.new == 4
    assert app.store.cursor("x")["since_id:KFC"] == x_recording("all-0ddaa2.json").json()["meta"]["newest_id"]


def test_rejected_token_disables_the_source_and_tells_the_operator(app, api, caplog):
    caplog.set_level(logging.DEBUG)
    serve(api, x_recording("all-90b063.json"))

    app.poll_once()
    app.poll_once()

    assert len(api.calls) == 1, "a disabled source is not polled again"
    assert app.sources[0].disabled_reason.startswith("x: X rejected the bearer token (401")
    assert any("source-disabled" in alert.alert.title for alert in app.store.alerts())
    assert "source disabled" in caplog.text
    assert BEARER not in caplog.text


def test_rate_limited_search_waits_for_a_reset_seconds_away(app, api, fake_time):
    reset = int((NOW + timedelta(seconds=5)).timestamp())
    serve(api, problem(429, "Too Many Requests", reset), x_recording("all-0ddaa2.json"))

    report = app.pipeline.ingest(app.sources[0])

    assert fake_time.sleeps == [6.0]
    assert report.new == 4


def test_a_rate_limit_reset_minutes_away_ends_the_poll_and_the_first_poll_after_it_resumes(app, api, fake_time):
    """The poll used to sleep until the reset, up to 15 minutes, and the daemon's one worker thread with it:
    no alert was delivered and no other source polled meanwhile."""
    reset = NOW + timedelta(minutes=15)
    app.store.save_batch("x", [], {"since_id:KFC": "1400000000000000000"})
    serve(api, problem(429, "Too Many Requests", int(reset.timestamp())), x_recording("all-0ddaa2.json"))

    first = app.pipeline.ingest(app.sources[0])
    before_reset = app.pipeline.ingest(app.sources[0])
    fake_time.now = reset + timedelta(seconds=2)
    after_reset = app.pipeline.ingest(app.sources[0])

    assert fake_time.sleeps == []
    assert (first.new, before_reset.new, after_reset.new) == (0, 0, 4)
    assert len(api.calls) == 2, "X is not called again before the reset"
    assert params(api.calls[1])["since_id"] == "1400000000000000000"


def test_an_exhausted_window_ends_the_poll_after_its_page_and_the_next_page_is_read_after_the_reset(
        app, api, fake_time):
    reset = NOW + timedelta(seconds=120)
    exhausted = first_page()
    exhausted.headers.update({"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(reset.timestamp()))})
    app.store.save_batch("x", [], {"since_id:KFC": "1400000000000000000"})
    serve(api, exhausted, x_recording("all-0ddaa2.json"))

    first = app.pipeline.ingest(app.sources[0])
    fake_time.now = reset + timedelta(seconds=2)
    second = app.pipeline.ingest(app.sources[0])

    assert fake_time.sleeps == []
    assert (first.new, second.new) == (10, 4)
    assert params(api.calls[1])["next_token"] == first_page().json()["meta"]["next_token"]


def test_server_errors_are_retried_with_backoff(app, api, fake_time):
    serve(api, Recorded(503, {}, ""), Recorded(500, {}, ""), x_recording("all-0ddaa2.json"))

    report = app.pipeline.ingest(app.sources[0])

    assert fake_time.sleeps == [1.0, 2.0]
    assert report.new == 4


def test_a_brand_whose_search_keeps_failing_does_not_keep_the_brands_after_it_unsearched(
        make_settings, throttle, api, fake_time):
    """Its failure ended every poll before the next brand's search: Lequipe was never searched."""
    settings = make_settings(x=True)
    source = XSource(settings.sources.x, settings.brands, client=x_client(settings.sources.x), throttle=throttle("x"))
    page = x_recording("all-0ddaa2.json")
    api.add_callback(responses.GET, SEARCH, callback=lambda request: (503, {}, "") if "kfc" in request.params["query"]
                     else (200, {"content-type": "application/json"}, page.body))

    with Listener(settings, sources=[source], clock=lambda: NOW) as app:
        polls = [app.pipeline.ingest(app.sources[0]).new for _ in range(3)]

        searched = [params(call)["query"].split(")")[0] for call in api.calls]
        assert polls == [0, 4, 0]
        assert searched == ["(kfc"] * 3 + ["(lequipe OR @lequipe"] + ["(kfc"] * 3 + ["(lequipe OR @lequipe"] + ["(kfc"] * 3
        assert app.store.cursor("x")["since_id:Lequipe"] == page.json()["meta"]["newest_id"]


def test_a_rate_limit_still_ends_the_poll_before_the_next_brands_search(make_settings, throttle, api):
    settings = make_settings(x=True)
    source = XSource(settings.sources.x, settings.brands, client=x_client(settings.sources.x), throttle=throttle("x"))
    serve(api, problem(429, "Too Many Requests", int((NOW + timedelta(minutes=15)).timestamp())))

    with Listener(settings, sources=[source], clock=lambda: NOW) as app:
        app.pipeline.ingest(app.sources[0])
        app.pipeline.ingest(app.sources[0])

    assert len(api.calls) == 1, "neither the next brand nor the next poll calls X before the reset"


def test_a_rate_limit_of_one_search_a_window_does_not_keep_a_brand_unsearched_for_good(
        make_settings, throttle, api, fake_time):
    """The polls the spent window refused moved the start on a brand each (14 a 15-minute window, polling every
    minute), so every reset searched KFC again: in an hour Lequipe was never searched."""
    settings = make_settings(x=True)
    source = XSource(settings.sources.x, settings.brands, client=x_client(settings.sources.x), throttle=throttle("x"))
    page = x_recording("all-0ddaa2.json")
    window_end = [NOW]

    def answer(request):  # one search a 15-minute window
        if fake_time.now >= window_end[0]:
            window_end[0] = fake_time.now + timedelta(minutes=15)
        return 200, {"content-type": "application/json", "x-rate-limit-remaining": "0",
                     "x-rate-limit-reset": str(int(window_end[0].timestamp()))}, page.body

    api.add_callback(responses.GET, SEARCH, callback=answer)
    with Listener(settings, sources=[source], clock=fake_time.clock) as app:
        for _ in range(60):
            app.pipeline.ingest(app.sources[0])
            fake_time.now += timedelta(minutes=1)

    searched = [params(call)["query"].split(")")[0] for call in api.calls]
    assert searched == ["(kfc", "(lequipe OR @lequipe"] * 2


def replay_beside(settings, tmp_path) -> ReplaySource:
    """A replay source of one KFC post, to poll after (or before) X."""
    path = write_posts(tmp_path / "posts.jsonl", [post("r1", "KFC cold fries again")])
    return ReplaySource(path, BrandMatcher(settings.brands, "replay"))


@pytest.mark.parametrize("answer", [
    {"body": requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead(120 bytes read)")},
    {"body": requests.exceptions.ContentDecodingError("Received response with content-encoding: gzip, but failed")},
    {"status": 404, "json": {"title": "Not Found Error", "detail": "not found", "type": "about:blank", "status": 404}},
    {"status": 409, "json": {"title": "Conflict", "detail": "conflict", "type": "about:blank", "status": 409}},
], ids=["body-cut-off", "body-undecodable", "404-from-a-proxy", "409"])
def test_an_unforeseen_failure_is_retried_then_given_up_and_the_other_sources_still_polled(
        make_settings, throttle, api, fake_time, tmp_path, answer):
    """Such a failure used to escape the whole cycle: the sources after X were not polled, nothing was delivered."""
    settings = make_settings(x=True)
    x = XSource(settings.sources.x, settings.brands[:1], client=x_client(settings.sources.x), throttle=throttle("x"))
    for _ in range(3):
        api.add(responses.GET, SEARCH, **answer)

    with Listener(settings, sources=[x, replay_beside(settings, tmp_path)], clock=lambda: NOW) as app:
        app.store.save_batch("x", [], {"since_id:KFC": "1400000000000000000"})
        report = app.poll_once()

        assert len(api.calls) == 3 and fake_time.sleeps == [1.0, 2.0]
        assert [(ingested.source, ingested.new) for ingested in report.ingested] == [("x", 0), ("replay", 1)]
        assert app.store.cursor("x")["since_id:KFC"] == "1400000000000000000"


def test_a_source_failing_in_a_way_nobody_foresaw_is_logged_and_the_others_still_polled(
        make_settings, throttle, api, tmp_path, caplog):
    """A replay file removed between two polls used to end the cycle with a traceback before X was polled."""
    settings = make_settings(x=True)
    replay = replay_beside(settings, tmp_path)
    replay.path.unlink()
    x = XSource(settings.sources.x, settings.brands[:1], client=x_client(settings.sources.x), throttle=throttle("x"))
    serve(api, x_recording("all-0ddaa2.json"))

    with Listener(settings, sources=[replay, x], clock=lambda: NOW) as app:
        report = app.poll_once()

    assert [(ingested.source, ingested.new) for ingested in report.ingested] == [("replay", 0), ("x", 4)]
    [failure] = [record for record in caplog.records if record.getMessage().startswith("source call failed")]
    assert failure.source == "replay" and failure.detail.startswith("FileNotFoundError: cannot read the replay file")


def test_malformed_body_gives_up_the_poll_without_moving_the_cursor(app, api, fake_time):
    app.store.save_batch("x", [], {"since_id:KFC": "1400000000000000000"})
    serve(api, Recorded(200, {"content-type": "application/json"}, "<html>upstream error</html>"))

    report = app.pipeline.ingest(app.sources[0])

    assert report.read == 0 and len(api.calls) == 3
    assert app.store.cursor("x")["since_id:KFC"] == "1400000000000000000"
    assert app.sources[0].disabled_reason is None, "a bad body is not a credentials problem"


def test_body_that_is_not_a_search_response_is_reported(app, api):
    serve(api, Recorded(200, {"content-type": "application/json"}, json.dumps({"data": "nope", "meta": {}})))

    report = app.pipeline.ingest(app.sources[0])

    assert report.new == 0 and "'data' must be a list" in report.errors[0]
    assert app.store.cursor("x") == {}


def test_a_tweet_that_cannot_be_stored_is_reported_and_the_search_moves_on(app, api):
    """Such a tweet used to fail the poll every time: the same page fetched again and again, since_id stuck."""
    page = x_recording("all-0ddaa2.json")
    body = page.json()
    body["data"][0]["created_at"] = "9999-12-31T23:00:00-05:00"  # after year 9999 once in UTC
    body["data"][1]["public_metrics"]["like_count"] = 2**64  # more than SQLite holds: a count, not the post
    body["data"][2]["public_metrics"]["retweet_count"] = "12"
    serve(api, Recorded(page.status, page.headers, json.dumps(body)))

    report = app.pipeline.ingest(app.sources[0])

    assert report.new == len(body["data"]) - 1
    assert report.errors == ["x: tweet #1: field 'created_at' is out of range (before year 1 or after 9999 in UTC): "
                             "'9999-12-31T23:00:00-05:00'"]
    stored = [app.store.mention_by_key("x", body["data"][index]["id"]).mention.engagement for index in (1, 2)]
    assert (stored[0].likes, stored[1].reposts) == (0, 0)  # unusable counts read as 0; the posts are kept
    assert app.store.cursor("x")["since_id:KFC"] == body["meta"]["newest_id"]


def test_restart_mid_paging_resumes_at_the_next_page_without_loss_or_duplicates(app, api, make_settings, throttle):
    since = "1400000000000000000"
    app.store.save_batch("x", [], {"since_id:KFC": since})
    serve(api, first_page(), *[Recorded(503, {}, "")] * 3)
    app.pipeline.ingest(app.sources[0])  # page 1 stored, page 2 keeps failing: the poll gives up

    token = first_page().json()["meta"]["next_token"]
    assert app.store.cursor("x") == {"since_id:KFC": since, "next_token:KFC": token,
                                     "newest_id:KFC": first_page().json()["meta"]["newest_id"]}

    api.reset()
    serve(api, x_recording("all-0ddaa2.json"))
    settings = make_settings(x=True)
    restarted = XSource(settings.sources.x, settings.brands[:1], client=x_client(settings.sources.x),
                        throttle=throttle("x"))
    report = app.pipeline.ingest(restarted)

    assert params(api.calls[0])["next_token"] == token and params(api.calls[0])["since_id"] == since
    assert report.new == 4 and app.store.stats()["mentions"] == 14
    assert app.store.cursor("x")["since_id:KFC"] == first_page().json()["meta"]["newest_id"]


def one_tweet_page(text_suffix: str = "") -> Recorded:
    """The recorded search page cut to its first tweet (a KFC ad naming the "chicken sandwich"), with
    ``text_suffix`` added to its text."""
    page = x_recording("all-0ddaa2.json")
    body = page.json()
    body["data"] = body["data"][:1]
    body["data"][0]["text"] += text_suffix
    body["meta"] = {"newest_id": body["data"][0]["id"], "result_count": 1}
    return Recorded(page.status, page.headers, json.dumps(body))


NO_TWEETS = Recorded(200, {"content-type": "application/json"}, json.dumps({"meta": {"result_count": 0}}))


def test_own_brands_are_searched_before_a_competitor_listed_above_them(make_settings, throttle, api, alert_lines):
    """A tweet naming both used to be stored under the competitor, whose search ran first, and never alerted."""
    settings = make_settings(x=True, alert_keywords=["chicken sandwich"])
    competitor_first = settings.brands[::-1]
    source = XSource(settings.sources.x, competitor_first, client=x_client(settings.sources.x), throttle=throttle("x"))
    serve(api, one_tweet_page(" @lequipe"), one_tweet_page(" @lequipe"))
    tweet_id = one_tweet_page().json()["data"][0]["id"]

    with Listener(settings, sources=[source], clock=lambda: NOW) as app:
        app.poll_once()

        assert "kfc" in params(api.calls[0])["query"] and "lequipe" in params(api.calls[1])["query"]
        assert app.store.mention_by_key("x", tweet_id).mention.brand == "KFC"
    assert [line["brand"] for line in alert_lines()] == ["KFC"]


def test_a_tweet_stored_under_a_competitor_and_then_found_for_the_own_brand_moves_to_it_and_alerts_once(
        make_settings, throttle, api, alert_lines):
    """Posted between the own brand's search and the competitor's, it used to stay the competitor's for good."""
    settings = make_settings(x=True, alert_keywords=["chicken sandwich"])
    source = XSource(settings.sources.x, settings.brands, client=x_client(settings.sources.x), throttle=throttle("x"))
    both = one_tweet_page(" @lequipe")
    serve(api, NO_TWEETS, both,  # poll 1: only the competitor's search finds it
          both, NO_TWEETS,  # poll 2: the own brand's search finds it too
          both, both)  # poll 3: both find it again
    tweet_id = both.json()["data"][0]["id"]

    with Listener(settings, sources=[source], clock=lambda: NOW) as app:
        app.poll_once()
        assert app.store.mention_by_key("x", tweet_id).mention.brand == "Lequipe" and alert_lines() == []

        app.poll_once()
        assert app.store.mention_by_key("x", tweet_id).mention.brand == "KFC"
        assert [line["brand"] for line in alert_lines()] == ["KFC"]

        report = app.poll_once()
        assert app.store.mention_by_key("x", tweet_id).mention.brand == "KFC", "never back to the competitor"
        assert report.alerts_queued == 0 and len(alert_lines()) == 1


def test_an_edited_tweet_updates_its_mention_and_alerts_once(make_settings, throttle, api, alert_lines):
    """X gives an edit a new id (``edit_history_tweet_ids`` names the first): it used to be stored and alerted
    as a second mention. The edit's text is classified again; it alerted already, so it does not alert again."""
    settings = make_settings(x=True, alert_keywords=["chicken sandwich"])
    source = XSource(settings.sources.x, settings.brands[:1], client=x_client(settings.sources.x), throttle=throttle("x"))
    page = one_tweet_page()
    original = page.json()
    tweet = original["data"][0]
    tweet["edit_history_tweet_ids"] = [tweet["id"]]
    edit = json.loads(json.dumps(original))
    edited = edit["data"][0]
    edited.update(id=str(int(tweet["id"]) + 1), text=tweet["text"] + " (edited: now with pickles)")
    edited["edit_history_tweet_ids"] = [tweet["id"], edited["id"]]
    edited["public_metrics"]["like_count"] += 100
    edit["meta"]["newest_id"] = edited["id"]
    serve(api, Recorded(page.status, page.headers, json.dumps(original)), Recorded(page.status, page.headers, json.dumps(edit)))

    with Listener(settings, sources=[source], clock=lambda: NOW) as app:
        app.poll_once()
        report = app.poll_once()

        assert "edit_history_tweet_ids" in params(api.calls[0])["tweet.fields"]
        assert report.new_mentions == 0 and app.store.stats()["mentions"] == 1
        stored = app.store.mention_by_key("x", tweet["id"])
        assert stored.mention.text == edited["text"] and stored.mention.url.endswith(f"/status/{edited['id']}")
        assert stored.mention.engagement.likes == edited["public_metrics"]["like_count"]
        assert stored.classification is not None, "the edit's text was classified"
    assert len(alert_lines()) == 1


@pytest.mark.parametrize("tweet_id, version", [("101", None), ("102", 2.0), ("103", 3.0)])
def test_a_tweets_edit_version_is_its_place_in_the_history_not_the_historys_length(tweet_id, version):
    """A past version asked for by its id comes with the whole history: by its length, every version was 3."""
    tweet = {"id": tweet_id, "text": "Lumora cut my internet", "created_at": "2026-11-19T10:00:00.000Z",
             "edit_history_tweet_ids": ["101", "102", "103"]}
    assert mention_from_tweet(tweet, None, "Lumora").edit_version == version


def test_a_spent_monthly_post_cap_does_not_pass_for_a_plain_rate_limit_in_the_log(app, api, caplog):
    """X answers a project's spent monthly post cap with a 429 too, which the poll retries after the window's reset
    like any rate limit; the log said only "429 Too Many Requests" once an hour, for weeks, while X answered no
    search. The body is the one X sends (reported in xdevplatform/xdk#25), with its x-rate-limit headers."""
    cap = {"title": "UsageCapExceeded", "period": "Monthly", "scope": "Product", "type":
           "https://api.twitter.com/2/problems/usage-capped", "detail": "Usage cap exceeded: Monthly product cap"}
    reset = int((NOW + timedelta(minutes=12)).timestamp())
    serve(api, Recorded(429, {"content-type": "application/json", "x-rate-limit-limit": "450",
                              "x-rate-limit-remaining": "449", "x-rate-limit-reset": str(reset)}, json.dumps(cap)))

    app.poll_once()

    [given_up] = [record for record in caplog.records if record.getMessage() == "source call given up"]
    assert given_up.source == "x" and "429 Usage cap exceeded: Monthly product cap" in given_up.detail


def test_a_since_id_too_old_for_recent_search_does_not_lose_the_last_seven_days_beyond_the_newest_page(app, api):
    """After more than 7 days off (a server down, a revoked token replaced late), X refuses the saved since_id. The
    search started again as a brand's very first poll, reading only the newest page: every other post of the 7
    days X still has was lost. It now pages through them, as the polls would have had the listener been running."""
    app.store.save_batch("x", [], {"since_id:KFC": "1"})
    serve(api, x_recording("all-92adbd.json"), first_page(), x_recording("all-0ddaa2.json"))

    report = app.pipeline.ingest(app.sources[0])

    assert "since_id" not in params(api.calls[1]) and "next_token" not in params(api.calls[1])
    assert params(api.calls[2])["next_token"] == first_page().json()["meta"]["next_token"]
    assert report.new == 10 + 4
    assert app.store.cursor("x") == {
        "since_id:KFC": first_page().json()["meta"]["newest_id"], "next_token:KFC": "", "newest_id:KFC": ""}


def test_a_post_longer_than_280_characters_is_not_stored_cut_off(make_settings, throttle, api, alert_lines):
    """X gives a long post's first 280 characters as its ``text`` and the whole of it only in ``note_tweet``, a field
    given when asked for (x/latest-openapi.json: "The full-content of the Tweet, including text beyond 280
    characters"). It was never asked for: the complaint was stored, classified and alerted on cut off, and a
    keyword past the cut never alerted."""
    settings = make_settings(x=True, alert_keywords=["refund"])
    source = XSource(settings.sources.x, settings.brands[:1], client=x_client(settings.sources.x), throttle=throttle("x"))
    page = one_tweet_page()
    body = page.json()
    tweet = body["data"][0]
    whole = tweet["text"] + " and " + "still waiting " * 20 + "for my refund &amp; an answer"
    tweet["text"] = whole[:279] + "…"
    tweet["note_tweet"] = {"text": whole}
    serve(api, Recorded(page.status, page.headers, json.dumps(body)))

    with Listener(settings, sources=[source], clock=lambda: NOW) as app:
        app.poll_once()

        assert "note_tweet" in params(api.calls[0])["tweet.fields"]
        assert app.store.mention_by_key("x", tweet["id"]).mention.text == whole.replace("&amp;", "&")
    assert len(alert_lines()) == 1
