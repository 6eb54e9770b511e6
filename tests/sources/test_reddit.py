"""The Reddit poller: praw itself, against a local server replaying praw/prawcore's recorded cassettes."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Iterator

import pytest

from listener.app import Listener
import listener.sources.reddit as reddit_module
from listener.sources.reddit import PRAWCORE_TRIES, RedditSource, reddit_client
from listener.sources.throttle import Throttle
from listener.sources.reddit_mapping import mention_from_thing
from tests.sources.recordings import NOW, CassetteServer, Recorded, SilentServer, fixture_path

SEARCH_CASSETTE = "reddit/TestSubreddit.test_search.json"
COMMENTS_CASSETTE = "reddit/TestSubredditListings.test_comments.json"


def recorded_listing(cassette: str) -> list[dict]:
    """The things (``data`` of each child) of the Listing a cassette recorded."""
    interactions = json.loads(fixture_path(cassette).read_text(encoding="utf-8"))["interactions"]
    body = json.loads(interactions[-1]["response"]["body"]["string"])
    return [child["data"] for child in body["data"]["children"]]


def recorded_response(cassette: str, index: int):
    """Response number ``index`` of a cassette, as the server would replay it."""
    server = CassetteServer.of(cassette)
    return [response for queue in server.routes.values() for response in queue][index]


@pytest.fixture
def server() -> Iterator[CassetteServer]:
    """Reddit, as recorded: the app-only token, a search over r/all and r/askreddit's comments."""
    with CassetteServer.of(SEARCH_CASSETTE, COMMENTS_CASSETTE) as running:
        yield running


@pytest.fixture
def listen(make_settings, throttle, server):
    """``listen(brands=..., comments=...)``: a listener whose only source is praw on the local server."""
    opened: list[Listener] = []

    def build(*, brands: slice = slice(None), comments: bool = True) -> Listener:
        settings = make_settings(x=False, reddit=True)
        config = settings.sources.reddit
        if not comments:
            config = config.model_copy(update={"comment_subreddits": []})
        reddit_throttle = throttle("reddit")
        client = reddit_client(config, throttle=reddit_throttle, oauth_url=server.url, reddit_url=server.url)
        source = RedditSource(config, settings.brands[brands], reddit=client, throttle=reddit_throttle)
        app = Listener(settings, sources=[source], clock=lambda: NOW)
        opened.append(app)
        return app

    yield build
    for app in opened:
        app.close()


def test_search_stores_every_result_for_the_brand_with_url_and_score(listen, server):
    app = listen(brands=slice(0, 1), comments=False)
    results = recorded_listing(SEARCH_CASSETTE)

    report = app.pipeline.ingest(app.sources[0])

    assert report.new == len(results) == 6
    searched = next(path for method, path in server.requests if "/search" in path)
    assert "sort=new" in searched and "q=praw+OR+oauth" in searched
    first = app.store.mention_by_key("reddit", results[0]["name"]).mention
    assert first.brand == "KFC" and first.author_handle == results[0]["author"]
    assert first.url == "https://www.reddit.com" + results[0]["permalink"]
    assert first.engagement.likes == results[0]["score"]
    assert first.engagement.replies == results[0]["num_comments"]


def test_a_restart_neither_repeats_nor_misses_posts(listen):
    first = listen(brands=slice(0, 1), comments=False)
    first.pipeline.ingest(first.sources[0])
    oldest = min(result["created_utc"] for result in recorded_listing(SEARCH_CASSETTE))

    restarted = listen(brands=slice(0, 1), comments=False)
    report = restarted.pipeline.ingest(restarted.sources[0])

    assert (report.read, report.new) == (0, 0)
    assert float(restarted.store.cursor("reddit")["search:KFC:oldest"]) == oldest


def test_a_cursor_saved_before_the_listing_was_kept_is_read_on_from_its_newest_post(listen):
    """The cursor used to be the newest time read and the ids read at that second."""
    results = recorded_listing(SEARCH_CASSETTE)
    newest = max(results, key=lambda result: result["created_utc"])
    app = listen(brands=slice(0, 1), comments=False)
    app.store.save_batch("reddit", [], {"search:KFC:newest": repr(newest["created_utc"]),
                                        "search:KFC:seen": newest["name"]})

    report = app.pipeline.ingest(app.sources[0])

    assert report.read == 0
    assert app.store.cursor("reddit")["search:KFC:listed"].split(",") == sorted(result["name"] for result in results)


