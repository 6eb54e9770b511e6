"""Reddit things (``t3`` submissions, ``t1`` comments) → :class:`Mention`, for the poller and ``ingest``.

The same mapping reads a saved Listing JSON and the praw objects the poller gets (through
:func:`thing_data`, which turns one back into the fields of its JSON).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from listener.domain import Engagement, Mention
from listener.sources import BrandOf
from listener.sources.fields import (
    RECORD_FAULTS, epoch_time, optional_text, record_problem, service_count, service_reach,
)

SOURCE = "reddit"
REDDIT = "https://www.reddit.com"
KINDS = {"t1": "comment", "t3": "submission"}


class RedditResponseError(ValueError):
    """A body that is not a Reddit Listing; the message says what is wrong."""


@dataclass
class RedditPage:
    """One Listing body, mapped: its mentions and what was skipped or broken."""

    mentions: list[Mention] = field(default_factory=list)
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def parse_reddit_listing(body: Any, brand_of: BrandOf) -> RedditPage:
    """Map a Listing (or a submission page: a list of Listings) to mentions, replies included.

    Example::

        >>> page = parse_reddit_listing(json.loads(text), lambda text, author: "Lumora")
        >>> [mention.external_id for mention in page.mentions][:2]
        ['t3_4sfmpb', 't3_4s5yh9']
    """
    listings = body if isinstance(body, list) else [body]
    if not listings or not all(_is_listing(listing) for listing in listings):
        raise RedditResponseError("expected a Reddit Listing: {\"kind\": \"Listing\", \"data\": {\"children\": [...]}}")
    page = RedditPage()
    for number, (kind, data) in enumerate(_things(listings), 1):
        if not isinstance(data, Mapping):
            page.errors.append(f"child #{number}: expected an object under 'data'")
            continue
        try:
            brand = brand_of(thing_text(kind, data), _author(data))
            if brand is None:
                page.skipped += 1
                continue
            page.mentions.append(mention_from_thing(kind, data, brand))
        except RECORD_FAULTS as error:
            page.errors.append(f"child #{number}: {record_problem(error)}")
    return page


# What Reddit shows instead of a text its writer deleted, or a moderator or Reddit itself removed.
REMOVED_MARKS = frozenset({"[deleted]", "[removed]", "[ Removed by Reddit ]",
                           "[ Removed by Reddit in response to a copyright notice. ]"})


def thing_data(thing: Any) -> tuple[str, dict[str, Any]]:
    """A praw ``Submission`` or ``Comment`` as its kind and JSON fields (author and subreddit as names)."""
    data = {key: value for key, value in vars(thing).items() if not key.startswith("_") and key != "replies"}
    for key in ("author", "subreddit"):
        if data.get(key) is not None:
            data[key] = str(data[key])
    return ("t1" if "body" in data else "t3"), data


def thing_text(kind: str, data: Mapping[str, Any]) -> str:
    """What was written: a submission's title and body, or a comment's body."""
    if kind == "t1":
        return str(data.get("body") or "")
    return "\n\n".join(part for part in (str(data.get("title") or ""), str(data.get("selftext") or "")) if part)


def _edited_at(kind: str, data: Mapping[str, Any]) -> float | None:
    """When the writer last edited the text (Reddit's ``edited``: false, or a time), unless it was deleted
    or removed since: Reddit puts a mark in its place, which is no edit to take."""
    edited = data.get("edited")
    if isinstance(edited, bool) or not isinstance(edited, (int, float)) or not math.isfinite(edited):
        return None
    return None if str(data.get("body" if kind == "t1" else "selftext") or "") in REMOVED_MARKS else float(edited)


def mention_from_thing(kind: str, data: Mapping[str, Any], brand: str) -> Mention:
    """One submission or comment as a :class:`Mention`; reach is the subreddit's subscribers, if given."""
    if not data.get("id"):
        raise RedditResponseError("missing required field 'id'")
    fullname = str(data.get("name") or f"{kind}_{data['id']}")
    subscribers = data.get("subreddit_subscribers")
    score = data.get("score")
    comments = data.get("num_comments")
    return Mention(
        source=SOURCE,
        external_id=fullname,
        text=thing_text(kind, data),
        created_at=epoch_time(data.get("created_utc"), "created_utc"),
        brand=brand,
        url=_url(kind, data),
        author_handle=_author(data),
        author_reach=service_reach(subscribers, "subreddit_subscribers"),
        engagement=Engagement(
            likes=service_count(max(score, 0) if isinstance(score, int) else score, "score"),  # a score can be below 0
            replies=service_count(comments, "num_comments") if kind == "t3" else 0,
        ),
        conversation_id=str(data.get("link_id") or fullname),
        parent_id=optional_text(data.get("parent_id"), "parent_id") if kind == "t1" else None,
        edit_version=_edited_at(kind, data),
        raw=dict(data),
    )


def _is_listing(body: Any) -> bool:
    return (isinstance(body, Mapping) and body.get("kind") == "Listing" and isinstance(body.get("data"), Mapping)
            and isinstance(body["data"].get("children"), list))


def _things(listings: list[Mapping[str, Any]]) -> Iterator[tuple[str, Any]]:
    """Every t1/t3 child of ``listings``, depth first, with the replies nested in comments."""
    for listing in listings:
        for child in listing["data"]["children"]:
            if not isinstance(child, Mapping) or child.get("kind") not in KINDS:
                continue  # "more" stubs and other kinds are not posts
            yield child["kind"], child.get("data")
            replies = child.get("data", {}).get("replies") if isinstance(child.get("data"), Mapping) else None
            if _is_listing(replies):
                yield from _things([replies])


def _author(data: Mapping[str, Any]) -> str | None:
    author = data.get("author")
    return None if author in (None, "", "[deleted]") else str(author)


def _url(kind: str, data: Mapping[str, Any]) -> str | None:
    if data.get("permalink"):
        return REDDIT + str(data["permalink"])
    if kind == "t1" and str(data.get("link_id", "")).startswith("t3_"):
        return f"{REDDIT}/comments/{data['link_id'][3:]}/_/{data['id']}/"
    return None
