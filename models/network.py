"""The embedded model's network as trained in torch: hashed n-gram embeddings, a shared hidden
layer and task heads. Inference runs the same computation in numpy (:mod:`models.inference`)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import torch
from torch import nn

from models.weights import SENTIMENT_HEADS, NetworkSpec


class MultitaskNet(nn.Module):
    """Means of word and character feature embeddings → hidden layer → one 3-way head per
    sentiment data set + a complaint head.

    ``forward`` returns ``(sentiment_logits, complaint_logit)`` where ``sentiment_logits`` has shape
    ``(batch, len(SENTIMENT_HEADS), 3)`` and ``complaint_logit`` shape ``(batch,)``.
    """

    def __init__(self, spec: NetworkSpec, sparse: bool = False) -> None:
        """A network to train; ``sparse`` gives the embedding table sparse gradients."""
        super().__init__()
        self.spec = spec
        self.embedding = nn.EmbeddingBag(spec.buckets, spec.dim, mode="mean", sparse=sparse)
        nn.init.normal_(self.embedding.weight, std=0.05)
        self.hidden = nn.Sequential(nn.Linear(2 * spec.dim, spec.hidden), nn.ReLU())
        self.sentiment = nn.Linear(spec.hidden, 3 * len(SENTIMENT_HEADS))
        self.complaint = nn.Linear(spec.hidden, 1)

    def bags(self, words: tuple[torch.Tensor, torch.Tensor], chars: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        """The mean embedding of the word bag and of the character bag, side by side."""
        return torch.cat([self.embedding(*words), self.embedding(*chars)], dim=-1)

    def heads(self, bag: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Apply the layers after the embedding bags."""
        shared = self.hidden(bag)
        sentiment = self.sentiment(shared).view(-1, len(SENTIMENT_HEADS), 3)
        return sentiment, self.complaint(shared).squeeze(-1)

    def forward(
        self, words: tuple[torch.Tensor, torch.Tensor], chars: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits for posts given as ``(ids, offsets)`` of their word and character bags."""
        return self.heads(self.bags(words, chars))


def linear_features(posts: Sequence[tuple[Sequence[int], Sequence[int]]], buckets: int) -> torch.Tensor:
    """The input of the linear sentiment model: a sparse ``(posts, buckets)`` matrix holding, for
    each post's word bag and its character bag, the count of each id divided by the square root
    of the bag's size (a sum of rows, so the numpy side can cache each word's character part)."""
    rows, cols, values = [], [], []
    for row, bags in enumerate(posts):
        for ids in bags:
            for index, count in Counter(ids).items():
                rows.append(row)
                cols.append(index)
                values.append(count / math.sqrt(len(ids)))
    return torch.sparse_coo_tensor(
        torch.tensor([rows, cols], dtype=torch.long).reshape(2, -1),
        torch.tensor(values, dtype=torch.float32),
        (len(posts), buckets),
        check_invariants=True,
    ).coalesce()
