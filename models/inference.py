"""The embedded network's forward pass in numpy, with the share of each feature in the verdict.

Inference needs neither torch nor its 200 MB: the network is an average of embedding rows, one
ReLU layer and linear heads (see :class:`models.network.MultitaskNet`, which trains it; a test
checks that both compute the same logits from the same weights). Beside it may ship a linear
model on the same hashed features (``linear.weight``; its input is :func:`models.network.linear_features`):
three columns per sentiment head, whose probabilities the classifier averages with the network's,
a complaint column, whose logit is averaged here with the network's complaint logit, and the
customer gate (see :mod:`models.weights`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain

import numpy as np

from models.features import to_bag
from models.weights import LINEAR_COMPLAINT_COLUMN, LINEAR_GATE_COLUMN, LINEAR_SENTIMENT_COLUMNS, SENTIMENT_HEADS


@dataclass(frozen=True)
class NetworkOutput:
    """Raw outputs for a batch of posts.

    ``complaint_logit`` is the network's, averaged with the linear model's when one ships with
    a complaint column. ``word_shares`` hold, per post, each word-bag feature's first-order
    contribution to that logit (embedding row · gradient of the logit with respect to the bag
    mean / bag size, and the linear weight / its scale); ``char_shares`` the same summed over each
    word's character n-grams.
    """

    sentiment_logits: np.ndarray  # (posts, heads, 3)
    complaint_logit: np.ndarray  # (posts,)
    word_shares: list[np.ndarray]
    char_shares: list[np.ndarray]
    linear_logits: np.ndarray | None = None  # (posts, heads, 3), when a linear model ships
    customer_logit: np.ndarray | None = None  # (posts,), the customer gate, when a linear model ships


def _bag_means(rows: np.ndarray, offsets: np.ndarray, lengths: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per post, the sum of its ``lengths`` rows from ``offsets`` divided by its feature ``counts``
    (zeros for a post without features)."""
    means = np.zeros((len(offsets), rows.shape[1]), dtype=np.float32)
    filled = lengths > 0
    if filled.any():
        means[filled] = np.add.reduceat(rows, offsets[filled], axis=0) / counts[filled, None]
    return means


