"""Values that cross the boundaries between stages: source → store → classify → rules → outbox → notifier.

Every stage speaks in these types, never in loose dicts, so a field renamed here is renamed everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

Sentiment = Literal["negative", "neutral", "positive"]
SENTIMENTS: tuple[Sentiment, ...] = ("negative", "neutral", "positive")


def most_likely_sentiment(probs: Sequence[float]) -> Sentiment:
    """The sentiment whose probability in ``probs`` (negative, neutral, positive) is highest; a tie goes to
    the first."""
    return SENTIMENTS[max(range(len(SENTIMENTS)), key=probs.__getitem__)]


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(text: str) -> str:
    """``text`` with each lone UTF-16 surrogate (a JSON ``"\\ud83d"`` cut from its pair) replaced by U+FFFD.

    Such a string cannot be encoded as UTF-8, so SQLite (and every notifier) would refuse it.
    """
    return _LONE_SURROGATE.sub("\ufffd", text)


def utc(moment: datetime) -> datetime:
    """Return ``moment`` as an aware UTC datetime (a naive one is taken to be UTC already)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


@dataclass(frozen=True)
class Engagement:
    """Public counts of how far a post travelled; re-polled later to see complaints that spread."""

    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0


@dataclass(frozen=True)
class Mention:
    """One public post that matched a brand, as a source saw it.

    ``(source, external_id)`` identifies it: seeing the same post again updates its engagement.
    ``author_reach`` is the author's audience (X followers; Reddit subreddit subscribers).
    ``lang`` is the language the source reported, if any; the classifier detects its own.
    ``edit_version``: how far the source says the text was edited since it was posted, higher being
    newer (X: the version's place in the tweet's edit history; Reddit: when it was edited); ``None``:
    as posted. A newer version replaces the text stored; an older one, or a text that differs for
    another reason (a Reddit post removed since, "[removed]"), does not.
    """

    source: str
    external_id: str
    text: str
    created_at: datetime
    brand: str
    url: str | None = None
    author_handle: str | None = None
    author_name: str | None = None
    author_reach: int | None = None
    lang: str | None = None
    engagement: Engagement = field(default_factory=Engagement)
    conversation_id: str | None = None
    parent_id: str | None = None
    edit_version: float | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.source:
            raise ValueError("a mention needs a source name")
        if not self.external_id:
            raise ValueError(f"a mention from {self.source!r} has no external id")
        object.__setattr__(self, "created_at", utc(self.created_at))
        for name in ("text", "brand", "url", "author_handle", "author_name", "lang", "conversation_id",
                     "parent_id", "external_id"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, without_lone_surrogates(value))


@dataclass(frozen=True)
class Classification:
    """What the classifier says of one text.

    ``sentiment_probs`` holds the probabilities of negative, neutral and positive, in that order.
    ``complaint_prob`` is calibrated: a threshold of 0.7 in the config means "70 % likely a complaint".
    ``cues`` are the words or signals behind the verdict, shown to staff as "why flagged".
    """

    lang: str
    sentiment: Sentiment
    sentiment_probs: tuple[float, float, float]
    complaint_prob: float
    cues: tuple[str, ...] = ()
    model: str = ""

    @property
    def reads_as_complaint(self) -> bool:
        """Whether the verdict is "complaint" (probability at least one half), and so the cues say why it is one."""
        return self.complaint_prob >= 0.5

    @property
    def negative_prob(self) -> float:
        """Probability that the text is negative."""
        return self.sentiment_probs[0]


@dataclass(frozen=True)
class StoredMention:
    """A mention as the store holds it: with its row id and, once classified, its classification."""

    id: int
    mention: Mention
    classification: Classification | None = None


def incident_group(brand: str, incident_id: int | None) -> str:
    """The ``group`` of an incident's alerts. They show one of its posts (their ``mention_id``) but are
    about the incident: they are acknowledged together, not with that post's own alerts."""
    return f"{brand}{INCIDENT_GROUP_MARK}{incident_id}"


INCIDENT_GROUP_MARK = ":incident:"


@dataclass(frozen=True)
class Alert:
    """One notification for one channel, written to the outbox before it is delivered.

    ``key`` is the idempotency key: the outbox holds at most one alert per key, so a restart or a
    second evaluation never produces a second message for the same thing on the same channel.
    ``group`` names what the alert is about (a thread, a complaint topic): alerts of one group within
    the grouping window become follow-ups of the first. ``ack_within`` is the acknowledgement SLA.
    """

    key: str
    channel: str
    brand: str
    rule: str
    severity: Literal["low", "normal", "high", "critical"]
    title: str
    reasons: tuple[str, ...]
    mention_id: int | None = None
    created_at: datetime | None = None
    group: str | None = None
    ack_within: timedelta | None = None
