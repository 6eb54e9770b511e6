"""The X source: API v2 recent search through tweepy, one query per brand.

Cursor, per brand (the pipeline stores it with each batch):

- ``since_id:<brand>``: the newest tweet id of the last search that was followed to its end. The next
  search asks only for tweets after it.
- ``next_token:<brand>`` and ``newest_id:<brand>``: set while a search is being paged. Each page is
  stored with the token of the page after it, and with the newest id of the search's first page;
  ``since_id`` moves to that newest id only when the last page is stored. A failure or a restart
  mid-paging therefore resumes at the next unread page with the same ``since_id``; nothing is lost,
  and a page read twice only updates the mentions it holds.

A brand's first poll (no cursor yet) reads only the newest page and starts from there: paging
through seven days of history would spend the monthly post cap. Use ``listener ingest`` to backfill.
A ``since_id`` that X refuses (older than the 7 days recent search covers: the listener was off for
longer) is dropped, and every page of those 7 days is read, as the polls would have read them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import partial
from datetime import datetime, timezone
from typing import Any

import requests
import tweepy

from listener.brands import BrandMatcher, own_brands_first
from listener.config import BrandConfig, XSourceConfig
from listener.domain import Mention
from listener.sources import SourceAuthError, SourceBatch
from listener.sources.fields import RECORD_FAULTS, record_problem
from listener.sources.http import TimeoutSession
from listener.sources.queries import x_search_query
from listener.sources.rotation import StreamRotation
from listener.sources.throttle import Fault, Throttle
from listener.sources.x_mapping import (
    EXPANSIONS, SOURCE, TWEET_FIELDS, USER_FIELDS, XResponseError, authors_by_id, mention_from_tweet,
    parse_x_response, problem_detail,
)

log = logging.getLogger(__name__)

REQUEST_TIMEOUT_SECONDS = 30
LOOKUP_BATCH = 100  # GET /2/tweets takes at most 100 ids


class _RedactBearer(logging.Filter):
    """Masks the bearer token in tweepy's debug lines, which print the request headers verbatim."""

    _TOKEN = re.compile(r"(Bearer )[^'\"\s,}]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if "Bearer " in str(record.msg):
            record.msg = self._TOKEN.sub(r"\1***", record.getMessage())
            record.args = ()
        return True


_REDACT_BEARER = _RedactBearer()


def x_client(config: XSourceConfig) -> tweepy.Client:
    """A tweepy client for ``config``'s bearer token that returns raw responses (for their headers)."""
    if config.bearer_token is None or not config.bearer_token.get_secret_value():
        raise SourceAuthError("x: no bearer token; set sources.x.bearer_token (e.g. \"${X_BEARER_TOKEN}\")")
    client = tweepy.Client(bearer_token=config.bearer_token.get_secret_value(), return_type=requests.Response)
    client.session = TimeoutSession(REQUEST_TIMEOUT_SECONDS)
    logging.getLogger("tweepy.client").addFilter(_REDACT_BEARER)
    return client


def x_fault(error: Exception) -> Fault | None:
    """Which tweepy/requests errors are worth retrying, and when the server said to come back.

    Every HTTP error but 400 (a rejected query or cursor, which the poller answers) and 401/403
    (rejected credentials, which turn the source off) is retried, and so is every failure of the
    request itself (a body cut off mid-transfer, one that can't be decoded): a proxy's 404 or a
    dropped connection passes, and when it doesn't the poll gives up with its cursor kept.
    """
    if isinstance(error, (tweepy.BadRequest, tweepy.Unauthorized, tweepy.Forbidden)):
        return None
    if isinstance(error, tweepy.TooManyRequests):
        reset = error.response.headers.get("x-rate-limit-reset")
        reset_at = datetime.fromtimestamp(int(reset), timezone.utc) if reset and reset.isdigit() else None
        return Fault(f"429 {_reason(error)}", reset_at)  # X's words tell a spent monthly post cap from a rate limit
    if isinstance(error, tweepy.TwitterServerError):
        return Fault(f"{error.response.status_code} server error")
    if isinstance(error, tweepy.HTTPException):
        return Fault(f"{error.response.status_code} {error.response.reason or 'HTTP error'}")
    if isinstance(error, requests.Timeout):
        return Fault("request timed out")
    if isinstance(error, requests.ConnectionError):
        return Fault("connection failed")
    if isinstance(error, requests.JSONDecodeError):
        return Fault("response body is not JSON")
    if isinstance(error, requests.RequestException):
        return Fault(f"request failed ({type(error).__name__})")
    return None


class XSource:
    """Polls X recent search for each brand and follows ``next_token`` until caught up.

    Example::

        >>> source = XSource(settings.sources.x, settings.brands)
        >>> for batch in source.fetch(store.cursor("x")):
        ...     store.save_batch("x", batch.mentions, batch.cursor)
    """

    name = SOURCE

    def __init__(
        self,
        config: XSourceConfig,
        brands: Sequence[BrandConfig],
        *,
        client: tweepy.Client | None = None,
        throttle: Throttle | None = None,
    ) -> None:
        self._config = config
        self._brands = own_brands_first(brands)  # a post both searches find is the own brand's
        self._matcher = BrandMatcher(brands, SOURCE)
        self._client = client if client is not None else x_client(config)
        self._throttle = throttle if throttle is not None else Throttle(SOURCE)
        self._rotation = StreamRotation()

    def fetch(self, cursor: Mapping[str, str]) -> Iterator[SourceBatch]:
        """Yield each brand's new tweets since its cursor, own brands first, a page per batch (after a brand whose
        search failed, from the brand after it: see :mod:`listener.sources.rotation`)."""
        yield from self._rotation.read([partial(self._fetch_brand, brand, cursor) for brand in self._brands])

    def _fetch_brand(self, brand: BrandConfig, cursor: Mapping[str, str]) -> Iterator[SourceBatch]:
        keys = {name: f"{name}:{brand.name}" for name in ("since_id", "next_token", "newest_id")}
        since_id = cursor.get(keys["since_id"]) or None
        token = cursor.get(keys["next_token"]) or None
        newest = cursor.get(keys["newest_id"]) or None
        query = x_search_query(brand, exclude_retweets=self._config.exclude_retweets)

        def brand_of(text: str, handle: str | None) -> str | None:
            return None if self._matcher.is_excluded_author(brand.name, handle) else brand.name

        first_poll = since_id is None and token is None  # a cursor X refuses later is no first poll: all is read
        while True:
            try:
                body = self._get(lambda: self._client.search_recent_tweets(
                    query, since_id=since_id, next_token=token, max_results=self._config.max_results,
                    tweet_fields=TWEET_FIELDS, user_fields=USER_FIELDS, expansions=EXPANSIONS,
                ))
            except tweepy.BadRequest as error:
                if token is None and since_id is None:
                    yield SourceBatch([], {}, errors=[
                        f"x: X rejected the search for brand {brand.name!r} (400: {_reason(error)}); "
                        f"check the brand's x terms in the config. Query: {query}"
                    ])
                    return
                # A paging token expires, and recent search refuses a since_id older than 7 days:
                # drop the token first, then the since_id, and search again.
                log.warning("x search cursor rejected, searching again without it",
                            extra={"brand": brand.name, "since_id": since_id, "had_token": token is not None,
                                   "reason": _reason(error)})
                if token is None:
                    since_id = None
                token = newest = None
                continue
            try:
                page = parse_x_response(body, brand_of)
            except XResponseError as error:
                yield SourceBatch([], {}, errors=[f"x: unexpected search response for brand {brand.name!r}: {error}"])
                return
            newest = newest or page.newest_id
            token = None if first_poll else page.next_token
            if token:
                covered = {keys["since_id"]: since_id or "", keys["next_token"]: token, keys["newest_id"]: newest or ""}
            else:
                covered = {keys["since_id"]: newest or since_id or "", keys["next_token"]: "", keys["newest_id"]: ""}
            yield SourceBatch(page.mentions, covered, page.skipped, [f"x: {error}" for error in page.errors])
            if not token:
                return

    def refresh(self, mentions: Sequence[Mention]) -> list[Mention]:
        """The same tweets with today's engagement and author reach (deleted ones are left out, and so is a
        tweet the answer holds malformed: logged, it keeps its stored counts).

        An edited tweet is looked up by the id of its version last read (its raw record's): X answers
        an edit's first id with the first version, whose counts stopped growing at the edit.
        """
        by_id = {str(mention.raw.get("id") or mention.external_id): mention for mention in mentions}
        refreshed: list[Mention] = []
        ids = list(by_id)
        for start in range(0, len(ids), LOOKUP_BATCH):
            chunk = ids[start:start + LOOKUP_BATCH]
            body = self._get(lambda: self._client.get_tweets(
                chunk, tweet_fields=TWEET_FIELDS, user_fields=USER_FIELDS, expansions=EXPANSIONS,
            ))
            users = authors_by_id(body)
            for number, tweet in enumerate(body.get("data") or [], 1):
                try:
                    old = by_id.get(str(tweet.get("id")))
                    if old is None:
                        continue
                    new = mention_from_tweet(tweet, users.get(str(tweet.get("author_id"))), old.brand)
                except RECORD_FAULTS as error:  # that tweet keeps its stored counts; the others are refreshed
                    log.error("bad input skipped", extra={"source": SOURCE, "during": "engagement re-poll",
                                                          "detail": f"x: tweet #{number}: {record_problem(error)}"})
                    continue
                refreshed.append(replace(old, engagement=new.engagement, author_reach=new.author_reach))
        return refreshed

    def check(self) -> str:
        """One cheap authenticated call (a one-result search); returns what it found out."""
        self._get(lambda: self._client.search_recent_tweets(
            x_search_query(self._brands[0], exclude_retweets=self._config.exclude_retweets), max_results=10,
        ))
        return "bearer token accepted"

    def _get(self, call: Callable[[], requests.Response]) -> Any:
        """Run one API call under the throttle; auth failures become :class:`SourceAuthError`."""

        def attempt() -> Any:
            response = call()
            self._throttle.observe(response.headers.get("x-rate-limit-remaining"),
                                   response.headers.get("x-rate-limit-reset"))
            return response.json()

        try:
            return self._throttle.call(attempt, x_fault)
        except (tweepy.Unauthorized, tweepy.Forbidden) as error:
            status = error.response.status_code
            raise SourceAuthError(
                f"x: X rejected the bearer token ({status} {_reason(error)}); check X_BEARER_TOKEN and the "
                "app's access level in the X developer portal, then restart the listener"
            ) from None


def _reason(error: tweepy.HTTPException) -> str:
    """The API's own explanation of an error response, without anything the request carried."""
    try:
        return problem_detail(error.response.json())
    except ValueError:
        return error.response.reason or str(error.response.status_code)
