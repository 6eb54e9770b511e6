"""Folding for keyword matching: case, accents and typographic apostrophes do not matter; scripts keep their letters."""

from __future__ import annotations

import json

import pytest
import regex

from alerts.keywords import default_keywords
from listener.demo.generate import STREAM_PATH
from listener.folding import fold, phrase_pattern


@pytest.mark.parametrize("written, typed", [
    ("Facturación", "FACTURACION"),
    ("não consigo entrar", "Nao consigo entrar"),
    ("can't log in", "Can’t log in"),  # U+2019, as phones type it
    ("l'abbonamento", "l`abbonamento"),
    ("no puedo entrar", "No puedo\nentrar"),  # a line break, or two spaces, between a phrase's words
    ("can't log in", "can't  log in"),
    ("não carrega", "não\r\n carrega"),
    ("no puedo entrar", "no \u200bpuedo en\u200btrar"),  # zero-width spaces, as a paste leaves them
    ("lawyer", "law\u00adyer"),  # a soft hyphen
    ("estafa", "\u2067estafa\u2069"),  # the direction isolates X's apps put around words in RTL posts
])
def test_a_word_and_the_way_people_type_it_fold_alike(written, typed):
    assert fold(written) == fold(typed)


def test_indic_vowel_signs_are_letters_not_accents():
    assert fold("बंदा") != fold("बंद")  # "guy" is not "closed": the vowel sign ा stays
    assert fold("बंद") == "बंद"


def test_text_in_ascii_folds_as_any_other():
    assert fold("Lumora CAN'T `log` in") == "lumora can't 'log' in"


def _longest_first(phrases: list[str]) -> regex.Pattern[str]:
    """The plain way to find phrases: one alternation, longer phrases first."""
    folded = sorted({fold(phrase) for phrase in phrases}, key=len, reverse=True)
    return regex.compile(rf"(?<!\w)(?:{'|'.join(regex.escape(phrase) for phrase in folded)})(?!\w)")


@pytest.mark.parametrize("phrases", [
    [word for word, _ in default_keywords()],
    ["no", "no puedo", "no puedo entrar", "no puedo entrar en", "a", "ab", "abc"],
], ids=["built-in keywords", "phrases inside phrases"])
def test_a_phrase_pattern_finds_what_the_plain_alternation_finds(phrases):
    """The pattern shares the phrases' beginnings (a trie); it must find the same longest phrases."""
    texts = [fold(json.loads(line)["text"]) for line in STREAM_PATH.read_text(encoding="utf-8").splitlines()]
    texts += ["no puedo entrarx no puedo", "abcd ab abc a", "no puedo entrar en casa", "nao consigo entrar"]
    plain, shared = _longest_first(phrases), phrase_pattern(phrases)
    assert [shared.findall(text) for text in texts] == [plain.findall(text) for text in texts]
    assert sum(bool(shared.findall(text)) for text in texts) > 40


def test_a_word_in_styled_letters_does_not_fold_to_capitals():
    """Mathematical bold or italic letters ("𝐋𝐀𝐖𝐘𝐄𝐑", as "fancy text" writes) and letterlike symbols ("ℍ")
    decompose to capitals: folded after their case, they stayed capitals, so no keyword matched them, and
    folding a folded term again changed it (a brand term "ℍelp" matched text the matcher then could not
    name, a KeyError)."""
    assert fold("𝐈'𝐌 𝐂𝐀𝐋𝐋𝐈𝐍𝐆 𝐀 𝐋𝐀𝐖𝐘𝐄𝐑") == "i'm calling a lawyer"
    styled = [chr(code) for code in [*range(0x1D00, 0x1DC0), *range(0x2100, 0x2150), *range(0x1D400, 0x1D800)]]
    assert [character for character in styled if fold(character) != fold(fold(character))] == []
