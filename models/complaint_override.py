"""A complaint transformer beside the embedded model: ``complaint_model`` with ``backend = "embedded"``.

The embedded model still detects the language, reads the sentiment and scores every post; for
posts in the transformer's languages (its config's ``complaint_languages``, e.g. ``["en"]`` for a
model made by ``python -m models.finetune``; every language when it names none) the complaint
probability is the transformer's, Platt-scaled with ``complaint_platt``: for all of them, or, with a
``complaint_band`` narrower than [0, 1], for those whose embedded complaint probability is within
it (the posts the embedded model is unsure of; the rest keep its verdict). Where the transformer
puts a post on the other side of 0.5 from the embedded model, the embedded model's cues explain the
wrong verdict, so the lexicon's complaint and negative cues are shown instead. A post that says the
service fails stays at least 0.8 likely a complaint, and one that says it has given no problem at most
0.4 (``models.phrases``), whatever either reads.

Costs: the transformer runs on those posts only; a MiniLM-sized one classifies 100-300 posts
per second on two cores, against the embedded model's thousands (``bench/classify.py``). With a band
of [0.25, 0.75] it reads about a quarter of the English posts and keeps its accuracy on the English
dev sets (``models/MODEL_CARD.md``, 'Other backends').
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import torch

from listener.domain import Classification
from models.base import Classifier
from models.errors import ModelNotAvailable
from models.lexicons import CueLexicon
from models.phrases import PhraseReader, phrases_first
from models.text import normalize, read_part, tokenize
from models.transformers_backend import LoadedModel, check_max_length, complaint_column, complaint_log_odds


class ComplaintOverride:
    """The embedded classifier whose complaint probability comes from a transformer where it applies.

    Example::

        >>> config = ClassifierConfig(complaint_model="./complaint-model", complaint_platt=(1.1, -0.2))
        >>> load_classifier(config).classify(["@acme my order never came"])[0].complaint_prob  # doctest: +SKIP
        0.97
    """

    def __init__(self, base: Classifier, complaint: LoadedModel, *, batch_size: int = 64, max_length: int = 128,
                 platt: tuple[float, float] = (1.0, 0.0), band: tuple[float, float] = (0.0, 1.0),
                 phrases: PhraseReader | None = None) -> None:
        if complaint_column(complaint.model) is None:
            raise ModelNotAvailable(
                f"{complaint.name!r} has no 'complaint' label (id2label: {complaint.model.config.id2label}); "
                f"beside the embedded model, complaint_model must be a complaint classifier "
                f"such as one made by `python -m models.finetune`")
        check_max_length(complaint, max_length)
        self._base = base
        self._complaint = complaint
        # Empty: every language.
        self.languages = frozenset(getattr(complaint.model.config, "complaint_languages", None) or [])
        self._batch_size = batch_size
        self._max_length = max_length
        self._platt = platt
        self._band = band
        self._lexicon = CueLexicon()
        self._phrases = phrases or PhraseReader()
        self.name = f"{base.name}+{complaint.name}"

    def applies_to(self, lang: str) -> bool:
        """Whether the transformer scores posts in ``lang``."""
        return not self.languages or lang in self.languages

    def scored(self, texts: Sequence[str], lang_hints: Sequence[str | None] | None = None) -> list[int]:
        """The indices of the texts in the transformer's languages (as the embedded model reads them),
        whatever the band: the posts ``listener calibrate`` fits ``complaint_platt`` on."""
        return self._chosen(self._base.classify(texts, lang_hints))

    def _chosen(self, results: Sequence[Classification]) -> list[int]:
        return [index for index, result in enumerate(results) if self.applies_to(result.lang)]

    def log_odds(self, texts: Sequence[str]) -> torch.Tensor:
        """The transformer's complaint log-odds of each text before Platt scaling (what ``listener
        calibrate`` fits ``complaint_platt`` to)."""
        # Read in batches of posts of about the same length, so that little of each batch is padding.
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        odds = torch.empty(len(texts))
        odds[order] = complaint_log_odds(self._complaint, [texts[index] for index in order], self._max_length,
                                         self._batch_size)
        return odds

    def complaint_probabilities(self, texts: Sequence[str]) -> list[float]:
        """The transformer's calibrated complaint probability of each text."""
        a, b = self._platt
        return torch.sigmoid(a * self.log_odds(texts) + b).tolist()

    def classify(self, texts: Sequence[str], lang_hints: Sequence[str | None] | None = None) -> list[Classification]:
        """The embedded model's classifications, with the transformer's complaint probability where it
        applies: posts in its languages whose embedded complaint probability is within the band (of each, its
        first :data:`models.text.MAX_READ_CHARS`)."""
        texts = [read_part(text) for text in texts]
        results = self._base.classify(texts, lang_hints)
        low, high = self._band
        chosen = [index for index in self._chosen(results) if low <= results[index].complaint_prob <= high]
        for index, read in zip(chosen, self.complaint_probabilities([texts[i] for i in chosen]), strict=True):
            result = results[index]
            reading = self._phrases.read(texts[index])
            probability = reading.complaint_prob(read)
            cues = result.cues
            if (probability >= 0.5) != (result.complaint_prob >= 0.5):
                cues = phrases_first(reading.phrases, self._lexicon.complaint_cues(tokenize(normalize(texts[index]))))
            results[index] = replace(result, complaint_prob=probability, cues=cues, model=self.name)
        return results
