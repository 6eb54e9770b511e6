"""Language identification of short posts with py3langid (its model ships inside the wheel).

Why py3langid: on the data sets' ``lang`` fields it was the most accurate of the candidates that
install offline from PyPI once restricted to the languages a brand is likely to hear from, it loads
in well under a second, and it is deterministic (see ``python -m models.langid_compare`` and the
model card). Restricting the candidate set matters: over all 97 languages short tweets are often
taken for Latin, Galician or Maltese.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from models.errors import ModelNotAvailable
from models.text import LINK_TOKEN, MENTION_TOKEN, normalize

# Languages of the training data plus the other large ones on social media.
DEFAULT_LANGUAGES: tuple[str, ...] = (
    "ar", "ca", "de", "en", "es", "fr", "hi", "id", "it", "ja", "ko", "nl", "pl", "pt", "ru",
    "sv", "tr", "uk", "zh",
)

# Hindi written in Latin letters, as most Hindi tweets are, is in no language py3langid knows: it calls
# it English, Indonesian or Dutch. These are its function words and commonest verbs; the train posts'
# words were ranked by how much more often Hindi posts use them than the others, and the ones other
# languages use too were left out ("se", "mein", "pe", "ho", "jo", "ye", "hum", "agar").
ROMANISED_HINDI_WORDS = frozenset("""
    hai hain ki ka ko ke bhi kya nahi nahin nhi aap aur tha thi kar karo koi kuch toh liye gaya gayi yaar
    baat bahut kiya mere mera meri mujhe tum rahe raha rahi hota hoga apne apna apni yeh kyu kyun kab kaise
    kaisa abhi sab lekin wala wali waale sakta sakte diya dekh bol
""".split())
ROMANISED_HINDI_MIN_WORDS = 2
_LATIN_WORD = re.compile(r"[a-z]+")

UNDETERMINED = "und"
"""ISO 639-2's code for a post with nothing to tell its language by (X's API uses it too)."""
# X's tags for a post it gave no language: media only, no linguistic content, hashtags, mentions or
# cashtags only, very short text. They name no language the rules could route on.
_NO_LANGUAGE_TAGS = frozenset({UNDETERMINED, "qme", "zxx", "qht", "qam", "qct", "qst"})


def text_for_identification(text: str) -> str:
    """The post without what says nothing of its language: mentions, links, the ``#`` of hashtags."""
    return normalize(text).replace(MENTION_TOKEN, " ").replace(LINK_TOKEN, " ")


class LanguageDetector:
    """Says which language a post is in.

    A source's hint wins when the detector's own probability is below ``trust_below``: a tweet of
    four words is easier for the platform, which knows the author, than for a character model.
    A post without a letter once mentions and links are left out ("🙏", "@lumora ???"), or of
    which the model knows no character n-gram ("ok"), is in the hint's language, or
    :data:`UNDETERMINED` without one: the detector would name the first language of its list
    (Arabic for every such post), and the rules route alerts by language. A post in Latin letters
    with at least two of :data:`ROMANISED_HINDI_WORDS` is Hindi, when Hindi is one of the languages.

    Example::

        >>> LanguageDetector().detect("no me han devuelto el dinero del vuelo")
        'es'
    """

    def __init__(self, languages: Sequence[str] = DEFAULT_LANGUAGES, trust_below: float = 0.9) -> None:
        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        known = self._identifier.nb_classes
        unknown = [code for code in languages if code not in known]
        if unknown:
            raise ModelNotAvailable(
                f"the language detector (py3langid) has no model for {', '.join(map(repr, unknown))} "
                f"(classifier.languages); it knows {', '.join(sorted({code for code in known if len(code) == 2}))}")
        self._identifier.set_languages(list(languages))
        # set_languages keeps the 97-language tables for a later reset we never do: ~30 MB freed.
        self._identifier._full_model = None
        self._languages = frozenset(languages)
        self._hindi = "hi" in self._languages
        self._trust_below = trust_below
        # When no n-gram of the post is in the model's tables every language is equally likely and
        # classify() names the first of the list (Arabic for "ok", "M v", "Gm??"): that is no answer.
        self._no_evidence = 1 / len(self._languages) + 1e-6

    def detect(self, text: str, hint: str | None = None) -> str:
        """Return the ISO 639-1 code of ``text``'s language (``hint``, in lower case, when unsure), or
        :data:`UNDETERMINED`. A hint is lower-cased so that a source's "pt-BR" or "EN" compares as routes
        and counts write languages ("pt-br", "en"). A hint of :data:`UNDETERMINED` (X's for a post it could
        not tell), or of X's other tags for no language (``qme`` media only, ``zxx``, ``qht`` hashtags only,
        ``qam`` mentions only, ``qct``, ``qst`` very short), is no hint: it would win over every detection, as a
        language the detector lacks does."""
        hint = hint.lower() if hint else hint
        if hint in _NO_LANGUAGE_TAGS:
            hint = None
        telling = text_for_identification(text)
        has_letters = any(character.isalpha() for character in telling)
        lang, prob = self._identifier.classify(telling) if has_letters else (UNDETERMINED, 0.0)
        if self._hindi and _romanised_hindi(telling):
            lang, prob = "hi", 1.0
        if prob <= self._no_evidence:
            return hint or UNDETERMINED
        if hint and hint != lang and (prob < self._trust_below or hint not in self._languages):
            return hint
        return lang

    def detect_many(
        self, texts: Sequence[str], hints: Sequence[str | None] | None = None
    ) -> list[str]:
        """Return one language code per text (``hints`` as in :meth:`detect`, one per text)."""
        hints = hints if hints is not None else [None] * len(texts)
        return [self.detect(text, hint) for text, hint in zip(texts, hints, strict=True)]


def _romanised_hindi(telling: str) -> bool:
    """Whether a post (as :func:`text_for_identification` gives it) has enough Hindi words in Latin letters."""
    return len(ROMANISED_HINDI_WORDS.intersection(_LATIN_WORD.findall(telling))) >= ROMANISED_HINDI_MIN_WORDS


def shared_detector(languages: Sequence[str] = ()) -> LanguageDetector:
    """One detector per set of ``languages`` for the whole process (its tables take ~50 MB); none given:
    :data:`DEFAULT_LANGUAGES`.

    A brand whose customers write in a few languages names them (``[classifier] languages``): on the
    data sets' English, Spanish and Portuguese posts, the detector restricted to those three is right
    on 98.7 % (98.0 % with the default 19), and on those of at most five words on 89.8 % (81.4 %).
    """
    return _detector(tuple(dict.fromkeys(languages)) or DEFAULT_LANGUAGES)


@functools.cache
def _detector(languages: tuple[str, ...]) -> LanguageDetector:
    return LanguageDetector(languages)
