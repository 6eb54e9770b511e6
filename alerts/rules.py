"""Rules: which classified mentions raise an alert, how urgent it is, and which channels get it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from listener.config import BrandConfig, RuleConfig
from listener.domain import Alert, StoredMention

# Authors with at least this many followers make an alert one step more urgent.
HIGH_REACH = 10_000


class RuleEngine:
    """Evaluates the configured rules against one mention at a time.

    Competitor brands never alert as ours: their mentions are stored and counted, not routed.

    Example::

        >>> engine = RuleEngine(settings.alerts.rules, settings.brands)
        >>> [alert.channel for alert in engine.evaluate(stored_mention)]
        ['console', 'file']
    """

    def __init__(self, rules: Sequence[RuleConfig], brands: Sequence[BrandConfig]) -> None:
        self._rules = list(rules)
        self._own_brands = {brand.name for brand in brands if not brand.competitor}
        self._keyword_patterns = {
            rule.name: [(word, re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)) for word in rule.keywords]
            for rule in rules
        }

    def evaluate(self, stored: StoredMention) -> list[Alert]:
        """The alerts ``stored`` raises: one per channel of each rule it meets (a channel once)."""
        mention, result = stored.mention, stored.classification
        if result is None or mention.brand not in self._own_brands:
            return []
        alerts: dict[str, Alert] = {}
        for rule in self._rules:
            if "*" not in rule.brands and mention.brand not in rule.brands:
                continue
            reasons = self._reasons(rule, stored)
            if not reasons:
                continue
            severity = _severity(result.complaint_prob, mention.author_reach, keyword_hit=any(
                reason.startswith("keyword") for reason in reasons))
            for channel in rule.channels:
                alerts.setdefault(channel, Alert(
                    key=f"mention:{stored.id}:{channel}",
                    channel=channel,
                    brand=mention.brand,
                    rule=rule.name,
                    severity=severity,
                    title=_title(stored),
                    reasons=tuple(reasons),
                    mention_id=stored.id,
                ))
        return list(alerts.values())

    def _reasons(self, rule: RuleConfig, stored: StoredMention) -> list[str]:
        result = stored.classification
        assert result is not None
        reasons = []
        if rule.complaint_threshold is not None and result.complaint_prob >= rule.complaint_threshold:
            reasons.append(f"complaint {result.complaint_prob:.0%} ≥ {rule.complaint_threshold:.0%}")
        if rule.negative_threshold is not None and result.negative_prob >= rule.negative_threshold:
            reasons.append(f"negative {result.negative_prob:.0%} ≥ {rule.negative_threshold:.0%}")
        for word, pattern in self._keyword_patterns[rule.name]:
            if pattern.search(stored.mention.text):
                reasons.append(f"keyword '{word}'")
        if reasons and result.cues:
            reasons.append("cues: " + ", ".join(result.cues))
        return reasons


def _severity(complaint_prob: float, reach: int | None, keyword_hit: bool) -> str:
    levels = ["low", "normal", "high", "critical"]
    level = 1 if complaint_prob < 0.85 else 2
    if keyword_hit:
        level = max(level, 2)
    if reach is not None and reach >= HIGH_REACH:
        level += 1
    return levels[min(level, 3)]


def _title(stored: StoredMention) -> str:
    mention = stored.mention
    who = f"@{mention.author_handle}" if mention.author_handle else "someone"
    return f"{mention.brand}: complaint from {who} on {mention.source}"
