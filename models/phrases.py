"""What fixed phrases in a post say about it being a complaint, whatever a model read.

A post that says the service fails its writer now ("no puedo entrar") or that nobody answers them ("¿hay
alguien ahí?"; :mod:`models.service_failure`) is at least 0.8 likely a complaint and no more positive
than negative; one that says the service has given no problem ("cero problemas", "not a single outage";
:mod:`models.no_problem`) at most 0.4 likely a complaint and no more negative than positive, unless it
also says the service fails. Every backend applies them and puts the phrase first among the cues, so
the rules, early warning and the digest count such posts alike whichever model runs.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from listener.folding import PhraseFinder, fold
from listener.function_words import only_function_words
from models.no_problem import NO_PROBLEM_COMPLAINT_CEILING, NoProblemFinder
from models.service_failure import FAILURE_COMPLAINT_FLOOR, built_in_failure_phrases
from models.text import as_written

if TYPE_CHECKING:
    from listener.config import ClassifierConfig

# Cue words repeat from post to post; bounded for a long-running daemon.
_folded = functools.lru_cache(maxsize=65536)(fold)
# A cue longer than this is cut: a script written without spaces (Chinese, Japanese, Thai) is one
# token per run, and a post's whole run, 2,200 characters, was one cue in its alert and its group.
CUE_LENGTH = 40


@dataclass(frozen=True, slots=True)
class PhraseReading:
    """The fixed phrases found in one post, as listed: service ``failures`` (nobody answering the writer is
    one), or else ``no_problem``."""

    failures: tuple[str, ...] = ()
    no_problem: tuple[str, ...] = ()

    @property
    def phrases(self) -> tuple[str, ...]:
        """The phrases that decide the post's complaint probability, to show first among its cues."""
        return self.failures or self.no_problem

    def sentiment_probs(self, model_probs: Sequence[float]) -> tuple[float, float, float]:
        """``model_probs`` (negative, neutral, positive), with negative and positive trading places where the
        model read the post the other way round from its phrases: a service failure no more positive than
        negative, a "no problem" no more negative than positive (the model read its problem words as
        negative, and the phrase negates them, as the lexicon backend flips "not good")."""
        negative, neutral, positive = map(float, model_probs)
        if (self.failures and positive > negative) or (self.no_problem and negative > positive):
            return positive, neutral, negative
        return negative, neutral, positive

    def complaint_prob(self, model_prob: float) -> float:
        """``model_prob`` raised to the failure floor or lowered to the no-problem ceiling, as the phrases
        say."""
        if self.failures:
            return max(model_prob, FAILURE_COMPLAINT_FLOOR)
        if self.no_problem:
            return min(model_prob, NO_PROBLEM_COMPLAINT_CEILING)
        return model_prob


class PhraseReader:
    """Reads the fixed phrases of posts: the built-in ones, and those a config adds
    (``[classifier] failure_phrases`` and ``no_problem_phrases``).

    Example::

        >>> reader = PhraseReader()
        >>> reader.read("@lumora NAO CONSIGO ENTRAR, o app não carrega").failures
        ('não consigo entrar', 'não carrega')
        >>> reading = reader.read("3 years with Lumora and not a single outage")
        >>> reading.phrases, reading.complaint_prob(0.84)
        (('not a single outage',), 0.4)
        >>> reading.sentiment_probs((0.7, 0.2, 0.1))
        (0.1, 0.2, 0.7)
    """

    def __init__(self, failure_phrases: Iterable[str] = (), no_problem_phrases: Iterable[str] = ()) -> None:
        self._failures = PhraseFinder(itertools.chain(built_in_failure_phrases(), failure_phrases))
        self._no_problem = NoProblemFinder(no_problem_phrases)

    @classmethod
    def from_config(cls, config: ClassifierConfig) -> PhraseReader:
        """The reader with the phrases that ``config`` adds."""
        return cls(config.failure_phrases, config.no_problem_phrases)

    def read(self, text: str) -> PhraseReading:
        """The phrases in ``text``; a failure phrase makes its "no problem" phrases moot."""
        folded = fold(text)
        failures = self._failures.find_folded(folded)
        return PhraseReading(failures, () if failures else self._no_problem.find(text, folded))


def phrases_first(phrases: Sequence[str], cues: Iterable[str], limit: int | None = None) -> tuple[str, ...]:
    """``phrases``, then each of ``cues`` that adds a word to what is shown ("não consigo" adds none to
    "não consigo entrar", nor "kein internet" to "kein Internet"), a word that is not a function word
    when it has one ("explicó el" adds none to "explicó"), at most ``limit`` in all, as a reader finds
    them in the post (``emo_sad`` is ":("), each at most ``CUE_LENGTH`` characters."""
    shown: set[str] = set()
    kept: list[str] = []
    for cue in itertools.chain(phrases, cues):
        written = cue.split()
        words = set(map(_folded, written))
        # Function words are told as written: folded, "schön" would be "schon".
        telling = {_folded(word) for word in written if not only_function_words(word)}
        if not shown.issuperset(telling or words):
            written_cue = as_written(cue)
            kept.append(written_cue if len(written_cue) <= CUE_LENGTH else written_cue[:CUE_LENGTH - 1] + "…")
            shown.update(words)
            if len(kept) == limit:
                break
    return tuple(kept)
