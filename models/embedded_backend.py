"""The ``embedded`` backend: the small multitask model trained by ``python -m models.train``.

Its weights ship in ``models/embedded/`` (see :mod:`models.weights`). Inference runs in numpy,
so loading takes a fraction of a second, no network and no torch.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from listener.domain import Classification, most_likely_sentiment
from listener.function_words import only_function_words
from models.features import Featurizer, PostFeatures
from models.inference import EmbeddedNetwork
from models.language import LanguageDetector, shared_detector
from models.phrases import PhraseReader, PhraseReading, phrases_first
from models.text import LINK_TOKEN, MENTION_TOKEN, read_part
from models.weights import WEIGHTS_DIR, ModelMeta, per_language, read_weights

_MAX_CUES = 5
# What a post with nothing to read is ("___", "...", "@lumora https://t.co/x"): the network, given no
# telling feature, answered from features no post taught it (0.91 likely a complaint for "___", 0.65 for
# "..."), an alert no cue could explain. In the data sets no such post is labelled a complaint.
_NOTHING_TO_READ = ((0.0, 1.0, 0.0), 0.0)


@functools.lru_cache(maxsize=65536)
def _telling(token: str) -> bool:
    """Whether a token can stand as a "why flagged" cue: not punctuation, a mention, a link, one letter
    or a broken character (a lone surrogate left where an emoji was cut, or the U+FFFD that stands for one
    in a stored post; marks the tokenizer cut from their letter or emoji: a Thai or Devanagari vowel sign,
    an accent of "zalgo" text, an emoji's variation selector, which shows as nothing; or modifiers cut from
    theirs: an emoji's skin tone, shown as a swatch of colour)."""
    if token in (MENTION_TOKEN, LINK_TOKEN) or (len(token) == 1 and token.isalnum()):
        return False
    return not all(unicodedata.category(ch)[0] in "PCM" or unicodedata.category(ch) == "Sk" or ch == "\ufffd"
                   for ch in token)


def _readable(post: PostFeatures) -> bool:
    """Whether a post has a token that could tell a reader something (see :func:`_telling`): one of only
    punctuation, mentions, links, single letters or digits and invisible characters has nothing to read."""
    return any(_telling(word) for source in post.words.sources for word in source.split())


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    """The logistic function, without overflow on hostile text's extreme logits."""
    return 0.5 * (1.0 + np.tanh(0.5 * logits))


def _softmax(logits: np.ndarray) -> np.ndarray:
    exps = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exps / exps.sum(axis=-1, keepdims=True)


class EmbeddedClassifier:
    """Classifies posts with the shipped multitask model; cues are the words that pushed the
    complaint score up most (gradient × embedding, summed per word) plus lexicon hits. A post that
    says the service fails the writer ("no puedo entrar") is at least 0.8 likely a complaint, one that
    says it has given no problem ("cero problemas") at most 0.4 (:mod:`models.phrases`), with that
    phrase as its first cue.

    Example::

        >>> classifier = EmbeddedClassifier.load()
        >>> [c] = classifier.classify(["@Iberia me cancelaron el vuelo y nadie responde"])
        >>> c.lang, c.sentiment, c.complaint_prob > 0.5
        ('es', 'negative', True)
    """

    name = "embedded"

    def __init__(
        self,
        network: EmbeddedNetwork,
        featurizer: Featurizer,
        meta: ModelMeta,
        detector: LanguageDetector | None = None,
        batch_size: int = 64,
        phrases: PhraseReader | None = None,
    ) -> None:
        self._network = network
        self.meta = meta
        self._featurizer = featurizer
        self._detector = detector or shared_detector()
        self._batch_size = batch_size
        self._phrases = phrases or PhraseReader()

    @classmethod
    def load(cls, path: str | Path | None = None, batch_size: int = 64, phrases: PhraseReader | None = None,
             detector: LanguageDetector | None = None) -> EmbeddedClassifier:
        """Load the model from ``path`` (default: the weights shipped in the package); ``phrases`` reads
        the fixed phrases (default: the built-in ones), ``detector`` tells the languages (default: the
        shared one with the default languages)."""
        arrays, meta = read_weights(Path(path) if path else WEIGHTS_DIR)
        featurizer = Featurizer(meta.features)
        return cls(EmbeddedNetwork(arrays, featurizer.char_ids), featurizer, meta, detector=detector,
                   batch_size=batch_size, phrases=phrases)

    def classify(
        self, texts: Sequence[str], lang_hints: Sequence[str | None] | None = None
    ) -> list[Classification]:
        """Return one classification per text, in order, of its first :data:`models.text.MAX_READ_CHARS`."""
        texts = [read_part(text) for text in texts]
        langs = self._detector.detect_many(texts, lang_hints)
        results: list[Classification] = []
        for start in range(0, len(texts), self._batch_size):
            end = start + self._batch_size
            results.extend(self._classify_batch(texts[start:end], langs[start:end]))
        return results

    def _classify_batch(self, texts: Sequence[str], langs: Sequence[str]) -> list[Classification]:
        posts = [self._featurizer.features(text) for text in texts]
        if not posts:
            return []
        output = self._network.run(
            [p.words.ids for p in posts],
            [p.char_words for p in posts],
            per_language(self.meta.complaint_linear_mix, langs),
        )
        calibration = self.meta.calibration
        temperature = np.array(calibration.sentiment_temperature, dtype=np.float32)[None, :, None]
        head_probs = _softmax(output.sentiment_logits / temperature)
        if output.linear_logits is not None:
            linear_temperature = np.array(calibration.linear_temperature, dtype=np.float32)[None, :, None]
            weight = np.array(self.meta.linear_mix, dtype=np.float32)[None, :, None]
            head_probs = head_probs * (1 - weight) + _softmax(output.linear_logits / linear_temperature) * weight
        mix = np.array(per_language(self.meta.head_mix, langs), dtype=np.float32)
        if output.customer_logit is not None and self.meta.gated_languages:
            # The customer gate picks between the general (UMSAB) head and the customer (airline) head.
            customer = _sigmoid(output.customer_logit)
            gated = np.array([lang in self.meta.gated_languages for lang in langs])
            mix[gated] = np.stack([1.0 - customer[gated], customer[gated]], axis=1)
        sentiment = (head_probs * mix[:, :, None]).sum(axis=1)
        complaint = _sigmoid(calibration.complaint_logit(output.complaint_logit, langs))
        negative_weight = np.array(per_language(self.meta.complaint_sentiment_mix, langs), dtype=np.float32)
        complaint = complaint * (1 - negative_weight) + sentiment[:, 0] * negative_weight
        readings = [self._phrases.read(text) for text in texts]
        sentiment_probs = [reading.sentiment_probs(row.tolist()) for reading, row in zip(readings, sentiment)]
        return [
            Classification(
                lang=lang,
                sentiment=most_likely_sentiment(probs),
                sentiment_probs=probs,
                complaint_prob=reading.complaint_prob(float(p)),
                cues=self._cues(post, ((post.words.sources, w), (post.char_words, c)), float(p), reading),
                model=self.name,
            ) if _readable(post) else Classification(
                lang=lang, sentiment="neutral", sentiment_probs=_NOTHING_TO_READ[0],
                complaint_prob=_NOTHING_TO_READ[1], model=self.name,
            )
            for post, lang, probs, p, w, c, reading in zip(
                posts, langs, sentiment_probs, complaint, output.word_shares, output.char_shares, readings, strict=True
            )
        ]

    def _cues(
        self, post: PostFeatures, parts: Sequence[tuple[Sequence[str], np.ndarray]], model_prob: float,
        reading: PhraseReading,
    ) -> tuple[str, ...]:
        """Words and lexicon cues behind the verdict: complaint evidence, or praise when it isn't one;
        never words of the model's that are function words only ("que", "no me": they tell a reader
        nothing, and the first cue groups alerts). The ``reading``'s phrases come first. Where they alone
        decide the verdict (``model_prob``, the model's own reading, is on the other side of ½), the
        lexicon's cues of that verdict follow them and nothing else: the model's words would say why
        the verdict is wrong."""
        by_source: dict[str, float] = {}
        for sources, contribution in parts:
            for source, value in zip(sources, contribution.tolist(), strict=True):
                if source:
                    by_source[source] = by_source.get(source, 0.0) + value
        sign = 1.0 if model_prob >= 0.5 else -1.0
        complaint = reading.complaint_prob(model_prob) >= 0.5
        ranked = sorted((s for s, v in by_source.items() if sign * v > 0 and not only_function_words(s)),
                        key=lambda s: -sign * by_source[s])
        wanted = ("complaint", "negative") if complaint else ("positive",)
        lexicon = [text for kind, text in post.cues if kind in wanted]
        candidates = [*lexicon, *(ranked if (sign > 0) == complaint else ())]
        return phrases_first(reading.phrases, (c for c in candidates if all(map(_telling, c.split()))), _MAX_CUES)
