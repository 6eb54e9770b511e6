"""Hashed n-gram features of a post: what the embedded model reads.

Each post becomes bags of feature ids: its words, word bigrams, character n-grams of each word
(with ``<`` and ``>`` marking the word's edges, as fastText does) and one feature per lexicon cue
kind found (so a Portuguese complaint word lights up the same ``cue:complaint`` feature as an
English one). Ids are CRC-32 hashes modulo the table size, stable across processes and machines.
Every feature remembers which words it came from, so the model's verdict can be traced back to
words ("why flagged").
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from models.lexicons import CueLexicon
from models.text import normalize, tokenize


@dataclass(frozen=True)
class FeatureSpec:
    """How posts are hashed; stored with the weights so a model is always read as it was trained."""

    buckets: int = 2**18
    min_char: int = 2
    max_char: int = 5


@dataclass(frozen=True)
class FeatureBag:
    """Feature ids and, for each id, the words it came from."""

    ids: list[int]
    sources: list[str]


@dataclass(frozen=True)
class PostFeatures:
    """The features of one post in two bags, averaged separately by the model so that a few
    telling words are not drowned by the many character n-grams: ``words`` (words, bigrams,
    lexicon cue kinds) and the character n-grams of ``char_words`` (its alphabetic words, see
    :meth:`Featurizer.char_ids`). ``cues`` are the lexicon hits."""

    words: FeatureBag
    char_words: list[str]
    cues: list[tuple[str, str]]


def _hash(feature: str, buckets: int) -> int:
    return zlib.crc32(feature.encode("utf-8", "surrogatepass")) % buckets


class Featurizer:
    """Turns posts into :class:`PostFeatures`.

    Example::

        >>> f = Featurizer(FeatureSpec(buckets=1000))
        >>> post = f.features("Nadie responde")
        >>> post.words.sources, ("complaint", "nadie responde") in post.cues
        (['nadie', 'responde', 'nadie responde', 'nadie responde'], True)
    """

    # Bounds the memoised n-gram ids (~1 kB a word) in a long-running daemon; words are Zipfian,
    # so the first ones seen are mostly the frequent ones.
    CACHED_WORDS = 50_000

    def __init__(self, spec: FeatureSpec, lexicon: CueLexicon | None = None) -> None:
        self.spec = spec
        self._lexicon = lexicon or CueLexicon()
        self._cache: dict[str, list[int]] = {}

    def char_ids(self, word: str) -> list[int]:
        """Ids of a word's character n-grams, memoised: words repeat a lot."""
        ids = self._cache.get(word)
        if ids is None:
            spec, marked = self.spec, f"<{word}>"
            ids = [
                _hash(marked[i : i + n], spec.buckets)
                for n in range(spec.min_char, spec.max_char + 1)
                for i in range(len(marked) - n + 1)
            ]
            if len(self._cache) < self.CACHED_WORDS:
                self._cache[word] = ids
        return ids

    def features(self, text: str) -> PostFeatures:
        """Return the features of one raw post."""
        tokens = tokenize(normalize(text))
        buckets = self.spec.buckets
        words = FeatureBag(ids=[_hash("w:" + t, buckets) for t in tokens], sources=list(tokens))
        for first, second in zip(tokens, tokens[1:]):
            words.ids.append(_hash(f"b:{first} {second}", buckets))
            words.sources.append(f"{first} {second}")
        cues = [(cue.kind, cue.text) for cue in self._lexicon.find(tokens)]
        for kind, cue_text in cues:
            words.ids.append(_hash("cue:" + kind, buckets))
            words.sources.append(cue_text)
        if not words.ids:
            words.ids.append(_hash("empty", buckets))
            words.sources.append("")
        return PostFeatures(words=words, char_words=[t for t in tokens if t.isalpha()], cues=cues)

    def char_bag(self, post: PostFeatures) -> list[int]:
        """The character n-gram ids of a post, word after word."""
        return [i for word in post.char_words for i in self.char_ids(word)]


def to_bag(id_lists: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Flatten per-post id lists into the ``(ids, offsets)`` pair an ``EmbeddingBag`` reads."""
    lengths = np.array([len(ids) for ids in id_lists], dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.array([i for ids in id_lists for i in ids], dtype=np.int64), offsets
