"""X API v2 response bodies → :class:`Mention`, shared by the poller and ``listener ingest``.

Reads a search (or tweet lookup) response body: ``data`` (tweets), ``includes.users`` (their
authors, for followers) and ``meta`` (``newest_id``, ``next_token``). Fields that old or minimal
responses lack (metrics, includes, even ``created_at``) are optional.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from listener.domain import Engagement, Mention
from listener.sources import BrandOf
from listener.sources.fields import (
    RECORD_FAULTS, epoch_time, iso_time, optional_text, record_problem, service_count, service_reach,
)

SOURCE = "x"
TWEET_FIELDS = ["created_at", "lang", "public_metrics", "conversation_id", "referenced_tweets", "author_id",
                "edit_history_tweet_ids", "note_tweet"]
USER_FIELDS = ["public_metrics", "verified"]
EXPANSIONS = ["author_id"]
_TWITTER_EPOCH_MS = 1288834974657


class XResponseError(ValueError):
    """A body that is not an X API v2 tweets response; the message says what is wrong."""


@dataclass
class XPage:
    """One response body, mapped: its mentions, what was skipped or broken, and its paging meta."""

    mentions: list[Mention] = field(default_factory=list)
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    newest_id: str | None = None
    next_token: str | None = None


def parse_x_response(body: Any, brand_of: BrandOf) -> XPage:
    """Map an X v2 response body to mentions; tweets ``brand_of`` gives no brand are skipped.

    Example::

        >>> page = parse_x_response(json.loads(text), lambda text, handle: "KFC")
        >>> len(page.mentions), page.next_token
        (4, None)

    Raises :class:`XResponseError` when the body as a whole is not a tweets response.
    """
    if not isinstance(body, Mapping):
        raise XResponseError(f"expected a JSON object with 'data' and 'meta', got {type(body).__name__}")
    tweets = body.get("data") or []
    if isinstance(tweets, Mapping):
        tweets = [tweets]
    if not isinstance(tweets, list):
        raise XResponseError("'data' must be a list of tweets")
    if "data" not in body and "meta" not in body:
        if body.get("errors") or body.get("status"):
            raise XResponseError(f"an error response, not tweets: {problem_detail(body)}")
        raise XResponseError("neither 'data' nor 'meta': not an X API v2 tweets response")
    meta = body.get("meta") if isinstance(body.get("meta"), Mapping) else {}
    page = XPage(newest_id=_optional_str(meta.get("newest_id")), next_token=_optional_str(meta.get("next_token")))
    users = authors_by_id(body)
    for number, tweet in enumerate(tweets, 1):
        if not isinstance(tweet, Mapping):
            page.errors.append(f"tweet #{number}: expected a tweet object, got {type(tweet).__name__}")
            continue
        try:
            author = users.get(str(tweet.get("author_id")))
            brand = brand_of(str(tweet.get("text", "")), author.get("username") if author else None)
            if brand is None:
                page.skipped += 1
                continue
            page.mentions.append(mention_from_tweet(tweet, author, brand))
        except RECORD_FAULTS as error:
            page.errors.append(f"tweet #{number}: {record_problem(error)}")
    return page


def authors_by_id(body: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The ``includes.users`` of a response, by user id (empty when the response has none)."""
    includes = body.get("includes")
    users = includes.get("users") if isinstance(includes, Mapping) else None
    if not isinstance(users, list):
        return {}
    return {str(user["id"]): user for user in users if isinstance(user, Mapping) and "id" in user}


def _edit_version(history: list[Any] | None, tweet_id: str) -> float | None:
    """The version's place in the tweet's edit history (2 for the first edit), or ``None`` for the tweet as
    posted: a past version asked for by its id comes with the whole history, whose length is not its own."""
    versions = [str(version) for version in history or ()]
    place = versions.index(tweet_id) + 1 if tweet_id in versions else len(versions)
    return float(place) if place > 1 else None


