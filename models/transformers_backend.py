"""The ``transformers`` backend: any Hugging Face sequence-classification model, local or from the hub.

* ``sentiment_model``: a sentiment classifier (e.g. ``cardiffnlp/twitter-xlm-roberta-base-sentiment``);
  its labels are read from the model's ``id2label`` (names containing neg/neu/pos).
* ``complaint_model`` (optional): either a classifier with a label whose name contains "complaint",
  or a natural-language-inference model (a label named "entailment") used zero-shot: each post is
  paired with every hypothesis in ``complaint_labels`` and the complaint probability is the
  share of entailment that goes to the first one. Without a complaint model, the probability of
  the negative sentiment stands in for it.

Calibration from the config (fitted by ``listener calibrate``): the sentiment logits are divided by
``sentiment_temperature`` before the softmax, and the complaint log-odds ``x`` become ``a * x + b``
with ``(a, b) = complaint_platt``. The log-odds are taken from the logits, never from a probability
that may have rounded to 0 or 1.

Cues come from the cue lexicons: the transformer itself says nothing about which words mattered.
A post that says the service fails its writer ("no puedo entrar") is at least 0.8 likely a complaint,
one that says it has given no problem ("cero problemas") at most 0.4 (``models.phrases``), whatever the
models read, with that phrase as its first cue, as with the embedded model.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from listener.domain import Classification, most_likely_sentiment
from models.errors import ModelNotAvailable
from models.language import LanguageDetector, shared_detector
from models.lexicons import CueLexicon
from models.phrases import PhraseReader, phrases_first
from models.text import normalize, read_part, tokenize

if TYPE_CHECKING:
    from listener.config import ClassifierConfig

# sigmoid is 0 or 1 in float32 long before this; a bound keeps a * x + b finite for any a.
MAX_LOG_ODDS = 1e4


@dataclass(frozen=True)
class LoadedModel:
    """A tokenizer and model pair, ready for inference."""

    name: str
    tokenizer: PreTrainedTokenizerBase
    model: PreTrainedModel


def load_model(name: str, quantize: bool = False) -> LoadedModel:
    """Load a sequence-classification model and its tokenizer from a local directory or hub id.

    Raises :class:`ModelNotAvailable` naming the model and how to fetch it when it can't be loaded
    (no network and no local copy, or a directory that holds no model).
    """
    source = name
    if name.startswith((".", "/", "~")):
        source = str(Path(name).expanduser())
        if not Path(source).is_dir():
            raise ModelNotAvailable(
                f"there is no model folder at {name!r}: check the path (`make complaint-model` makes an English "
                f"complaint model in ./complaint-model; README, 'The classifier')"
            )
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForSequenceClassification.from_pretrained(source)
    except (OSError, ValueError) as error:
        raise ModelNotAvailable(
            f"can't load the transformers model {name!r} ({error.__class__.__name__}: {str(error).splitlines()[0]}). "
            f"On a machine with internet run `huggingface-cli download {name} --local-dir ./{name.split('/')[-1]}`, "
            f"copy that directory here and set the classifier's model to its path."
        ) from error
    model.eval()
    if quantize:
        with warnings.catch_warnings():
            # torch.ao dynamic quantisation is deprecated in favour of torchao but still works.
            warnings.simplefilter("ignore")
            from torch.ao.quantization import quantize_dynamic

            # Its int8 kernels take float32 only: a model saved in half precision loads as one.
            model = quantize_dynamic(model.float(), {torch.nn.Linear}, dtype=torch.qint8)
    return LoadedModel(name=name, tokenizer=tokenizer, model=model)


def check_max_length(loaded: LoadedModel, max_length: int, pairs: bool = False) -> None:
    """Raise :class:`ModelNotAvailable` naming ``classifier.max_length`` when ``loaded`` can't read a text of
    ``max_length`` tokens (its position embeddings end before), or when that leaves no room for a word beside
    the special tokens its tokenizer adds to a text (or a text and a hypothesis, with ``pairs``): it can't
    cut a post that short, and reads it whole. Else the first post that long would fail its whole batch, at
    every cycle. A text of ``max_length`` tokens is read once, as the model would read such a post."""
    least = loaded.tokenizer.num_special_tokens_to_add(pair=pairs) + (2 if pairs else 1)
    if max_length < least:
        raise ModelNotAvailable(
            f"classifier.max_length = {max_length} leaves no room for a post's words beside the special tokens "
            f"{loaded.name!r} adds" + (" to a post and a hypothesis" if pairs else "") +
            f": set it to at least {least}; the default is 128"
        )
    limit = getattr(loaded.model.config, "max_position_embeddings", None)
    if limit is None:  # relative positions: any length
        return
    if max_length <= limit and _reading_error(loaded, max_length) is None:
        return
    error = _reading_error(loaded, 2)
    if error is not None:
        raise ModelNotAvailable(
            f"{loaded.name!r} fails on any text ({error.__class__.__name__}: {str(error).splitlines()[0]}): "
            f"check that it is a sequence-classification model this version of transformers can run"
        )
    raise ModelNotAvailable(
        f"classifier.max_length = {max_length} is more tokens than {loaded.name!r} can read (its "
        f"max_position_embeddings is {limit}): set max_length to at most "
        f"{_longest_read(loaded, min(max_length, limit + 1))}"
    )


def _longest_read(loaded: LoadedModel, unread: int) -> int:
    """The most tokens, under ``unread`` (which it fails on), that the model reads: its positions may start past
    0 (RoBERTa's at 2, so 514 of them read 512 tokens). Counted down, as a text too long fails at once; it reads
    2, as :func:`check_max_length` made sure."""
    return next(tokens for tokens in range(unread - 1, 2, -1) if _reading_error(loaded, tokens) is None)


def _reading_error(loaded: LoadedModel, tokens: int) -> Exception | None:
    """What the model raises on a text of ``tokens`` tokens, or ``None`` when it reads it."""
    probe = loaded.tokenizer(["x " * tokens], truncation=True, max_length=tokens, return_tensors="pt")
    try:
        with torch.inference_mode():
            loaded.model(**probe)
    except (IndexError, RuntimeError) as error:
        return error
    return None


def _label_index(model: PreTrainedModel, fragment: str) -> int | None:
    """The id of the first label whose lower-cased name contains ``fragment``."""
    for index, label in sorted(model.config.id2label.items()):
        if fragment in str(label).lower():
            return int(index)
    return None


def sentiment_columns(model: PreTrainedModel) -> list[int | None]:
    """For negative, neutral, positive: the model's label id, or ``None`` if it has no such label.

    Models published with anonymous labels (``LABEL_0`` …) and three classes are taken to be in
    the usual negative, neutral, positive order.
    """
    columns = [_label_index(model, fragment) for fragment in ("neg", "neu", "pos")]
    if columns[0] is None and columns[2] is None:
        if model.config.num_labels == 3:
            return [0, 1, 2]
        raise ModelNotAvailable(
            f"can't tell which labels of {model.name_or_path!r} are negative and positive: "
            f"id2label is {model.config.id2label}; use a model whose labels name the sentiment"
        )
    return columns


def complaint_column(model: PreTrainedModel) -> int | None:
    """The id of the model's complaint label (a name containing "complaint"), or ``None``."""
    return _label_index(model, "complaint")


def log_odds(logits: torch.Tensor, column: int) -> torch.Tensor:
    """``log(p / (1 - p))`` of class ``column`` under ``softmax(logits)``, computed without ``p``."""
    others = torch.cat([logits[:, :column], logits[:, column + 1 :]], dim=1)
    return logits[:, column] - others.logsumexp(-1)


def complaint_log_odds(loaded: LoadedModel, texts: Sequence[str], max_length: int, batch_size: int = 64,
                       ) -> torch.Tensor:
    """The log-odds of the complaint label of a complaint classifier (:func:`complaint_column`) for
    each of ``texts`` (normalised here), bounded by ``MAX_LOG_ODDS``."""
    column = complaint_column(loaded.model)
    if column is None:
        raise ModelNotAvailable(f"{loaded.name!r} has no 'complaint' label (id2label: {loaded.model.config.id2label})")
    loaded.model.eval()
    odds = [torch.empty(0)]
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            inputs = loaded.tokenizer([normalize(read_part(text)) for text in texts[start : start + batch_size]],
                                      padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            odds.append(log_odds(loaded.model(**inputs).logits.float(), column))
    return torch.cat(odds).clamp(-MAX_LOG_ODDS, MAX_LOG_ODDS)


class TransformersClassifier:
    """Classifies posts with Hugging Face models.

    Example::

        >>> config = ClassifierConfig(backend="transformers", sentiment_model="./twitter-xlm-roberta-base-sentiment")
        >>> TransformersClassifier.from_config(config).classify(["qué mal servicio"])  # doctest: +SKIP
    """

    name = "transformers"

    def __init__(
        self,
        sentiment: LoadedModel,
        complaint: LoadedModel | None = None,
        complaint_labels: Sequence[str] = (),
        batch_size: int = 64,
        max_length: int = 128,
        detector: LanguageDetector | None = None,
        sentiment_temperature: float = 1.0,
        complaint_platt: tuple[float, float] = (1.0, 0.0),
        phrases: PhraseReader | None = None,
    ) -> None:
        self._sentiment = sentiment
        self._sentiment_columns = sentiment_columns(sentiment.model)
        check_max_length(sentiment, max_length)
        self._complaint = complaint
        self._complaint_labels = list(complaint_labels)
        self._batch_size = batch_size
        self._max_length = max_length
        self._detector = detector or shared_detector()
        self._lexicon = CueLexicon()
        self._phrases = phrases or PhraseReader()
        self._temperature = sentiment_temperature
        self._platt = complaint_platt
        if complaint is not None:
            self._complaint_column = complaint_column(complaint.model)
            self._entailment_column = _label_index(complaint.model, "entail")
            if self._complaint_column is None and self._entailment_column is None:
                raise ModelNotAvailable(
                    f"{complaint.name!r} has neither a 'complaint' nor an 'entailment' label "
                    f"(id2label: {complaint.model.config.id2label}); use a complaint classifier or an NLI model"
                )
            if self._complaint_column is None and len(self._complaint_labels) < 2:
                raise ValueError("zero-shot complaint detection needs at least two complaint_labels")
            check_max_length(complaint, max_length, pairs=self._complaint_column is None)
        self.name = f"transformers:{sentiment.name}" + (f"+{complaint.name}" if complaint else "")

    @classmethod
    def from_config(cls, config: ClassifierConfig) -> TransformersClassifier:
        """Build the classifier the configuration describes (``sentiment_model`` is required)."""
        if not config.sentiment_model:
            raise ModelNotAvailable(
                "classifier.backend is \"transformers\" but classifier.sentiment_model is not set: "
                "set it to a hub id or a local directory, e.g. cardiffnlp/twitter-xlm-roberta-base-sentiment"
            )
        if config.threads:
            torch.set_num_threads(config.threads)
        complaint = load_model(config.complaint_model, config.quantize) if config.complaint_model else None
        return cls(
            load_model(config.sentiment_model, config.quantize),
            complaint,
            complaint_labels=config.complaint_labels,
            batch_size=config.batch_size,
            max_length=config.max_length,
            sentiment_temperature=config.sentiment_temperature,
            complaint_platt=config.complaint_platt,
            phrases=PhraseReader.from_config(config),
            detector=shared_detector(config.languages),
        )

    def _logits(self, loaded: LoadedModel, texts: Sequence[str], pairs: Sequence[str] | None = None) -> torch.Tensor:
        inputs = loaded.tokenizer(
            list(texts),
            list(pairs) if pairs is not None else None,
            padding=True,
            truncation=True,
            max_length=self._max_length,
            return_tensors="pt",
        )
        with torch.inference_mode():
            return loaded.model(**inputs).logits.float()

    def _sentiment_logits(self, texts: Sequence[str]) -> torch.Tensor:
        """Logits of negative, neutral, positive; ``-inf`` for a sentiment the model has no label for."""
        logits = self._logits(self._sentiment, texts)
        absent = torch.full((len(texts),), -torch.inf)
        return torch.stack([logits[:, c] if c is not None else absent for c in self._sentiment_columns], dim=1)

    def _complaint_log_odds(self, texts: Sequence[str], sentiment_logits: torch.Tensor) -> torch.Tensor:
        """Log-odds of a complaint before Platt scaling; ``sentiment_logits`` already divided by the temperature."""
        if self._complaint is None:
            odds = log_odds(sentiment_logits, 0)
        elif self._complaint_column is not None:
            odds = log_odds(self._logits(self._complaint, texts), self._complaint_column)
        else:
            hypotheses = self._complaint_labels
            premises = [text for text in texts for _ in hypotheses]
            logits = self._logits(self._complaint, premises, hypotheses * len(texts))
            odds = log_odds(logits[:, self._entailment_column].view(len(texts), len(hypotheses)), 0)
        # Infinite only when the model lacks a sentiment label; kept finite so that a * x + b is.
        return odds.clamp(-MAX_LOG_ODDS, MAX_LOG_ODDS)

    def scores(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Uncalibrated scores, what ``listener calibrate`` fits: sentiment logits (n × 3: negative,
        neutral, positive) before the temperature, and complaint log-odds before Platt scaling (when
        the negative probability stands in for the complaint one, after the configured temperature).
        """
        return self._scores([normalize(read_part(text)) for text in texts])

    def _scores(self, normalized: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        sentiment, complaint = [torch.empty(0, 3)], [torch.empty(0)]
        for start in range(0, len(normalized), self._batch_size):
            batch = normalized[start : start + self._batch_size]
            logits = self._sentiment_logits(batch)
            sentiment.append(logits)
            complaint.append(self._complaint_log_odds(batch, logits / self._temperature))
        return torch.cat(sentiment), torch.cat(complaint)

    def classify(
        self, texts: Sequence[str], lang_hints: Sequence[str | None] | None = None
    ) -> list[Classification]:
        """Return one classification per text, in order, of its first :data:`models.text.MAX_READ_CHARS`."""
        texts = [read_part(text) for text in texts]
        langs = self._detector.detect_many(texts, lang_hints)
        normalized = [normalize(text) for text in texts]
        sentiment_logits, complaint_log_odds = self._scores(normalized)
        sentiment = (sentiment_logits / self._temperature).softmax(-1)
        a, b = self._platt
        complaint = torch.sigmoid(a * complaint_log_odds + b)
        results: list[Classification] = []
        for text, original, lang, row, p in zip(normalized, texts, langs, sentiment, complaint, strict=True):
            reading = self._phrases.read(original)
            probs = reading.sentiment_probs(row.tolist())
            results.append(
                Classification(
                    lang=lang,
                    sentiment=most_likely_sentiment(probs),
                    sentiment_probs=probs,
                    complaint_prob=reading.complaint_prob(float(p)),
                    cues=phrases_first(reading.phrases, self._lexicon.complaint_cues(tokenize(text))),
                    model=self.name,
                )
            )
        return results
