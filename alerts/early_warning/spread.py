"""Spread: a complaint whose engagement grows fast, or whose author is big, is escalated once.

The pollers re-poll recent complaints and update their likes, reposts and replies; growth is the
change since the job last looked (or since the post was made, the first time) per hour, counted from
the highest counts it saw: likes withdrawn and given again are not growth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from alerts.message import author_audience
from listener.domain import Engagement
from listener.store import SpreadObservation

# Growth is never read over less than this: a complaint re-polled minutes after it was posted, with
# a support reply and the customer's answer (3 replies in 2 minutes), is not "+90 replies/h".
MIN_SPAN = timedelta(minutes=15)


@dataclass(frozen=True)
class SpreadThresholds:
    """Growth per hour, per kind of engagement, and author reach, at which a complaint is escalated."""

    likes_per_hour: float = 200
    reposts_per_hour: float = 30
    replies_per_hour: float = 30
    reach: int = 100_000


def spread_reasons(observation: SpreadObservation, thresholds: SpreadThresholds) -> list[str]:
    """Why the observed complaint is spreading (empty when it is not).

    Example::

        >>> spread_reasons(observation, SpreadThresholds(reposts_per_hour=30))
        ['reposts +45/h (≥ 30/h)']
    """
    mention = observation.stored.mention
    before = observation.before or Engagement()
    since = observation.before_at or mention.created_at
    hours = max(observation.updated_at - since, MIN_SPAN) / timedelta(hours=1)
    now = mention.engagement
    reasons = [
        f"{name} +{rate:.0f}/h (≥ {limit:g}/h)"
        for name, rate, limit in (
            ("reposts", (now.reposts - before.reposts) / hours, thresholds.reposts_per_hour),
            ("replies", (now.replies - before.replies) / hours, thresholds.replies_per_hour),
            ("likes", (now.likes - before.likes) / hours, thresholds.likes_per_hour),
        )
        if rate >= limit
    ]
    # A complaint in a big subreddit spreads only when its votes and comments grow (above).
    audience = author_audience(mention)
    if audience is not None and audience >= thresholds.reach:
        reasons.append(f"author reach {audience:,} (≥ {thresholds.reach:,})")
    return reasons
