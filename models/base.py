"""The interface every classifier backend implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from listener.domain import Classification


class Classifier(Protocol):
    """Classifies a batch of texts.

    ``lang_hints`` holds, per text, the language the source reported (or ``None``); a backend may use
    it when its own detection is unsure. The result has one :class:`Classification` per text, in order.

    Example::

        >>> [c] = classifier.classify(["¿Hay alguien ahí? Llevo 3 días sin internet"])
        >>> c.lang, c.sentiment, round(c.complaint_prob, 2), c.cues
        ('es', 'negative', 0.93, ('sin internet', '¿hay alguien ahí?'))
    """

    name: str

    def classify(
        self, texts: Sequence[str], lang_hints: Sequence[str | None] | None = None
    ) -> list[Classification]:
        """Return one classification per text, in the order given."""
        ...
