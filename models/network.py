"""The embedded model's network: hashed n-gram embeddings, a shared hidden layer and task heads."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

# Sentiment heads, one per labelling convention: UMSAB (8 languages, balanced, general tweets)
# and Spanish airline tweets (customer messages, news counted as positive). The complaint head is
# trained on English complaints and on Spanish airline tweets (negative = complaint).
SENTIMENT_HEADS: tuple[str, ...] = ("umsab", "airline_es")


@dataclass(frozen=True)
class NetworkSpec:
    """Sizes of the network; stored with the weights."""

    buckets: int = 2**18
    dim: int = 64
    hidden: int = 128


class Int8EmbeddingBag(nn.Module):
    """A read-only embedding table stored as int8 with one scale per row, averaged like
    ``EmbeddingBag(mode="mean")``: a quarter of the memory of float32, rows dequantised on use."""

    def __init__(self, weight: torch.Tensor, scale: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("weight", weight)
        self.register_buffer("scale", scale)

    def rows(self, ids: torch.Tensor) -> torch.Tensor:
        """The float embeddings of ``ids``."""
        return self.weight[ids].float() * self.scale[ids].float()[:, None]

    def forward(self, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        return BagLayout(ids, offsets).mean(self.rows(ids))


class BagLayout:
    """Which post each feature of a flattened ``(ids, offsets)`` batch belongs to."""

    def __init__(self, ids: torch.Tensor, offsets: torch.Tensor) -> None:
        self.lengths = torch.diff(offsets, append=torch.tensor([len(ids)]))
        self.owner = torch.repeat_interleave(torch.arange(len(offsets)), self.lengths)

    def mean(self, rows: torch.Tensor) -> torch.Tensor:
        """Per post, the mean of its rows (zeros for a post without features)."""
        sums = torch.zeros(len(self.lengths), rows.shape[1]).index_add_(0, self.owner, rows)
        return sums / self.lengths.clamp(min=1)[:, None]


class MultitaskNet(nn.Module):
    """Means of word and character feature embeddings → hidden layer → one 3-way head per
    sentiment data set + a complaint head.

    ``forward`` returns ``(sentiment_logits, complaint_logit)`` where ``sentiment_logits`` has shape
    ``(batch, len(SENTIMENT_HEADS), 3)`` and ``complaint_logit`` shape ``(batch,)``.
    """

    def __init__(self, spec: NetworkSpec, sparse: bool = False, embedding: nn.Module | None = None) -> None:
        """A network to train (``sparse``: sparse embedding gradients), or around a given
        ``embedding`` such as a loaded :class:`Int8EmbeddingBag`."""
        super().__init__()
        self.spec = spec
        if embedding is None:
            embedding = nn.EmbeddingBag(spec.buckets, spec.dim, mode="mean", sparse=sparse)
            nn.init.normal_(embedding.weight, std=0.05)
        self.embedding = embedding
        self.hidden = nn.Sequential(nn.Linear(2 * spec.dim, spec.hidden), nn.ReLU())
        self.sentiment = nn.Linear(spec.hidden, 3 * len(SENTIMENT_HEADS))
        self.complaint = nn.Linear(spec.hidden, 1)

    def bags(self, words: tuple[torch.Tensor, torch.Tensor], chars: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        """The mean embedding of the word bag and of the character bag, side by side."""
        return torch.cat([self.embedding(*words), self.embedding(*chars)], dim=-1)

    def heads(self, bag: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Apply the layers after the embedding bags (used for cue attribution as well)."""
        shared = self.hidden(bag)
        sentiment = self.sentiment(shared).view(-1, len(SENTIMENT_HEADS), 3)
        return sentiment, self.complaint(shared).squeeze(-1)

    def forward(
        self, words: tuple[torch.Tensor, torch.Tensor], chars: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits for posts given as ``(ids, offsets)`` of their word and character bags."""
        return self.heads(self.bags(words, chars))
