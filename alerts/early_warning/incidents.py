"""Incidents: complaints about one brand that say the same thing within a window, across languages.

Grouping is online and single-pass, in the order complaints were posted: a complaint joins the open
incident whose terms (see :mod:`alerts.early_warning.terms`) are most like its own, by cosine
similarity against the incident's summed terms, when that similarity reaches the threshold; a reply
joins the incident of the post it answers ("+1, same here" has no words of its own to match); else
the complaint opens a new incident. An incident is open while its last complaint is within the window.

An incident shows the members most like it as a whole (its samples, the first of which its alerts
point at), not its first members: the first post of an outage may be a joke that shares one word.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from alerts.early_warning.terms import CONCEPTS, TermExtractor, Terms
from listener.folding import fold
from listener.domain import StoredMention

CONCEPT_WEIGHT = 2.0  # a shared concept ("login") says more than a shared stem
TITLE_TERMS = 3
SAMPLES = 3
NEAR_DUPLICATE = 0.9  # a sample this like one already shown says nothing new; the next one is shown instead


@dataclass(frozen=True)
class Sample:
    """A member an incident can show: its mention id, text and terms."""

    id: int
    text: str
    terms: Counter[str]


@dataclass
class Incident:
    """One incident as the grouping sees it: its size, terms and when and where it was seen.

    ``id`` is the store's row id (``None`` until saved); ``alerted_step`` is the last growth step that
    alerted (0: never). A run holds only some of its members: ``known_ids`` are those it knows (posted
    within the look-back it was restored with, and those added), ``added_ids`` those it added (what is
    saved), ``post_keys`` the posts replies can join it by (the known members' and those that new
    complaints reply to); ``candidates`` the members it can show as :attr:`samples` (the samples it was
    restored with, and those added).
    """

    brand: str
    first_seen: datetime
    last_seen: datetime
    id: int | None = None
    alerted_step: int = 0
    size: int = 0
    known_ids: list[int] = field(default_factory=list)
    added_ids: list[int] = field(default_factory=list)
    post_keys: set[str] = field(default_factory=set)
    sources: Counter[str] = field(default_factory=Counter)
    terms: Counter[str] = field(default_factory=Counter)
    surfaces: dict[str, Counter[str]] = field(default_factory=dict)
    candidates: list[Sample] = field(default_factory=list)
    # The squared norm of the weighted terms, kept as terms are counted: a complaint is compared with
    # every open incident, and summing a large incident's terms again each time made a burst quadratic.
    _norm_squared: float = field(default=0.0, repr=False)

    @property
    def title(self) -> str:
        """Its top terms as people wrote them, e.g. ``'app / no puedo / login'``."""
        top = [term for term, _ in _weighted(self.terms).most_common(TITLE_TERMS)]
        return " / ".join(_as_most_written(self.surfaces[term]) for term in top) or "(no words)"

    @property
    def samples(self) -> list[Sample]:
        """Up to :data:`SAMPLES` members that say what the incident says, most alike first (by
        :func:`similarity` to its summed terms), skipping near-duplicates of one already chosen while
        others are left."""
        weighted = _weighted(self.terms)
        ranked = sorted(self.candidates, key=lambda sample: (-_cosine(weighted, _weighted(sample.terms)), sample.id))
        chosen: list[Sample] = []
        for sample in ranked:
            if len(chosen) < SAMPLES and all(similarity(sample.terms, shown.terms) < NEAR_DUPLICATE for shown in chosen):
                chosen.append(sample)
        return chosen + [sample for sample in ranked if sample not in chosen][:SAMPLES - len(chosen)]

    def restore(self, size: int, known_ids: Iterable[int], posts: Iterable[tuple[str, str]],
                sources: Mapping[str, int], terms: Mapping[str, int], surfaces: Mapping[str, Mapping[str, int]],
                samples: Sequence[Sample]) -> None:
        """Fill a stored incident in from what was saved: its size and samples, the ids of the members a run
        needs and the posts ``(source, external id)`` it can be replied to by, and the counts :meth:`add`
        summed, without reading every member's text again."""
        self.size = size
        self.known_ids.extend(known_ids)
        self.post_keys.update(_post_key(source, external_id) for source, external_id in posts)
        self.sources.update(sources)
        self._count(terms)
        for term, words in surfaces.items():
            self.surfaces.setdefault(term, Counter()).update(words)
        self.candidates.extend(samples)

    def add(self, stored: StoredMention, terms: Terms) -> None:
        """Make ``stored`` a member."""
        mention = stored.mention
        self.size += 1
        self.known_ids.append(stored.id)
        self.added_ids.append(stored.id)
        self.post_keys.add(_post_key(mention.source, mention.external_id))
        self.sources[mention.source] += 1
        self._count(terms.counts)
        for term, surface in terms.surfaces.items():
            self.surfaces.setdefault(term, Counter())[surface] += 1
        self.first_seen = min(self.first_seen, mention.created_at)
        self.last_seen = max(self.last_seen, mention.created_at)
        self.candidates.append(Sample(stored.id, mention.text, terms.counts))


    def similarity_to(self, counts: Mapping[str, int]) -> float:
        """:func:`similarity` of its terms and ``counts``, in the time of ``counts``' few terms."""
        dot = sum(count * self.terms.get(term, 0) * _weight(term) ** 2 for term, count in counts.items())
        # the norms multiplied as _cosine does, so that a similarity exactly at the threshold reads the same
        norm = math.sqrt(sum((count * _weight(term)) ** 2 for term, count in counts.items())) * math.sqrt(self._norm_squared)
        return dot / norm if norm else 0.0

    def _count(self, counts: Mapping[str, int]) -> None:
        for term, count in counts.items():
            before = self.terms[term]
            self.terms[term] = before + count
            self._norm_squared += _weight(term) ** 2 * ((before + count) ** 2 - before**2)