def mention_from_tweet(tweet: Mapping[str, Any], author: Mapping[str, Any] | None, brand: str) -> Mention:
    """One tweet (and its author from ``includes.users``, if any) as a :class:`Mention`.

    X gives each edit of a tweet a new id and lists the versions, oldest first, in
    ``edit_history_tweet_ids``: the mention is keyed on the first, so an edit updates the stored
    mention instead of adding one; its link points at the version read. A post longer than 280
    characters has its first 280 as ``text`` and the whole of it in ``note_tweet.text``.
    """
    for key in ("id", "text"):
        if not tweet.get(key):
            raise XResponseError(f"missing required field {key!r}")
    tweet_id = _tweet_id(tweet["id"], "id")
    history = tweet.get("edit_history_tweet_ids")
    if history is not None and (not isinstance(history, list) or not history):
        raise XResponseError("field 'edit_history_tweet_ids' must be a non-empty list of tweet ids")
    original_id = _tweet_id(history[0], "edit_history_tweet_ids") if history else tweet_id
    author = author or {}
    handle = optional_text(author.get("username"), "includes.users.username")
    metrics = _object(tweet.get("public_metrics"), "public_metrics")
    whole = optional_text(_object(tweet.get("note_tweet"), "note_tweet").get("text"), "note_tweet.text")
    followers = _object(author.get("public_metrics"), "includes.users.public_metrics").get("followers_count")
    references = tweet.get("referenced_tweets") or []
    if not isinstance(references, list) or not all(isinstance(ref, Mapping) for ref in references):
        raise XResponseError("field 'referenced_tweets' must be a list of objects")
    replied_to = next((ref.get("id") for ref in references if ref.get("type") == "replied_to"), None)
    return Mention(
        source=SOURCE,
        external_id=original_id,
        text=html.unescape(str(whole or tweet["text"])),  # X escapes &, < and > in tweet text
        created_at=_created_at(tweet),
        brand=brand,
        url=f"https://x.com/{handle}/status/{tweet_id}" if handle else f"https://x.com/i/web/status/{tweet_id}",
        author_handle=handle,
        author_name=optional_text(author.get("name"), "includes.users.name"),
        author_reach=service_reach(followers, "includes.users.public_metrics.followers_count"),
        lang=optional_text(tweet.get("lang"), "lang"),
        engagement=Engagement(
            *(service_count(metrics.get(key), f"public_metrics.{key}")
              for key in ("like_count", "retweet_count", "reply_count", "quote_count")),
        ),
        conversation_id=_optional_str(tweet.get("conversation_id")),
        parent_id=_optional_str(replied_to),
        edit_version=_edit_version(history, tweet_id),
        raw=dict(tweet),
    )


def _tweet_id(value: Any, field: str) -> str:
    """A tweet id as a string; :class:`XResponseError` naming ``field`` when it is neither a string nor an integer."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise XResponseError(f"field {field!r} must be a string or an integer, got {type(value).__name__}")
    return str(value)


def _created_at(tweet: Mapping[str, Any]) -> datetime:
    """The tweet's ``created_at``; a default-fields response has none, so read it from the snowflake id."""
    stamp = tweet.get("created_at")
    if stamp:
        return iso_time(stamp, "created_at")
    try:
        return epoch_time(((int(tweet["id"]) >> 22) + _TWITTER_EPOCH_MS) / 1000, "id")
    except (ValueError, OverflowError):
        raise XResponseError(f"no 'created_at' and the id {tweet['id']!r} is not a tweet id") from None


def _object(value: Any, field: str) -> Mapping[str, Any]:
    """``value``, an object that may be absent (then empty); :class:`XResponseError` naming ``field`` otherwise."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise XResponseError(f"field {field!r} must be an object, got {type(value).__name__}")
    return value


def _optional_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def problem_detail(body: Mapping[str, Any]) -> str:
    """A short reason from an X error body (RFC 7807 problem or ``errors[]``)."""
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        return str(errors[0].get("message") or errors[0].get("detail") or errors[0])
    return str(body.get("detail") or body.get("title") or "unknown error")
