"""Rules: which classified mentions raise an alert, how urgent it is, and which channels get it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import timedelta

from alerts.keywords import URGENT_CATEGORIES, default_keywords
from alerts.message import author_audience
from listener.config import SEVERITIES, BrandConfig, RuleConfig
from listener.domain import Alert, StoredMention
from listener.folding import fold, phrase_pattern
from listener.function_words import FUNCTION_WORDS, only_function_words

CUSTOM = "custom"
_NAME_PART = re.compile(r"[^\W_]+")


class RuleEngine:
    """Evaluates the configured rules against one mention at a time.

    Competitor brands never alert as ours: their mentions are stored and counted for the digest.
    ``own_brands`` are the others, the brands whose mentions can alert.

    Example::

        >>> engine = RuleEngine(settings.alerts.rules, settings.brands)
        >>> [alert.channel for alert in engine.evaluate(stored_mention)]
        ['console', 'file']
    """

    def __init__(self, rules: Sequence[RuleConfig], brands: Sequence[BrandConfig], *,
                 ack_sla: timedelta = timedelta(hours=1)) -> None:
        self._rules = list(rules)
        self.own_brands = frozenset(brand.name for brand in brands if not brand.competitor)
        self._brand_names = {key for brand in brands for name in brand.names() if (key := _name_key(name))}
        self._ack_sla = ack_sla
        self._keywords = {
            rule.name: [(word, category, fold(word), phrase_pattern([word])) for word, category in _rule_keywords(rule)]
            for rule in rules
        }
        # One search tells most mentions (those with no keyword at all) apart before the per-word loop (20× faster).
        self._any_keyword = {name: phrase_pattern(word for word, _, _, _ in keywords)
                             for name, keywords in self._keywords.items()}

    def evaluate(self, stored: StoredMention) -> list[Alert]:
        """The alerts ``stored`` raises: one per channel of the rules it meets; where two rules share a
        channel, the more severe alert (the first rule's on a tie), so a legal threat is not sent as the
        routine complaint of a rule listed before the legal one."""
        mention, result = stored.mention, stored.classification
        if result is None or mention.brand not in self.own_brands:
            return []
        alerts: dict[str, Alert] = {}
        folded_text = fold(mention.text)
        # Below ½ the cues would say why it is not a complaint; a brand's name says nothing: every post names one.
        cues = self._without_names(result.cues) if result.reads_as_complaint else ()
        for rule in self._rules:
            if "*" not in rule.brands and mention.brand not in rule.brands:
                continue
            reasons, floor = self._reasons(rule, stored, folded_text, cues)
            if not reasons:
                continue
            severity = _raise_by_reach(floor, author_audience(mention), rule.reach_thresholds)
            sla = timedelta(minutes=rule.sla_minutes) if rule.sla_minutes else self._ack_sla
            for channel in _channels(rule, mention.brand, result.lang, severity):
                earlier = alerts.get(channel)
                if earlier is not None and SEVERITIES.index(earlier.severity) >= SEVERITIES.index(severity):
                    continue
                alerts[channel] = Alert(
                    key=f"mention:{stored.id}:{channel}",
                    channel=channel,
                    brand=mention.brand,
                    rule=rule.name,
                    severity=severity,  # type: ignore[arg-type]
                    title=_title(stored, reasons),
                    reasons=tuple(reasons),
                    mention_id=stored.id,
                    group=_group(stored, cues, reasons),
                    ack_within=sla,
                )
        return list(alerts.values())

    def _reasons(self, rule: RuleConfig, stored: StoredMention, text: str, cues: Sequence[str]) -> tuple[list[str], int]:
        """Why the mention meets ``rule`` (empty if it does not) and the lowest severity level it earns;
        ``text`` is the mention's text folded for keywords, ``cues`` the classifier's cues to show."""
        result = stored.classification
        assert result is not None
        reasons, level = [], -1
        if rule.complaint_threshold is not None and result.complaint_prob >= rule.complaint_threshold:
            reasons.append(f"complaint {result.complaint_prob:.0%} ≥ {rule.complaint_threshold:.0%}")
            level = 2 if result.complaint_prob >= 0.85 else 1
        if rule.negative_threshold is not None and result.negative_prob >= rule.negative_threshold:
            reasons.append(f"negative {result.negative_prob:.0%} ≥ {rule.negative_threshold:.0%}")
            level = max(level, 0)
        any_keyword = self._any_keyword[rule.name]
        keywords = self._keywords[rule.name] if any_keyword is not None and any_keyword.search(text) else []
        for word, category, folded, pattern in keywords:
            if folded in text and pattern.search(text):  # the substring test first: most words are not there
                reasons.append(f"keyword '{word}'" + ("" if category == CUSTOM else f" ({category})"))
                level = max(level, 2 if category in URGENT_CATEGORIES else 1)
        if reasons and cues:
            reasons.append("cues: " + ", ".join(cues))
        return reasons, level

    def _without_names(self, cues: Iterable[str]) -> tuple[str, ...]:
        """``cues`` but those that only name a configured brand ("lumora", "de Lumora", "vireo net")."""
        return tuple(cue for cue in cues if _name_key(cue) not in self._brand_names)


def _name_key(text: str) -> str:
    """``text`` as a brand name compares: folded, its function words, spaces, "@", "#" and "_" left out
    ("@Lumora_Ayuda" and "lumora ayuda" are both "lumoraayuda")."""
    return "".join(part for part in _NAME_PART.findall(fold(text)) if part not in FUNCTION_WORDS)


def _rule_keywords(rule: RuleConfig) -> list[tuple[str, str]]:
    """The rule's keywords and their categories: its own, then the built-in ones; a word of its own that
    is also built in is listed once, with its built-in category (a reason shown once, "(legal)")."""
    chosen = rule.default_keywords
    built_in = default_keywords(None if chosen is True else chosen or ())
    known = {fold(word) for word, _ in built_in}
    own = {fold(word): word for word in rule.keywords if fold(word) not in known}
    return [*((word, CUSTOM) for word in own.values()), *built_in]


def _raise_by_reach(level: int, reach: int | None, thresholds: Sequence[int]) -> str:
    raised = level + sum(1 for threshold in thresholds if reach is not None and reach >= threshold)
    return SEVERITIES[min(raised, len(SEVERITIES) - 1)]


def _channels(rule: RuleConfig, brand: str, lang: str, severity: str) -> list[str]:
    """The rule's own channels, then those of every route whose brand, language and severity match."""
    channels = list(rule.channels)
    for route in rule.routes:
        if (("*" in route.brands or brand in route.brands)
                and ("*" in route.languages or lang in route.languages)
                and SEVERITIES.index(severity) >= SEVERITIES.index(route.min_severity)):  # type: ignore[arg-type]
            channels.extend(route.channels)
    return list(dict.fromkeys(channels))


def _group(stored: StoredMention, cues: Sequence[str], reasons: Sequence[str]) -> str | None:
    """What the mention is about, for grouping: its conversation, else its strongest complaint cue shown
    that is not function words alone ("why is my bill so high?" is about "bill", not "why is"), else the
    keyword that raised the alert (ten "no puedo entrar" posts the classifier missed are one group)."""
    mention = stored.mention
    if mention.conversation_id:
        return f"{mention.brand}:thread:{mention.source}:{mention.conversation_id}"
    topic = next((cue for cue in cues if not only_function_words(cue)), None)
    if topic:
        return f"{mention.brand}:cue:{fold(topic)}"
    keyword = _keyword_reason(reasons)
    return f"{mention.brand}:keyword:{fold(keyword)}" if keyword else None


def _keyword_reason(reasons: Sequence[str]) -> str | None:
    """The first keyword among ``reasons`` as it is shown, e.g. "'procon' (legal)"."""
    return next((reason.removeprefix("keyword ") for reason in reasons if reason.startswith("keyword ")), None)


def _title(stored: StoredMention, reasons: Sequence[str]) -> str:
    """What the alert is about: a complaint, else the keyword that made it one ("post with 'procon'
    (legal)"), else a negative post; and who wrote it where."""
    mention = stored.mention
    who = f"@{mention.author_handle}" if mention.author_handle else "someone"
    keyword = _keyword_reason(reasons)
    if any(reason.startswith("complaint ") for reason in reasons):
        what = "complaint"
    else:
        what = f"post with {keyword}" if keyword else "negative post"
    return f"{mention.brand}: {what} from {who} on {mention.source}"
