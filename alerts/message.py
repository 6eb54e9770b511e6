"""What every channel shows of an alert, as plain fields; each notifier formats and escapes them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

from alerts.notifiers import AlertMessage
from listener.config import SEVERITIES
from listener.domain import Mention


# What a mention's reach counts, where it is not the author's followers.
REACH_LABELS = {"reddit": "subreddit subscribers"}


def reach_label(source: str) -> str:
    """What a mention's reach counts on ``source``: ``'followers'``, or ``'subreddit subscribers'`` on Reddit."""
    return REACH_LABELS.get(source, "followers")


def author_audience(mention: Mention) -> int | None:
    """The author's own audience (followers), or None where the source's reach counts a community.

    A Reddit post's reach is its subreddit's subscribers: every post there has it, so it says how big
    the room is, not who is speaking. Example::

        >>> author_audience(mention)  # an X post by an account with 48,000 followers
        48000
    """
    return None if mention.source in REACH_LABELS else mention.author_reach


@dataclass(frozen=True)
class AlertSummary:
    """The facts of one alert, untrusted text included as is (notifiers escape it for their medium)."""

    alert_id: int
    title: str
    severity: str
    brand: str
    source: str
    text: str
    author: str
    reach: int | None
    reach_label: str
    url: str | None
    lang: str
    sentiment: str
    complaint_prob: float | None
    reasons: tuple[str, ...]
    posted_at: str
    key: str = ""
    headline: str = ""
    thread: str | None = None
    more: tuple["AlertSummary", ...] = field(default=())

    @property
    def has_post(self) -> bool:
        """Whether the alert is about a post (an operator notice is about the listener itself)."""
        return bool(self.source)

    @property
    def posted(self) -> str:
        """When the post was written, e.g. ``'2026-11-19 19:42 UTC'`` (empty for an alert with no post)."""
        if not self.posted_at:
            return ""
        return f"{datetime.fromisoformat(self.posted_at).astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC"

    @classmethod
    def of(cls, message: AlertMessage) -> "AlertSummary":
        """Summarise ``message`` for display."""
        stored = message.mention
        mention = stored.mention if stored else None
        result = stored.classification if stored else None
        author = ""
        if mention is not None:
            handle = f"@{mention.author_handle}" if mention.author_handle else ""
            named = mention.author_name if mention.author_name != mention.author_handle else None
            author = f"{named} ({handle})" if named and handle else (handle or named or "unknown")
        return cls(
            alert_id=message.alert_id,
            title=message.alert.title,
            severity=message.alert.severity,
            brand=message.alert.brand,
            source=mention.source if mention else "",
            text=mention.text if mention else "",
            author=author,
            reach=mention.author_reach if mention else None,
            reach_label=reach_label(mention.source) if mention else "followers",
            url=mention.url if mention else None,
            lang=(result.lang if result else None) or (mention.lang if mention else None) or "?",
            sentiment=result.sentiment if result else "?",
            complaint_prob=result.complaint_prob if result else None,
            reasons=message.alert.reasons,
            posted_at=mention.created_at.isoformat() if mention else "",
            key=message.key,
            headline=_headline(message),
            thread=message.thread,
            more=tuple(cls.of(other) for other in message.more),
        )


def _headline(message: AlertMessage) -> str:
    """The first line of a message: the alert's title, or what a follow-up, batch or group carries."""
    count = 1 + len(message.more)
    if message.thread is not None:
        return f"Follow-up: {count} more like this" if count > 1 else f"Follow-up: {message.alert.title}"
    if message.batched:
        severities = Counter(alert.alert.severity for alert in (message, *message.more))
        counted = ", ".join(f"{severities[level]} {level}" for level in reversed(SEVERITIES) if severities[level])
        return f"{count} alerts batched (channel rate limit reached): {counted}"
    if message.more:  # a group with no thread to go in (a Slack webhook's, or one whose first alert was held)
        return f"{message.alert.title} and {count - 1} more like it"
    return message.alert.title
