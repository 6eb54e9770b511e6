from listener.config import ClassifierConfig
from models.factory import load_classifier


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