class IncidentGrouper:
    """Puts complaints into incidents.

    Example::

        >>> grouper = IncidentGrouper(["Lumora"], window=timedelta(hours=2), threshold=0.35)
        >>> incident = grouper.assign(open_incidents, stored_complaint)
        >>> incident.title, incident.size
        ('app / login / carga', 12)
    """

    def __init__(self, brand_names: Iterable[str], *, window: timedelta, threshold: float) -> None:
        self._extractor = TermExtractor(brand_names)
        self._window = window
        self._threshold = threshold

    def terms(self, text: str) -> Terms:
        """The terms of ``text`` (what an incident is matched on)."""
        return self._extractor.terms(text)

    def assign(self, incidents: list[Incident], stored: StoredMention) -> Incident:
        """Add ``stored`` to the best open incident of its brand in ``incidents``, or to a new one appended."""
        mention = stored.mention
        terms = self.terms(mention.text)
        open_ones = [incident for incident in incidents if incident.brand == mention.brand
                     and mention.created_at - incident.last_seen <= self._window]
        chosen = self._replied_to(open_ones, stored) or self._most_similar(open_ones, terms)
        if chosen is None:
            chosen = Incident(mention.brand, mention.created_at, mention.created_at)
            incidents.append(chosen)
        chosen.add(stored, terms)
        return chosen

    def _replied_to(self, incidents: Sequence[Incident], stored: StoredMention) -> Incident | None:
        parents = {_post_key(source, ref) for source, ref in replied_posts(stored)}
        return next((incident for incident in incidents if incident.post_keys & parents), None)

    def _most_similar(self, incidents: Sequence[Incident], terms: Terms) -> Incident | None:
        scored = [(incident.similarity_to(terms.counts), incident) for incident in incidents]
        best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
        return best[1] if best[0] >= self._threshold else None


def replied_posts(stored: StoredMention) -> list[tuple[str, str]]:
    """The posts ``(source, external id)`` that ``stored`` answers: the ones that can put it in an incident."""
    mention = stored.mention
    return [(mention.source, ref) for ref in (mention.parent_id, mention.conversation_id) if ref]


def similarity(left: Counter[str], right: Counter[str]) -> float:
    """Cosine similarity of two term counts, concepts weighted up; 0 when either is empty."""
    return _cosine(_weighted(left), _weighted(right))


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(value * b[term] for term, value in a.items() if term in b)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _as_most_written(surfaces: Counter[str]) -> str:
    """The commonest form of a term, counting forms that differ only by accents together ('sesión' and
    'sesion'), shown as it is most often written."""
    totals: Counter[str] = Counter()
    for surface, count in surfaces.items():
        totals[fold(surface)] += count
    commonest = totals.most_common(1)[0][0]
    return max((surface for surface in surfaces if fold(surface) == commonest), key=surfaces.__getitem__)


def _weight(term: str) -> float:
    return CONCEPT_WEIGHT if term in CONCEPTS else 1.0


def _weighted(counts: Counter[str]) -> Counter[str]:
    return Counter({term: count * _weight(term) for term, count in counts.items()})


def _post_key(source: str, external_id: str) -> str:
    return f"{source}:{external_id}"