def test_comments_are_kept_only_when_they_name_a_brand(listen):
    app = listen()
    comments = recorded_listing(COMMENTS_CASSETTE)
    expected = {c["name"] for c in comments if re.search(r"(?<!\w)(school|phone|praw|oauth)(?!\w)", c["body"], re.I)}

    app.pipeline.ingest(app.sources[0])

    stored = {comment["name"] for comment in comments if app.store.mention_by_key("reddit", comment["name"])}
    assert expected and stored == expected
    assert app.store.mention_by_key("reddit", sorted(expected)[0]).mention.parent_id is not None


def test_rejected_credentials_disable_reddit_and_tell_the_operator(listen, server, caplog):
    caplog.set_level(logging.DEBUG)
    unauthorized = recorded_response("reddit/TestAuthImplicit.test_implicit__with_invalid_token.json", 0)
    server.replace("GET", "/r/all/search", unauthorized)
    app = listen(comments=False)

    app.poll_once()

    assert app.sources[0].disabled_reason.startswith("reddit: Reddit refused the request (401)")
    assert any("source-disabled" in alert.alert.title for alert in app.store.alerts())
    assert "source disabled" in caplog.text
    assert "test-client-secret" not in caplog.text + app.sources[0].disabled_reason


def test_rate_limited_search_waits_as_long_as_reddit_says(listen, server, fake_time):
    limited = recorded_response("reddit/TestSession.test_request__too__many_requests__with_retry_headers.json", 1)
    assert limited.status == 429
    listing = server.routes[("GET", "/r/all/search")][0]
    server.replace("GET", "/r/all/search", limited, listing)
    app = listen(brands=slice(0, 1), comments=False)

    report = app.pipeline.ingest(app.sources[0])

    assert fake_time.sleeps == [float(limited.headers["retry-after"])]
    assert report.new == 6


def test_a_post_whose_time_cannot_be_stored_is_reported_and_the_others_stored(listen, server):
    """Such a post used to end the poll with a traceback, every poll: nothing after it was stored."""
    listing = server.routes[("GET", "/r/all/search")][0]
    body = listing.json()
    body["data"]["children"][2]["data"]["created_utc"] = 1e20
    server.replace("GET", "/r/all/search", Recorded(listing.status, listing.headers, json.dumps(body)))
    app = listen(brands=slice(0, 1), comments=False)

    report = app.pipeline.ingest(app.sources[0])

    bad = body["data"]["children"][2]["data"]["name"]
    assert report.new == 5 and app.store.mention_by_key("reddit", bad) is None
    assert report.errors == [f"reddit search:KFC {bad}: field 'created_utc' is not a time within years 1 to 9999: "
                             "1e+20 seconds since 1970"]


def test_a_post_found_by_a_competitor_listed_first_and_by_the_own_brand_is_the_own_brands(listen, server):
    """Both searches return the recorded listing; the competitor's used to run first and keep every post."""
    app = listen(brands=slice(None, None, -1), comments=False)

    app.pipeline.ingest(app.sources[0])

    searches = [path for method, path in server.requests if "/search" in path]
    assert "q=praw+OR+oauth" in searches[0] and "q=school+OR+phone" in searches[1]
    stored = [app.store.mention_by_key("reddit", result["name"]).mention.brand
              for result in recorded_listing(SEARCH_CASSETTE)]
    assert stored == ["KFC"] * 6


@pytest.mark.parametrize("change, version", [
    ({"edited": False}, None),  # (the recorded post was edited: 1439447718.0)
    ({"edited": 1_700_000_000.0, "selftext": "now it says the bill doubled"}, 1_700_000_000.0),
    ({"edited": 1_700_000_000.0, "selftext": "[removed]"}, None),  # a moderator's removal: no edit to take
    ({"selftext": "[deleted]"}, None),
    ({"edited": 1_700_000_000.0, "selftext": "[ Removed by Reddit ]"}, None),  # Reddit's own removal
])
def test_a_post_is_edited_only_when_reddit_says_so_and_its_text_was_not_removed(change, version):
    """A mention seen again takes its new text only when edited: "[removed]" would have replaced the complaint."""
    [post] = recorded_listing(SEARCH_CASSETTE)[:1]
    assert mention_from_thing("t3", {**post, **change}, "Lumora").edit_version == version


