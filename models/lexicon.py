"""The ``lexicon`` backend: a rule-based classifier over the cue lexicons, with no trained weights.

It is honest about what it is: it counts complaint cues and sentiment words (with a simple
negation flip) and maps the counts to probabilities with fixed logistic curves. It is useful as a
fallback, for tests, and to show staff exactly which words raised an alert; the embedded model is
more accurate.
A post that says the service fails its writer ("no puedo entrar") is at least 0.8 likely a complaint,
one that says it has given no problem ("cero problemas") at most 0.4 (``models.phrases``), as with every
backend.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from listener.domain import Classification, most_likely_sentiment
from models.language import LanguageDetector, shared_detector
from models.lexicons import Cue, CueLexicon
from models.phrases import PhraseReader, phrases_first
from models.text import normalize, read_part, tokenize

_NEGATORS = frozenset({"not", "no", "never", "não", "nao", "nunca", "ne", "pas", "nicht", "kein", "non"})


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _flip_negated(tokens: list[str], cues: list[Cue]) -> list[Cue]:
    """Turn "not good" into a negative cue: a sentiment word right after a negator flips."""
    flipped = []
    for cue in cues:
        first = cue.text.split()[0]
        positions = [i for i, t in enumerate(tokens) if t == first]
        negated = any(i > 0 and tokens[i - 1] in _NEGATORS for i in positions)
        if negated and cue.kind == "positive":
            cue = Cue("negative", f"not {cue.text}")
        flipped.append(cue)
    return flipped


class LexiconClassifier:
    """Scores posts by counting the cue words of :mod:`models.lexicons`.

    Example::

        >>> [c] = LexiconClassifier().classify(["Llevo 3 horas esperando y nadie responde 😡"])
        >>> c.sentiment, c.complaint_prob > 0.5, c.cues
        ('negative', True, ('horas', 'esperando', 'nadie responde', '😡'))
    """

    name = "lexicon"

    def __init__(self, detector: LanguageDetector | None = None, lexicon: CueLexicon | None = None,
                 phrases: PhraseReader | None = None) -> None:
        self._detector = detector or shared_detector()
        self._lexicon = lexicon or CueLexicon()
        self._phrases = phrases or PhraseReader()

    def classify(
        self, texts: Sequence[str], lang_hints: Sequence[str | None] | None = None
    ) -> list[Classification]:
        """Return one classification per text, in order, of its first :data:`models.text.MAX_READ_CHARS`."""
        texts = [read_part(text) for text in texts]
        langs = self._detector.detect_many(texts, lang_hints)
        return [self._classify_one(text, lang) for text, lang in zip(texts, langs, strict=True)]

    def _classify_one(self, text: str, lang: str) -> Classification:
        tokens = tokenize(normalize(text))
        cues = _flip_negated(tokens, self._lexicon.find(tokens))
        counts = {kind: sum(c.kind == kind for c in cues) for kind in ("complaint", "negative", "positive")}
        negative = counts["negative"] + 0.5 * counts["complaint"]
        positive = counts["positive"]
        # Fixed logits: with no cue at all a post is most likely neutral.
        logits = (negative * 1.5 - 0.5, 0.5, positive * 1.5 - 0.5)
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        reading = self._phrases.read(text)
        probs = reading.sentiment_probs([e / sum(exps) for e in exps])
        complaint_prob = reading.complaint_prob(
            _sigmoid(1.2 * counts["complaint"] + 0.8 * counts["negative"] - 0.8 * positive - 1.0))
        shown = phrases_first(reading.phrases, dict.fromkeys(
            c.text for c in cues if c.kind != "positive" or complaint_prob < 0.5))
        return Classification(
            lang=lang,
            sentiment=most_likely_sentiment(probs),
            sentiment_probs=probs,
            complaint_prob=complaint_prob,
            cues=shown,
            model=self.name,
        )
