"""Service failure phrases: found whole, whatever the case, accents or apostrophes, and named as listed."""

from __future__ import annotations

import pytest

from alerts.keywords import DEFAULT_KEYWORDS
from models.service_failure import SERVICE_FAILURE_PHRASES, ServiceFailureFinder, failures_first


@pytest.mark.parametrize("text, found", [
    ("@lumora no puedo iniciar sesion, ¿se ha caido?", ("no puedo iniciar sesión", "se ha caído")),
    ("Can’t log in to the app", ("can't log in",)),  # U+2019, as phones type it
    ("@lumora kein Internet seit gestern", ("kein Internet",)),
    ("no carga, no carga, NO CARGA", ("no carga",)),
])
def test_a_phrase_is_found_however_it_is_typed_and_named_as_listed(text, found):
    assert ServiceFailureFinder().find(text) == found


@pytest.mark.parametrize("text", [
    "no cargaron la factura dos veces",  # "no carga" inside a longer word
    "10 years with Lumora and not a single outage",
    "gracias, ya puedo entrar",
])
def test_longer_words_and_praise_are_not_failures(text):
    assert ServiceFailureFinder().find(text) == ()


def test_the_alerting_layers_outage_keywords_are_these_phrases():
    assert DEFAULT_KEYWORDS["outage"] is SERVICE_FAILURE_PHRASES


def test_a_cue_that_only_adds_function_words_to_those_shown_is_left_out():
    cues = failures_first((), ["explicó", "explicó el", "ni caso", "caso", "why is"], 5)
    assert cues == ("explicó", "ni caso", "why is")


def test_a_word_that_folds_onto_a_function_word_still_counts_as_one_of_its_own():
    assert failures_first((), ["schön", "so schön"]) == ("schön",)  # "so" adds nothing; "schön" is not "schon"