def test_a_proxy_error_page_instead_of_json_is_retried_and_does_not_blame_the_config(listen, server, fake_time):
    """An HTML page with status 200 (a proxy's, a CDN's) used to end the poll at once with "check the subreddit
    names and the brand's reddit terms in the config": nothing in the config was wrong."""
    page = Recorded(200, {"content-type": "text/html"}, "<html><body>upstream unavailable</body></html>")
    listing = server.routes[("GET", "/r/all/search")][0]
    server.replace("GET", "/r/all/search", page, listing)
    app = listen(brands=slice(0, 1), comments=False)

    report = app.pipeline.ingest(app.sources[0])

    assert (report.new, report.errors) == (6, [])
    assert fake_time.sleeps == [1.0]


def test_a_brand_search_that_keeps_failing_does_not_keep_the_comment_subreddits_unread(listen, server, fake_time):
    """Its failure ended every poll before the comments were read: r/askreddit was never read."""
    page = Recorded(200, {"content-type": "text/html"}, "<html><body>upstream unavailable</body></html>")
    server.replace("GET", "/r/all/search", page)
    app = listen(brands=slice(0, 1))

    for _ in range(3):
        app.pipeline.ingest(app.sources[0])

    read = [path.split("?")[0].rstrip("/") for method, path in server.requests if "/search" in path or "/comments" in path]
    assert read == ["/r/all/search"] * 3 + ["/r/askreddit/comments"] + ["/r/all/search"] * 3 \
        + ["/r/askreddit/comments"] + ["/r/all/search"] * 3
    assert "comments:oldest" in app.store.cursor("reddit") and "search:KFC:oldest" not in app.store.cursor("reddit")


def test_an_exhausted_rate_limit_window_ends_the_poll_and_does_not_hold_the_daemon_until_the_reset(
        listen, server, fake_time):
    """With no calls left in Reddit's window, prawcore used to sleep until the reset (up to 10 minutes) before
    the next brand's search: the daemon's one thread with it, so no alert was delivered meanwhile, and a
    shutdown waited (systemd kills the listener after 20 seconds)."""
    listing = server.routes[("GET", "/r/all/search")][0]
    exhausted = Recorded(200, {**listing.headers, "x-ratelimit-remaining": "0.0", "x-ratelimit-used": "600",
                               "x-ratelimit-reset": "12"}, listing.body)
    server.replace("GET", "/r/all/search", exhausted, listing)
    app = listen(comments=False)

    started = time.monotonic()
    first = app.pipeline.ingest(app.sources[0])
    again = app.pipeline.ingest(app.sources[0])

    assert time.monotonic() - started < 5 and fake_time.sleeps == []
    assert (first.new, again.new) == (6, 0)
    assert len([path for method, path in server.requests if "/search" in path]) == 1, "not called before the reset"
    assert "search:KFC:oldest" in app.store.cursor("reddit")


def test_a_comment_subreddit_gone_private_does_not_turn_reddit_off(listen, server):
    """Reddit answers a private (or quarantined) subreddit with a 403 naming the reason: it used to be taken for
    rejected credentials, and the whole source, the brands' searches too, was off until a restart, even once
    the subreddit was public again."""
    private = Recorded(403, {"content-type": "application/json"},
                       json.dumps({"reason": "private", "message": "Forbidden", "error": 403}))
    server.replace("GET", "/r/askreddit/comments", private)
    app = listen()

    first = app.poll_once().ingested[0]
    second = app.poll_once().ingested[0]

    assert app.sources[0].disabled_reason is None
    assert not any("source-disabled" in alert.alert.title for alert in app.store.alerts())
    assert len([path for method, path in server.requests if "/search" in path]) == 4, "searched at both polls"
    assert first.new == 6 and second.errors == first.errors
    assert first.errors == ["reddit comments: Reddit answered 403 (private); check the subreddit names and the "
                            "brand's reddit terms in the config"]


def test_a_post_reddit_search_indexes_late_does_not_go_unread(listen, server):
    """Reddit's search indexes some posts minutes or hours after newer ones. The cursor was the newest time read,
    so a post that showed up in the results after a newer one had been read was older than it, and skipped for
    good: a complaint lost without a trace."""
    listing = server.routes[("GET", "/r/all/search")][0]
    body = listing.json()
    late = body["data"]["children"].pop(0)["data"]  # posted before the newest result, not in the index yet
    assert min(child["data"]["created_utc"] for child in body["data"]["children"]) < late["created_utc"]
    server.replace("GET", "/r/all/search", Recorded(listing.status, listing.headers, json.dumps(body)), listing)
    app = listen(brands=slice(0, 1), comments=False)

    before = app.pipeline.ingest(app.sources[0])
    indexed = app.pipeline.ingest(app.sources[0])
    again = app.pipeline.ingest(app.sources[0])

    assert (before.new, indexed.new, again.read) == (5, 1, 0)
    assert app.store.mention_by_key("reddit", late["name"]) is not None


