"""The Reddit source: praw, read-only (app-only OAuth), searching per brand and reading comments.

praw/prawcore own the network layer: they read Reddit's ``x-ratelimit-*`` headers and pace the
calls (``ratelimit_seconds``), and retry 5xx, timeouts and dropped connections twice; such a failure
that is left after that ends the poll (retrying it again multiplied the tries). The other failures
(429, a body that is not JSON) go through the shared :class:`~listener.sources.throttle.Throttle`,
which also sees the headers: a window spent until a reset minutes away ends the poll, where prawcore
would sleep through it. Every request waits at most ``REQUEST_TIMEOUT_SECONDS`` for Reddit (praw
ignores its ``timeout`` setting, and prawcore passed its own 16 s).

Cursor: Reddit search cannot ask "after this id", so each stream (``search:<brand>``, and
``comments`` for the configured comment subreddits) remembers the posts of its last listing: their
ids (``<stream>:listed``) and the oldest one's ``created_utc`` (``<stream>:oldest``). A post is new
when it was not listed and is no older than that: Reddit's search indexes some posts minutes or hours
after newer ones (and a moderator approves a held post late), so a post can show up among posts
already read, and is read then. A restart neither repeats nor misses what the listing returns. Each
poll reads the newest ``limit`` posts of a stream, so a burst of more posts than that between two
polls loses the oldest of the burst: lower ``interval_seconds`` for busy brands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from itertools import islice
from typing import Any

import praw
import prawcore
import requests

from listener.brands import BrandMatcher, own_brands_first
from listener.config import BrandConfig, RedditSourceConfig
from listener.domain import Mention
from listener.sources import SourceAuthError, SourceBatch
from listener.sources.fields import RECORD_FAULTS, record_problem
from listener.sources.http import TimeoutSession
from listener.sources.queries import reddit_search_query
from listener.sources.rotation import StreamRotation
from listener.sources.reddit_mapping import SOURCE, mention_from_thing, thing_data, thing_text
from listener.sources.throttle import Fault, Throttle

log = logging.getLogger(__name__)

LISTING_LIMIT = 100
REQUEST_TIMEOUT_SECONDS = 30
PRAWCORE_TRIES = prawcore.sessions.FiniteRetryStrategy.DEFAULT_RETRIES + 1
"""How often prawcore tries a request that times out or gets a 5xx before it raises."""
RATELIMIT_SECONDS = 300
"""praw waits out a RATELIMIT error shorter than this instead of raising; prawcore paces reads by the headers."""


def reddit_client(config: RedditSourceConfig, *, throttle: Throttle | None = None, **praw_options: Any) -> praw.Reddit:
    """A read-only praw client for ``config``'s app credentials (``praw_options`` e.g. ``oauth_url``).

    ``throttle`` is shown the ``x-ratelimit-*`` headers of every response: once Reddit's window is
    spent, the next call ends the poll instead of prawcore sleeping until the reset (up to 10 minutes).
    """
    if not (config.client_id and config.client_secret and config.client_id.get_secret_value()):
        raise SourceAuthError("reddit: no client id/secret; set sources.reddit.client_id and client_secret")
    session = TimeoutSession(REQUEST_TIMEOUT_SECONDS)
    if throttle is not None:
        session.hooks["response"].append(lambda response, *args, **kwargs: throttle.observe(
            response.headers.get("x-ratelimit-remaining"), response.headers.get("x-ratelimit-reset"),
            reset_in_seconds=True))
    reddit = praw.Reddit(
        client_id=config.client_id.get_secret_value(),
        client_secret=config.client_secret.get_secret_value(),
        user_agent=config.user_agent,
        check_for_updates=False,
        check_for_async=False,
        ratelimit_seconds=RATELIMIT_SECONDS,
        requestor_kwargs={"session": session},
        **praw_options,
    )
    reddit.read_only = True
    return reddit


def reddit_fault(error: Exception) -> Fault | None:
    """Which prawcore errors are worth retrying (rate limit, 5xx, network, a body that is not JSON: a proxy's
    error page), and for how long to wait; those prawcore has retried already (5xx, timeouts, dropped
    connections: ``Session.RETRY_EXCEPTIONS``) end the poll."""
    if isinstance(error, prawcore.TooManyRequests):
        retry_after = error.response.headers.get("retry-after", "")
        return Fault("429 Too Many Requests", retry_after=float(retry_after) if retry_after.isdigit() else None)
    if isinstance(error, prawcore.ServerError):
        return Fault(f"{error.response.status_code} server error, {PRAWCORE_TRIES} tries", retried=True)
    if isinstance(error, prawcore.BadJSON):
        return Fault("response body is not JSON")
    if isinstance(error, prawcore.RequestException):
        failure = error.original_exception
        retried = isinstance(failure, prawcore.sessions.Session.RETRY_EXCEPTIONS)
        return Fault(f"request failed ({type(failure).__name__}{f', {PRAWCORE_TRIES} tries' if retried else ''})",
                     retried=retried)
    return None


@dataclass(frozen=True)
class SeenCursor:
    """The posts of a stream's last listing: their ids, and the oldest one's ``created_utc``."""

    oldest: float = 0.0
    listed: frozenset[str] = frozenset()

    @classmethod
    def load(cls, cursor: Mapping[str, str], stream: str) -> "SeenCursor":
        """The stream's state from the saved cursor (empty when never polled).

        A cursor saved before the listing was kept holds the newest time read and the ids read at that
        second (``<stream>:newest``, ``<stream>:seen``): a post is new after it as it was then."""
        oldest, listed = cursor.get(f"{stream}:oldest"), cursor.get(f"{stream}:listed")
        if oldest is None:
            oldest, listed = cursor.get(f"{stream}:newest"), cursor.get(f"{stream}:seen")
        return cls(float(oldest) if oldest else 0.0, frozenset(filter(None, (listed or "").split(","))))

    def is_new(self, created_utc: float, fullname: str) -> bool:
        """Whether a post was not listed last time and is no older than the oldest post that was."""
        return created_utc >= self.oldest and fullname not in self.listed

    def advanced(self, listing: Sequence[tuple[float, str]]) -> "SeenCursor":
        """The cursor after reading ``listing`` (its ``(created_utc, fullname)`` pairs); an empty listing
        leaves it as it was."""
        if not listing:
            return self
        return SeenCursor(min(created for created, _ in listing), frozenset(fullname for _, fullname in listing))

    def dump(self, stream: str) -> dict[str, str]:
        """The cursor entries to store."""
        return {f"{stream}:oldest": repr(self.oldest), f"{stream}:listed": ",".join(sorted(self.listed))}


class RedditSource:
    """Searches Reddit for each brand (newest first) and reads the comment subreddits for brand terms.

    Example::

        >>> source = RedditSource(settings.sources.reddit, settings.brands)
        >>> batches = list(source.fetch(store.cursor("reddit")))
    """

    name = SOURCE

    def __init__(
        self,
        config: RedditSourceConfig,
        brands: Sequence[BrandConfig],
        *,
        reddit: praw.Reddit | None = None,
        throttle: Throttle | None = None,
        limit: int = LISTING_LIMIT,
    ) -> None:
        self._config = config
        self._brands = own_brands_first(brands)  # a post both searches find is the own brand's
        self._matcher = BrandMatcher(brands, SOURCE)
        self._throttle = throttle if throttle is not None else Throttle(SOURCE)
        self._reddit = reddit if reddit is not None else reddit_client(config, throttle=self._throttle)
        self._rotation = StreamRotation()
        self._limit = limit

    def fetch(self, cursor: Mapping[str, str]) -> Iterator[SourceBatch]:
        """Yield one batch per brand search (own brands first), then one for the comment subreddits (after a stream
        that failed, from the stream after it: see :mod:`listener.sources.rotation`)."""
        searched = self._reddit.subreddit("+".join(self._config.subreddits))
        streams = [partial(self._search, searched, brand, cursor) for brand in self._brands]
        if self._config.comment_subreddits:
            commented = self._reddit.subreddit("+".join(self._config.comment_subreddits))
            streams.append(lambda: iter([self._read("comments", cursor, lambda: commented.comments(limit=self._limit),
                                                    self._matcher.brand_for)]))
        yield from self._rotation.read(streams)

    def _search(self, searched: Any, brand: BrandConfig, cursor: Mapping[str, str]) -> Iterator[SourceBatch]:
        query = reddit_search_query(brand)
        yield self._read(
            f"search:{brand.name}", cursor,
            lambda: searched.search(query, sort="new", time_filter="all", limit=self._limit),
            lambda text, author: None if self._matcher.is_excluded_author(brand.name, author) else brand.name,
        )

    def refresh(self, mentions: Sequence[Mention]) -> list[Mention]:
        """The same posts with today's score, comment count and subscribers (deleted ones left out, and so is
        a post the answer holds malformed: logged, it keeps its stored counts).

        Each is the whole post as Reddit has it now, so that one edited since it was read brings its new
        text and edit time: :meth:`~listener.store.Store.save_batch` takes the text only from a newer
        edit, never a "[removed]" or "[deleted]" mark, as for ``listener ingest``."""
        by_name = {mention.external_id: mention for mention in mentions}
        things = self._list(lambda: self._reddit.info(fullnames=list(by_name)))
        refreshed = []
        for thing in things:
            kind, data = thing_data(thing)
            old = by_name.get(str(data.get("name")))
            if old is None:
                continue
            try:
                new = mention_from_thing(kind, data, old.brand)
            except RECORD_FAULTS as error:  # that post keeps its stored counts; the others are refreshed
                log.error("bad input skipped", extra={"source": SOURCE, "during": "engagement re-poll",
                                                      "detail": f"reddit {old.external_id}: {record_problem(error)}"})
                continue
            refreshed.append(replace(new, author_reach=new.author_reach or old.author_reach))
        return refreshed

    def check(self) -> str:
        """One cheap authenticated call (the newest post of r/all); returns what it found out."""
        self._list(lambda: self._reddit.subreddit("all").new(limit=1))
        return "app credentials accepted (read-only)"

    def _read(
        self,
        stream: str,
        cursor: Mapping[str, str],
        listing: Callable[[], Iterable[Any]],
        brand_of: Callable[[str, str | None], str | None],
    ) -> SourceBatch:
        before = SeenCursor.load(cursor, stream)
        mentions: list[Mention] = []
        listed: list[tuple[float, str]] = []
        errors: list[str] = []
        skipped = 0
        try:
            things = self._list(listing)
        except prawcore.ResponseException as error:
            reason = _subreddit_refusal(error.response)
            return SourceBatch([], {}, errors=[
                f"reddit {stream}: Reddit answered {error.response.status_code}{f' ({reason})' if reason else ''}; "
                "check the subreddit names and the brand's reddit terms in the config"
            ])
        for thing in things:
            kind, data = thing_data(thing)
            created, fullname = float(data.get("created_utc") or 0), str(data.get("name"))
            listed.append((created, fullname))
            if not before.is_new(created, fullname):
                continue
            brand = brand_of(thing_text(kind, data), data.get("author"))
            if brand is None:
                skipped += 1
                continue
            try:
                mentions.append(mention_from_thing(kind, data, brand))
            except RECORD_FAULTS as error:
                errors.append(f"reddit {stream} {fullname}: {record_problem(error)}")
        return SourceBatch(mentions, before.advanced(listed).dump(stream), skipped, errors)

    def _list(self, listing: Callable[[], Iterable[Any]]) -> list[Any]:
        """Read a whole listing under the throttle; rejected credentials become :class:`SourceAuthError`."""
        try:
            return self._throttle.call(lambda: list(islice(listing(), self._limit)), reddit_fault)
        except prawcore.OAuthException as error:
            raise SourceAuthError(
                f"reddit: Reddit rejected the app credentials ({error.error}); check REDDIT_CLIENT_ID and "
                "REDDIT_CLIENT_SECRET (a 'script' or 'web' app), then restart the listener"
            ) from None
        except (prawcore.InvalidToken, prawcore.Forbidden, prawcore.ResponseException) as error:
            status = error.response.status_code
            if status not in (401, 403) or _subreddit_refusal(error.response):
                raise
            raise SourceAuthError(
                f"reddit: Reddit refused the request ({status}); check REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET "
                "and that the configured subreddits are public, then restart the listener"
            ) from None


def _subreddit_refusal(response: requests.Response) -> str | None:
    """Why Reddit refused a subreddit (``private``, ``quarantined``, ``banned``...), when its answer says so: a
    403 about a subreddit, not about the credentials."""
    try:
        body = response.json()
    except ValueError:
        return None
    reason = body.get("reason") if isinstance(body, dict) else None
    return str(reason) if reason else None
