"""Complaint topics: a brand's multilingual keyword taxonomy, matched against a post's text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import regex

from listener.folding import fold


def _pattern(keywords: Sequence[str]) -> regex.Pattern[str]:
    """Whole words or phrases: ``regex``'s \\w counts combining marks (Indic vowel signs) as part of a word."""
    parts = []
    for keyword in keywords:
        word = fold(keyword.strip())
        if word.endswith("*"):
            parts.append(regex.escape(word[:-1]) + r"\w*")
        elif word:
            parts.append(regex.escape(word))
    return regex.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)") if parts else regex.compile(r"(?!)")


class TopicTaxonomy:
    """Names the complaint topics a text is about.

    A keyword matches a whole word or phrase, ignoring case and accents; a keyword ending in ``*``
    matches every word that starts with it.

    Example::

        >>> TopicTaxonomy({"billing": ["factura*"], "outage": ["no funciona"]}).topics_of("¡FACTURACIÓN mal!")
        ['billing']
    """

    def __init__(self, topics: Mapping[str, Sequence[str]]) -> None:
        self.names = list(topics)
        self._patterns = {name: _pattern(words) for name, words in topics.items()}

    def topics_of(self, text: str) -> list[str]:
        """The topics whose keywords occur in ``text``, in taxonomy order."""
        folded = fold(text)
        return [name for name, pattern in self._patterns.items() if pattern.search(folded)]