def test_a_post_dated_in_the_future_does_not_stop_its_stream_until_that_date(listen, server):
    """The cursor was the newest ``created_utc`` read: one post stamped years ahead (a clock gone wrong) made every
    post after it older than the cursor, and the stream stored nothing more until that date."""
    listing = server.routes[("GET", "/r/all/search")][0]
    body = listing.json()
    children = body["data"]["children"]
    children[0]["data"]["created_utc"] = 4_102_444_800.0  # 2100-01-01
    later = json.loads(json.dumps(children[1]))
    later["data"].update(name="t3_zzzzzz", id="zzzzzz", created_utc=children[1]["data"]["created_utc"] + 60)
    server.replace("GET", "/r/all/search", Recorded(listing.status, listing.headers, json.dumps(body)),
                   Recorded(listing.status, listing.headers, json.dumps({**body, "data": {
                       **body["data"], "children": [later, *children]}})))
    app = listen(brands=slice(0, 1), comments=False)

    app.pipeline.ingest(app.sources[0])
    report = app.pipeline.ingest(app.sources[0])

    assert report.new == 1 and app.store.mention_by_key("reddit", "t3_zzzzzz") is not None


def poll_on_a_thread(app: Listener) -> threading.Thread:
    """``app``'s first source polled on a thread of its own (a poll that hangs must not hang the test)."""
    poll = threading.Thread(target=app.pipeline.ingest, args=(app.sources[0],), daemon=True)
    poll.start()
    return poll


def test_a_reddit_that_never_answers_does_not_hold_a_poll_for_minutes(make_settings, throttle, monkeypatch):
    """praw ignored the listener's timeout (prawcore's 16 s applied) and prawcore's 3 tries ran inside each of the
    throttle's attempts: 12 requests, a poll of 3.6 minutes. Now the listener's timeout applies, and what prawcore
    has retried ends the poll."""
    monkeypatch.setattr(reddit_module, "REQUEST_TIMEOUT_SECONDS", 0.2)
    settings = make_settings(x=False, reddit=True)
    config = settings.sources.reddit.model_copy(update={"comment_subreddits": []})
    with SilentServer() as server:
        client = reddit_client(config, oauth_url=server.url, reddit_url=server.url)
        source = RedditSource(config, settings.brands[:1], reddit=client, throttle=throttle("reddit"))
        with Listener(settings, sources=[source], clock=lambda: NOW) as app:
            poll = poll_on_a_thread(app)
            poll.join(timeout=12)  # 3 timeouts of 0.2 s and prawcore's two sleeps before its retries (2-4 s, 0-2 s)

            assert not poll.is_alive(), "the poll still waits for Reddit"
            assert len(server.connections) == PRAWCORE_TRIES
            assert app.store.cursor("reddit") == {}


def test_a_stop_request_ends_a_poll_waiting_for_a_reddit_that_never_answers(make_settings, monkeypatch):
    """A request in flight held the shutdown for its timeout and every retry's (52 s after a SIGTERM, measured):
    systemd kills the listener 20 s after it."""
    monkeypatch.setattr(reddit_module, "REQUEST_TIMEOUT_SECONDS", 0.2)  # prawcore's sleeps between tries: 2-6 s
    settings = make_settings(x=False, reddit=True)
    config = settings.sources.reddit.model_copy(update={"comment_subreddits": []})
    stop = threading.Event()
    with SilentServer() as server:
        client = reddit_client(config, oauth_url=server.url, reddit_url=server.url)
        source = RedditSource(config, settings.brands, reddit=client, throttle=Throttle("reddit", stop=stop))
        with Listener(settings, sources=[source], clock=lambda: NOW) as app:
            poll = poll_on_a_thread(app)
            time.sleep(0.5)
            asked = time.monotonic()
            stop.set()
            poll.join(timeout=10)

            assert not poll.is_alive() and time.monotonic() - asked < 2
            assert app.store.cursor("reddit") == {}
    for left in [thread for thread in threading.enumerate() if thread.name == "reddit call"]:
        left.join(timeout=10)  # the call the poll stopped waiting for: not into the next test's mocks
