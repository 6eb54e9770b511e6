"""Function words: a phrase of them alone says nothing about a post, in any of the nine languages."""

from __future__ import annotations

import pytest

from listener.function_words import only_function_words


@pytest.mark.parametrize("phrase", ["why is", "No me", "nicht", "toujours pas", "DON'T", "can’t", "في", "что", "है"])
def test_phrases_of_function_words_only(phrase):
    assert only_function_words(phrase)


@pytest.mark.parametrize("phrase", ["no signal", "sin internet", "paket ist", "l'app", "لا يعمل", "не работает", "बंद", "😭", "3", "so schön", "má"])
def test_phrases_with_a_word_of_their_own(phrase):
    assert not only_function_words(phrase)
