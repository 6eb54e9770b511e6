"""How phrases are compared with what people type: lower case, no accents, one kind of apostrophe, whole
words. The alerting layer's keywords and the classifier's fixed phrases (a service failing, no problem in
years) both match this way."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable
from functools import cache

import regex

# Typographic apostrophes that phones and word processors type for "'": right and left single quotation
# marks, the modifier letter apostrophe, the acute accent and the grave accent used as one.
_APOSTROPHES = {0x2019: "'", 0x2018: "'", 0x02BC: "'", 0x00B4: "'", 0x60: "'"}
# Turkish dotless "ı", whose capital is "I" (and dotted "İ" that of "i"): the dot is an accent to a reader
# who types "yapi kredi" or "YAPI KREDİ" for Yapı Kredi, and "ı" has no decomposition that loses it.
_DOTLESS_I = {0x0131: "i"}
# Characters that show as nothing: the zero-width space, the word joiner, the byte-order mark, the soft
# hyphen, and the marks that set the direction of text (X's apps put isolates around the mentions and
# hashtags of an Arabic or Hebrew post). Pasted into a post, they cut "no puedo entrar" or "estafa" in two
# for a reader of its words, though not for one of its screen. Not the zero-width joiner and non-joiner,
# which spell Persian and Indic words and emoji sequences. For ``str.translate``: deleted.
INVISIBLE: dict[int, None] = dict.fromkeys([0x00AD, 0x061C, 0x200B, 0x200E, 0x200F, *range(0x202A, 0x202F), 0x2060,
                                            *range(0x2066, 0x206A), 0xFEFF])
# The trade mark and service mark signs, written against a name ("Lumora™"): decomposed, they are the
# letters "tm" and "sm", and made "lumoratm" of it, no whole word "lumora". A space instead, as a reader sees it.
_TRADE_MARKS = {0x2120: " ", 0x2122: " "}

# Combining marks that are no accents but make another word of one, and are kept: the kana voiced and
# semi-voiced sound marks NFKD parts from "ダ" and "パ" ("ダウン" down, "タウン" town), and the tone and
# vowel marks of Thai, Lao, Khmer and Burmese (Thai "ล่ม" crashed, "ลม" wind).
_KEPT_MARKS = regex.compile(r"[\u3099\u309A\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")

# Scripts written without spaces between words: Chinese, Japanese (with its sound marks), Thai, Lao, Khmer,
# Burmese.
_UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\u3099\u309A\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
_UNSPACED_EDGE = regex.compile(rf"^[{_UNSPACED}]|[{_UNSPACED}]$")


@cache
def _folding_table() -> dict[int, str | None]:
    """The apostrophes and the dotless i to replace, every combining mark (accents; not Indic vowel signs,
    whose combining class is 0, nor the :data:`_KEPT_MARKS`) and :data:`INVISIBLE` character to delete, and the
    trade mark signs to part from the name they follow: one ``str.translate`` instead of a loop over the
    characters."""
    marks = {code: None for code in range(sys.maxunicode + 1)
             if unicodedata.combining(chr(code)) and not _KEPT_MARKS.match(chr(code))}
    return {**marks, **INVISIBLE, **_TRADE_MARKS, **_DOTLESS_I, **_APOSTROPHES}


def fold(text: str) -> str:
    """``text`` in lower case, without accents or :data:`INVISIBLE` characters, with plain apostrophes and
    each run of spaces and line breaks one space, so that 'Facturación' and 'facturacion', "can’t" and "can't", or "no puedo" at
    the end of a line and "entrar" on the next and "no puedo entrar", compare equal.

    Example::

        >>> fold("Não consigo\nentrar, CAN’T  log in")
        "nao consigo entrar, can't log in"
    """
    if text.isascii():
        folded = text.translate(_APOSTROPHES).lower()  # NFKD and casefold change no ASCII but the case
    else:
        table = _folding_table()
        # Decomposed before its case is folded: a compatibility letter ("𝐋" of 𝐋𝐔𝐌𝐎𝐑𝐀, "ℍ") decomposes to
        # a capital, and has no case of its own to fold. Decomposed again: a folded case may compose ("ᾈ").
        decomposed = unicodedata.normalize("NFKD", text.translate(table))
        folded = unicodedata.normalize("NFKD", decomposed.casefold()).translate(table)
    return " ".join(folded.split())


def phrase_pattern(phrases: Iterable[str]) -> regex.Pattern[str] | None:
    """One pattern that finds any of ``phrases`` as whole words in folded text (None for no phrases).

    ``regex``'s \\w, unlike ``re``'s, counts combining marks as part of a word, so Hindi "बंद" is not
    found inside "बंदा" (its vowel sign is a mark, not a letter). In a script written without spaces
    between words (Chinese, Japanese, Thai...) a phrase is found wherever it is: Japanese "繋がらない" in
    "アプリが繋がらない"; and their letters end the word of another script written against them: "Lumora" in
    "Lumoraのアプリ". Of the phrases that start at a place,
    the longest is found, so "no puedo entrar" wins over "no puedo". The phrases share their common
    beginnings in the pattern (a trie), so a place in the text is tried once, not once per phrase: a
    third of the time of an alternation of the 194 failure and "nobody answers" phrases, per post.

    Example::

        >>> phrase_pattern(["não carrega", "app caiu"]).findall(fold("O app NAO CARREGA"))
        ['nao carrega']
    """
    trie: dict[str, dict] = {}
    folded = {fold(phrase) for phrase in phrases}
    for phrase in folded:
        node = trie
        for character in phrase:
            node = node.setdefault(character, {})
        node[_END] = {}
    if not trie:
        return None
    # Not inside a word, but a letter of a script written without spaces is no word around the phrase:
    # "Lumora" is a whole word in "Lumoraのアプリ" and "我的Lumora账户".
    start, end = rf"(?<![^\W{_UNSPACED}])", rf"(?![^\W{_UNSPACED}])"
    if any(_UNSPACED_EDGE.search(phrase) for phrase in folded):  # only then: the lookarounds cost time
        # A phrase's edge in a script written without spaces between words needs none around it.
        start, end = rf"(?:(?=[{_UNSPACED}])|{start})", rf"(?:(?<=[{_UNSPACED}])|{end})"
    return regex.compile(rf"{start}(?:{_alternatives(trie)}){end}")



_END = ""  # the key that marks where a phrase ends in the trie (no character is empty)


def _alternatives(node: dict[str, dict]) -> str:
    """The pattern of a trie node's continuations: the longer ones first, greedily, so that a phrase
    that ends here is only taken when no longer one fits."""
    branches = [regex.escape(character) + _alternatives(child) for character, child in sorted(node.items())
                if character != _END]
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    if _END not in node:
        return body
    return f"(?:{body})?" if branches else ""


class PhraseFinder:
    """Finds any of a list of phrases in a text, whatever its case, accents or apostrophes.

    Example::

        >>> PhraseFinder(["não consigo entrar", "não carrega"]).find("NAO CONSIGO ENTRAR, o app não carrega")
        ('não consigo entrar', 'não carrega')
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        listed = list(phrases)
        self._as_listed = {fold(phrase): phrase for phrase in listed}
        self._pattern = phrase_pattern(listed)

    def find(self, text: str) -> tuple[str, ...]:
        """The phrases in ``text``, as listed (with their accents), in text order, each once."""
        return self.find_folded(fold(text))

    def find_folded(self, folded: str) -> tuple[str, ...]:
        """:meth:`find` on a text already folded (``fold(text)``), for callers that look for several lists."""
        if self._pattern is None:
            return ()
        return tuple(dict.fromkeys(self._as_listed[found] for found in self._pattern.findall(folded)))
