import pytest

from listener.config import ClassifierConfig
from models.factory import load_classifier
from models.no_problem import NO_PROBLEM_COMPLAINT_CEILING
from models.service_failure import FAILURE_COMPLAINT_FLOOR


def test_lexicon_backend_flags_a_spanish_complaint_with_its_cues():
    [result] = load_classifier(ClassifierConfig(backend="lexicon")).classify(
        ["Me cancelaron el vuelo y nadie responde, vergüenza"]
    )
    assert result.lang == "es"
    assert result.complaint_prob > 0.5
    assert {"nadie responde", "vergüenza"} <= set(result.cues)


def test_lexicon_backend_does_not_flag_praise():
    [result] = load_classifier(ClassifierConfig(backend="lexicon")).classify(["Obrigado, atendimento ótimo! 😍"])
    assert result.sentiment == "positive"
    assert result.complaint_prob < 0.5


def test_negated_praise_counts_as_negative():
    [result] = load_classifier(ClassifierConfig(backend="lexicon")).classify(["the service was not good"])
    assert "not good" in result.cues
    assert result.sentiment == "negative"


def test_a_post_that_says_the_service_fails_is_at_least_a_floor_likely_a_complaint():
    [result] = load_classifier(ClassifierConfig(backend="lexicon")).classify(["@lumora NO PUEDO ENTRAR desde ayer"])
    assert result.complaint_prob == pytest.approx(FAILURE_COMPLAINT_FLOOR)  # one complaint cue alone: 0.55
    assert result.cues == ("no puedo entrar",)


def test_a_post_that_says_the_service_has_given_no_problem_is_at_most_a_ceiling_likely_a_complaint():
    [result] = load_classifier(ClassifierConfig(backend="lexicon")).classify(
        ["Never had a single problem with @lumora, terrible weather though has nothing to do with them"])
    assert result.complaint_prob > 0.5  # "though" turns it round: the lexicon's own reading stays
    [result] = load_classifier(ClassifierConfig(backend="lexicon")).classify(["Zero problems with @lumora in years"])
    assert result.complaint_prob == pytest.approx(NO_PROBLEM_COMPLAINT_CEILING)
    assert result.cues[0] == "zero problems"


def test_lexicon_cues_show_an_emoticon_as_written():
    [result] = load_classifier(ClassifierConfig(backend="lexicon")).classify(["@lumora sin internet otra vez :("])
    assert ":(" in result.cues and "emo_sad" not in result.cues
