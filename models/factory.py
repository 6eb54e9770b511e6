"""Builds the classifier that the configuration asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.base import Classifier
from models.language import shared_detector
from models.phrases import PhraseReader

if TYPE_CHECKING:
    from listener.config import ClassifierConfig


def load_classifier(config: ClassifierConfig) -> Classifier:
    """Return the classifier backend named by ``config.backend``, ready to classify.

    Backends are imported only when chosen, so the lexicon backend never pays for torch.

    Example::

        >>> from listener.config import ClassifierConfig
        >>> load_classifier(ClassifierConfig(backend="lexicon")).name
        'lexicon'

    Raises :class:`models.errors.ModelNotAvailable` when the chosen model's weights can't be found.
    """
    if config.backend == "lexicon":
        from models.lexicon import LexiconClassifier

        return LexiconClassifier(shared_detector(config.languages), phrases=PhraseReader.from_config(config))
    if config.backend == "embedded":
        from models.embedded_backend import EmbeddedClassifier

        phrases = PhraseReader.from_config(config)
        embedded = EmbeddedClassifier.load(config.model_path, batch_size=config.batch_size, phrases=phrases,
                                           detector=shared_detector(config.languages))
        if not config.complaint_model:
            return embedded
        from models.complaint_override import ComplaintOverride
        from models.transformers_backend import load_model

        if config.threads:
            import torch

            torch.set_num_threads(config.threads)
        return ComplaintOverride(embedded, load_model(config.complaint_model, config.quantize),
                                 batch_size=config.batch_size, max_length=config.max_length,
                                 platt=config.complaint_platt, band=config.complaint_band, phrases=phrases)
    if config.backend == "transformers":
        from models.transformers_backend import TransformersClassifier

        return TransformersClassifier.from_config(config)
    raise ValueError(f"unknown classifier backend {config.backend!r}: use embedded, transformers or lexicon")
