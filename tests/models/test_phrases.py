"""Fixed phrases: service failures and "no problem", found whole whatever the case, accents or apostrophes,
named as listed, and what they make of a post's complaint probability."""

from __future__ import annotations

import pytest

from alerts.keywords import DEFAULT_KEYWORDS
from listener.config import ClassifierConfig
from listener.folding import PhraseFinder
from models.factory import load_classifier
from models.no_problem import NO_PROBLEM_COMPLAINT_CEILING, NO_PROBLEM_PHRASES
from models.phrases import PhraseReader, phrases_first
from models.service_failure import (
    FAILURE_COMPLAINT_FLOOR,
    SERVICE_FAILURE_PHRASES,
    UNANSWERED_PHRASES,
    built_in_failure_phrases,
)


@pytest.mark.parametrize("text, found", [
    ("@lumora no puedo iniciar sesion, ¿se ha caido?", ("no puedo iniciar sesión", "se ha caído")),
    ("Can’t log in to the app", ("can't log in",)),  # U+2019, as phones type it
    ("@lumora kein Internet seit gestern", ("kein Internet",)),
    ("no carga, no carga, NO CARGA", ("no carga",)),
    ("@lumora the app isnt working again", ("isnt working",)),
    ("La app de Lumora no me funciona desde ayer", ("no me funciona",)),
    ("¿A alguien más no le carga la app de @lumora?", ("no le carga",)),  # the "le" form of "no me carga"
    ("@lumora ¿Hay alguien ahí?", ("hay alguien ahí",)),  # nobody answers: support fails the writer
    ("@AmericanAir im still on hold...", ("still on hold",)),
    ("Lumora, personne ne répond au 3900", ("personne ne répond",)),
])
def test_a_failure_phrase_is_found_however_it_is_typed_and_named_as_listed(text, found):
    assert PhraseReader().read(text).failures == found


@pytest.mark.parametrize("text", [
    "no cargaron la factura dos veces",  # "no carga" inside a longer word
    "10 years with Lumora and not a single outage",
    "gracias, ya puedo entrar",
    "Fibra da Lumora ta voando aqui, 607 mega no wifi 😍",  # Portuguese "no wifi": on the wifi
    "¿Hay alguien que sepa si Lumora tiene fibra en Vigo?",  # a question to the crowd, not to the brand
    "Alguém aí tem a fibra da Lumora em Recife?",
])
def test_longer_words_and_praise_are_not_failures(text):
    assert PhraseReader().read(text).failures == ()


@pytest.mark.parametrize("text, found", [
    ("Llevo 3 años con Lumora y CERO PROBLEMAS. No sé de qué se queja la gente.", ("cero problemas",)),
    ("3 years with Lumora and not a single outage. Touch wood 🤞", ("not a single outage",)),
    ("home office com a fibra da @lumora e nenhuma queda em 7 meses", ("nenhuma queda",)),
    ("Mit Lumora seit Jahren nie Probleme", ("nie Probleme",)),
])
def test_a_no_problem_phrase_caps_the_complaint_probability(text, found):
    reading = PhraseReader().read(text)
    assert reading.no_problem == found and reading.phrases == found
    assert reading.complaint_prob(0.85) == NO_PROBLEM_COMPLAINT_CEILING
    assert reading.complaint_prob(0.1) == 0.1  # a lower reading stays
    assert reading.sentiment_probs((0.7, 0.2, 0.1)) == (0.1, 0.2, 0.7)  # the problem words, negated
    assert reading.sentiment_probs((0.1, 0.6, 0.3)) == (0.1, 0.6, 0.3)


@pytest.mark.parametrize("text", [
    "@iberia Nunca he tenido problemas con nadie hasta hoy",  # a limit in time
    "Never had a problem with Lumora until the last bill",
    "Sin problemas con la fibra, pero el router se reinicia cada noche",  # a contrast
    "nenhuma queda em 2 anos, agora cai todo dia",
    "Con @vireonet ningún problema, con @lumora un desastre",  # bare: someone else has none
    "Con Vireo cero problemas, con @lumora un desastre",  # a negative word besides: a comparison
    "Never had an issue with Vireo. Lumora? The worst service ever",
])
def test_a_contrast_word_or_a_bare_reply_leaves_the_reading_alone(text):
    reading = PhraseReader().read(text)
    assert reading.no_problem == () and reading.complaint_prob(0.85) == 0.85
    assert reading.sentiment_probs((0.7, 0.2, 0.1)) == (0.7, 0.2, 0.1)


def test_a_service_failure_outweighs_no_problem():
    reading = PhraseReader().read("cero problemas en años y hoy sin internet")
    assert reading.phrases == ("sin internet",) and reading.no_problem == ()
    assert reading.complaint_prob(0.2) == FAILURE_COMPLAINT_FLOOR
    assert reading.sentiment_probs((0.1, 0.2, 0.7)) == (0.7, 0.2, 0.1)  # no more positive than negative
    assert reading.sentiment_probs((0.2, 0.7, 0.1)) == (0.2, 0.7, 0.1)


def test_no_no_problem_phrase_holds_a_failure_phrase():
    failures = PhraseFinder(built_in_failure_phrases())
    assert [p for by_lang in NO_PROBLEM_PHRASES.values() for p in by_lang if failures.find(p)] == []


@pytest.mark.parametrize("backend", ["embedded", "lexicon"])
def test_a_config_adds_phrases_of_its_own_to_the_built_in_ones(backend):
    """A bank's customers write "no me deja pagar"; its praise, "never been overcharged" (the embedded model
    reads it as 0.96 likely a complaint)."""
    config = ClassifierConfig(backend=backend, failure_phrases=["no me deja pagar"],
                              no_problem_phrases=["never been overcharged"])
    failed, praised, built_in = load_classifier(config).classify(
        ["@lumora la app NO ME DEJA PAGAR", "Ten years and never been overcharged by @lumora, their bills are clear",
         "@lumora no puedo entrar"], ["es", "en", "es"])
    assert failed.complaint_prob >= FAILURE_COMPLAINT_FLOOR and failed.cues[0] == "no me deja pagar"
    assert praised.complaint_prob <= NO_PROBLEM_COMPLAINT_CEILING and praised.cues[0] == "never been overcharged"
    assert built_in.cues[0] == "no puedo entrar"


def test_the_alerting_layers_outage_and_unanswered_keywords_are_the_failure_phrases():
    assert DEFAULT_KEYWORDS["outage"] is SERVICE_FAILURE_PHRASES
    assert DEFAULT_KEYWORDS["unanswered"] is UNANSWERED_PHRASES


def test_a_cue_that_only_adds_function_words_to_those_shown_is_left_out():
    cues = phrases_first((), ["explicó", "explicó el", "ni caso", "caso", "why is"], 5)
    assert cues == ("explicó", "ni caso", "why is")


def test_a_word_that_folds_onto_a_function_word_still_counts_as_one_of_its_own():
    assert phrases_first((), ["schön", "so schön"]) == ("schön",)  # "so" adds nothing; "schön" is not "schon"


def test_a_post_in_a_script_without_spaces_does_not_make_its_whole_text_one_cue():
    """A Chinese run is one token: the whole post, 2,200 characters, was the first cue of its alert and group."""
    [result] = load_classifier(ClassifierConfig()).classify(["@Lumora " + "网络一直断线客服不回复" * 200], [None])
    assert result.cues and all(len(cue) <= 40 for cue in result.cues)
    assert result.cues[0] == "网络一直断线客服不回复" * 3 + "网络一直断线…"