class EmbeddedNetwork:
    """The trained network, from the arrays :func:`models.weights.read_weights` returns.

    ``char_ids`` gives a word's character n-gram ids (:meth:`models.features.Featurizer.char_ids`).
    The sum of a word's n-gram rows is kept per word, so a known word costs one lookup.
    """

    _CACHED_WORDS = 50_000

    def __init__(self, arrays: dict[str, np.ndarray], char_ids: Callable[[str], list[int]]) -> None:
        self._table = arrays["embedding.int8"]
        self._scale = arrays["embedding.scale"].astype(np.float32)
        self._w1 = arrays["hidden.0.weight"].astype(np.float32)
        self._b1 = arrays["hidden.0.bias"].astype(np.float32)
        self._ws = arrays["sentiment.weight"].astype(np.float32)
        self._bs = arrays["sentiment.bias"].astype(np.float32)
        self._wc = arrays["complaint.weight"].astype(np.float32)[0]
        self._bc = float(arrays["complaint.bias"][0])
        self._char_ids = char_ids
        # fp16 in memory too; a post reads a few hundred rows.
        self._linear = arrays.get("linear.weight")
        self._linear_bias = arrays["linear.bias"].astype(np.float32) if self._linear is not None else None
        self._word_sums: dict[str, tuple[np.ndarray, np.ndarray | None, int]] = {}

    def _rows(self, ids: np.ndarray) -> np.ndarray:
        return self._table[ids].astype(np.float32) * self._scale[ids, None]

    def _word_sums_of(self, words: Sequence[str]) -> dict[str, tuple[np.ndarray, np.ndarray | None, int]]:
        """For each of ``words``: the sum of its character n-gram rows (embedding and linear), and how
        many there are. Words not cached yet are summed together, in one gather for all of them."""
        found = {word: self._word_sums[word] for word in words if word in self._word_sums}
        missing = [word for word in dict.fromkeys(words) if word not in found]
        if missing:
            id_lists = [self._char_ids(word) for word in missing]
            lengths = [len(ids) for ids in id_lists]
            ids = np.fromiter(chain.from_iterable(id_lists), dtype=np.int64, count=sum(lengths))
            ends = list(accumulate(lengths))
            rows = self._rows(ids)
            linear = None if self._linear is None else self._linear[ids].astype(np.float32)
            for word, start, end in zip(missing, [0, *ends[:-1]], ends):
                found[word] = (rows[start:end].sum(axis=0), None if linear is None else linear[start:end].sum(axis=0),
                               end - start)
                if len(self._word_sums) < self._CACHED_WORDS:
                    self._word_sums[word] = found[word]
        return found

    def run(
        self,
        word_ids: Sequence[Sequence[int]],
        char_words: Sequence[Sequence[str]],
        complaint_mix: Sequence[float] | None = None,
    ) -> NetworkOutput:
        """Forward pass for posts given as their word-bag ids and their words for character n-grams;
        ``complaint_mix`` is, per post, the linear complaint logit's weight (default 0)."""
        ids, offsets = to_bag(word_ids)
        word_lengths = np.diff(offsets, append=len(ids))
        word_rows = self._rows(ids)
        # Character bag: mean over all n-grams of the post = sum of its words' sums / n-gram count.
        all_words = [word for words in char_words for word in words]
        word_sums = self._word_sums_of(all_words)
        sums = [word_sums[word] for word in all_words]
        char_rows = np.array([v for v, _, _ in sums], dtype=np.float32).reshape(-1, word_rows.shape[1])
        words_per_post = np.array([len(words) for words in char_words], dtype=np.int64)
        post_of_word = np.repeat(np.arange(len(char_words)), words_per_post)
        char_counts = np.bincount(post_of_word, weights=[n for _, _, n in sums], minlength=len(char_words))
        bag = np.concatenate(
            [
                _bag_means(word_rows, offsets, word_lengths, word_lengths),
                _bag_means(char_rows, np.cumsum(words_per_post) - words_per_post, words_per_post, char_counts),
            ],
            axis=1,
        )
        # einsum, not @: these products are tiny, and OpenBLAS's threads spinning on a busy machine
        # made each one 10x slower than einsum's single-threaded loop.
        pre = np.einsum("ij,kj->ik", bag, self._w1) + self._b1
        hidden = np.maximum(pre, 0.0)
        sentiment = (np.einsum("ij,kj->ik", hidden, self._ws) + self._bs).reshape(len(bag), len(SENTIMENT_HEADS), 3)
        complaint = np.einsum("ij,j->i", hidden, self._wc) + self._bc
        gradient = np.einsum("ij,jk->ik", (pre > 0) * self._wc, self._w1)  # d complaint / d bag
        word_part, char_part = np.split(gradient, 2, axis=1)
        word_owner = np.repeat(np.arange(len(word_lengths)), word_lengths)
        word_shares = np.einsum("ij,ij->i", word_rows, word_part[word_owner]) / word_lengths[word_owner]
        char_shares = np.einsum("ij,ij->i", char_rows, char_part[post_of_word]) / np.maximum(char_counts[post_of_word], 1)
        linear = customer = None
        if self._linear is not None:
            width = self._linear.shape[1]
            word_rows_linear = self._linear[ids].astype(np.float32) / np.sqrt(np.maximum(word_lengths, 1))[word_owner, None]
            char_rows_linear = np.array([v for _, v, _ in sums], dtype=np.float32).reshape(-1, width)
            char_rows_linear /= np.sqrt(np.maximum(char_counts, 1))[post_of_word, None]
            logits = np.zeros((len(bag), width), dtype=np.float32) + self._linear_bias
            np.add.at(logits, word_owner, word_rows_linear)
            np.add.at(logits, post_of_word, char_rows_linear)
            linear = logits[:, :LINEAR_SENTIMENT_COLUMNS].reshape(len(bag), -1, 3)
            customer = logits[:, LINEAR_GATE_COLUMN]
            if complaint_mix is not None and any(complaint_mix):
                mix, column = np.asarray(complaint_mix, dtype=np.float32), LINEAR_COMPLAINT_COLUMN
                complaint = (1 - mix) * complaint + mix * logits[:, column]
                word_shares = (1 - mix[word_owner]) * word_shares + mix[word_owner] * word_rows_linear[:, column]
                char_shares = (1 - mix[post_of_word]) * char_shares + mix[post_of_word] * char_rows_linear[:, column]
        return NetworkOutput(
            sentiment,
            complaint,
            np.split(word_shares, np.cumsum(word_lengths)[:-1]),
            np.split(char_shares, np.cumsum(words_per_post)[:-1]),
            linear,
            customer,
        )
