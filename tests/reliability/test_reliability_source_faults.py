"""Source faults against the real clients: 429 storms, 5xx, timeouts, truncated and malformed JSON, a huge page.

X runs through tweepy against a synthetic recent-search API served by ``responses`` (new posts keep
arriving between and during polls); Reddit through praw against the local cassette server. Whatever
fails, the listener keeps polling and no cursor moves past a post it has not stored.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses

from listener.app import Listener
from listener.sources.reddit import RedditSource, reddit_client
from listener.sources.x import XSource, x_client
from tests.sources.recordings import NOW, CassetteServer, Recorded

SEARCH = "https://api.twitter.com/2/tweets/search/recent"
FIRST_ID = 1_860_000_000_000_000_000
Answer = tuple[int, dict[str, str], str]


@dataclass
class SyntheticX:
    """X recent search over a timeline that grows; answers queued faults before the real page.

    Paging follows the API: newest first, ``max_results`` a page, ``next_token`` continuing below the
    last id served, ``since_id`` excluding what the client already has.
    """

    tweets: list[int] = field(default_factory=list)
    faults: list[Callable[[Answer], Answer]] = field(default_factory=list)
    text_size: int = 60

    def post(self, count: int) -> None:
        """``count`` new tweets appear."""
        start = self.tweets[-1] + 1 if self.tweets else FIRST_ID
        self.tweets.extend(range(start, start + count))

    def __call__(self, request: requests.PreparedRequest) -> Answer:
        query = {key: values[0] for key, values in parse_qs(urlparse(request.url).query).items()}
        since = int(query.get("since_id", 0))
        below = int(query["next_token"]) if "next_token" in query else None
        size = int(query.get("max_results", 10))
        matching = [i for i in reversed(self.tweets) if i > since and (below is None or i < below)]
        page = matching[:size]
        meta: dict[str, object] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=str(page[0]), oldest_id=str(page[-1]))
        if len(matching) > size:
            meta["next_token"] = str(page[-1])
        body = {"data": [self._tweet(i) for i in page], "includes": {"users": [{
            "id": "42", "username": "angry", "name": "Ana", "public_metrics": {"followers_count": 900}}]},
            "meta": meta} if page else {"meta": meta}
        answer: Answer = (200, {"content-type": "application/json", "x-rate-limit-remaining": "400",
                                "x-rate-limit-reset": str(int((NOW + timedelta(minutes=15)).timestamp()))},
                          json.dumps(body))
        return self.faults.pop(0)(answer) if self.faults else answer

    def _tweet(self, tweet_id: int) -> dict[str, object]:
        text = f"kfc got my order wrong again #{tweet_id} " + "x" * self.text_size
        return {"id": str(tweet_id), "text": text, "author_id": "42", "lang": "en",
                "created_at": "2021-07-04T12:00:00.000Z", "public_metrics": {"like_count": 1}}


def rate_limited(answer: Answer) -> Answer:
    reset = str(int((NOW + timedelta(seconds=30)).timestamp()))
    return 429, {"content-type": "application/json", "x-rate-limit-remaining": "0", "x-rate-limit-reset": reset}, \
        json.dumps({"title": "Too Many Requests", "status": 429, "type": "about:blank", "detail": "Too Many Requests"})


def server_error(answer: Answer) -> Answer:
    return 503, {"content-type": "text/html"}, "<html>Service Unavailable</html>"


def gateway_error(answer: Answer) -> Answer:
    return 500, {}, ""


def timed_out(answer: Answer) -> Answer:
    raise requests.ReadTimeout("read timed out")


def truncated(answer: Answer) -> Answer:
    status, headers, body = answer
    return status, headers, body[: len(body) // 2]


def malformed(answer: Answer) -> Answer:
    return 200, {"content-type": "application/json"}, '{"data": [{"id": 1,, "text"'


FAULTS = [rate_limited, server_error, gateway_error, timed_out, truncated, malformed]


@pytest.fixture
def x_api() -> Iterator[SyntheticX]:
    api = SyntheticX()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.GET, SEARCH, callback=api)
        yield api


@pytest.mark.slow
def test_x_polls_through_fault_storms_and_a_huge_page_store_every_tweet_once(x_api, make_settings, throttle,
                                                                            fake_time):
    settings = make_settings(x=True)
    source = XSource(settings.sources.x, settings.brands[:1], client=x_client(settings.sources.x),
                     throttle=throttle("x"))
    rng = random.Random(3)
    # Polls are interval_seconds apart, as in the daemon: a rate-limit reset ends a poll, not the next ones.
    between_polls = timedelta(seconds=settings.sources.x.interval_seconds)
    with Listener(settings, sources=[source], clock=fake_time.clock) as app:
        app.store.save_batch("x", [], {"since_id:KFC": str(FIRST_ID - 1)})
        for poll in range(40):
            x_api.post(rng.randint(0, 260))
            x_api.faults = [rng.choice(FAULTS) for _ in range(rng.choice([0, 1, 2, 3, 5]))]
            x_api.text_size = 25_000 if poll == 20 else 60  # a 2.5 MB page
            app.poll_once()
            fake_time.now += between_polls
            assert app.sources[0].disabled_reason is None, "faults never disable the source"
        x_api.faults = []
        for _ in range(3):  # quiet polls catch up with whatever the storms held back
            app.poll_once()
            fake_time.now += between_polls
        stored = Counter(row[0] for row in app.store.db.execute("SELECT external_id FROM mentions"))

    assert set(stored) == {str(tweet) for tweet in x_api.tweets}, "no tweet skipped"
    assert set(stored.values()) == {1}, "no tweet stored twice"


def test_reddit_keeps_polling_through_429s_5xx_and_garbage_and_stores_every_post_once(make_settings, throttle):
    with CassetteServer.of("reddit/TestSubreddit.test_search.json") as server:
        [listing] = server.routes[("GET", "/r/all/search")]
        html = Recorded(503, {"content-type": "text/html"}, "<html>Our CDN was unable to reach our servers</html>")
        limited = Recorded(429, {"content-type": "application/json", "retry-after": "2"}, '{"message": "Too Many"}')
        garbage = Recorded(200, {"content-type": "application/json"}, listing.body[: len(listing.body) // 3])
        server.replace("GET", "/r/all/search", limited, html, garbage, limited, limited, html, listing)
        settings = make_settings(x=False, reddit=True)
        config = settings.sources.reddit.model_copy(update={"comment_subreddits": []})
        source = RedditSource(config, settings.brands[:1], throttle=throttle("reddit"),
                              reddit=reddit_client(config, oauth_url=server.url, reddit_url=server.url))
        with Listener(settings, sources=[source], clock=lambda: NOW) as app:
            for _ in range(5):
                app.poll_once()
            assert app.sources[0].disabled_reason is None
            stored = Counter(row[0] for row in app.store.db.execute("SELECT external_id FROM mentions"))
    expected = {child["data"]["name"] for child in json.loads(listing.body)["data"]["children"]}
    assert set(stored) == expected and set(stored.values()) == {1}
