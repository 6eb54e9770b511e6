"""Folding for keyword matching: case, accents and typographic apostrophes do not matter; scripts keep their letters."""

from __future__ import annotations

import pytest

from listener.folding import fold


@pytest.mark.parametrize("written, typed", [
    ("Facturación", "FACTURACION"),
    ("não consigo entrar", "Nao consigo entrar"),
    ("can't log in", "Can’t log in"),  # U+2019, as phones type it
    ("l'abbonamento", "l`abbonamento"),
])
def test_a_word_and_the_way_people_type_it_fold_alike(written, typed):
    assert fold(written) == fold(typed)


def test_indic_vowel_signs_are_letters_not_accents():
    assert fold("बंदा") != fold("बंद")  # "guy" is not "closed": the vowel sign ा stays
    assert fold("बंद") == "बंद"


def test_text_in_ascii_folds_as_any_other():
    assert fold("Lumora CAN'T `log` in") == "lumora can't 'log' in"
