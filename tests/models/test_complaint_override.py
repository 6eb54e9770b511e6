"""A fine-tuned complaint transformer beside the embedded model (``complaint_model`` with the embedded
backend), on a tiny model that ``models.finetune`` trains here from random weights."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from listener.config import ClassifierConfig
from models.errors import ModelNotAvailable
from models.factory import load_classifier
from models.no_problem import NO_PROBLEM_COMPLAINT_CEILING
from models.service_failure import FAILURE_COMPLAINT_FLOOR

ENGLISH = "@user the flight was late"
SPANISH = "el vuelo no llegó, qué desastre"


def test_finetune_saves_a_complaint_model_for_english(complaint_dir: Path):
    config = json.loads((complaint_dir / "config.json").read_text(encoding="utf-8"))

    assert config["id2label"] == {"0": "other", "1": "complaint"}
    assert config["complaint_languages"] == ["en"]


def test_english_complaint_probability_comes_from_the_transformer_and_the_rest_from_the_embedded_model(
        complaint_dir: Path):
    embedded = load_classifier(ClassifierConfig())
    hybrid = load_classifier(ClassifierConfig(complaint_model=str(complaint_dir), complaint_platt=(2.0, -0.5)))

    base = embedded.classify([ENGLISH, SPANISH], ["en", "es"])
    both = hybrid.classify([ENGLISH, SPANISH], ["en", "es"])

    assert both[1] == base[1]  # not English: the embedded model's verdict, untouched
    assert both[0].lang == "en" and both[0].sentiment_probs == base[0].sentiment_probs
    assert both[0].complaint_prob == pytest.approx(hybrid.complaint_probabilities([ENGLISH])[0])
    assert both[0].complaint_prob != pytest.approx(base[0].complaint_prob)
    assert both[0].model == f"embedded+{complaint_dir}"


def test_platt_scaling_applies_to_the_transformers_log_odds(complaint_dir: Path):
    plain = load_classifier(ClassifierConfig(complaint_model=str(complaint_dir)))
    scaled = load_classifier(ClassifierConfig(complaint_model=str(complaint_dir), complaint_platt=(3.0, 1.0)))

    p = plain.complaint_probabilities([ENGLISH])[0]
    odds = math.log(p / (1 - p))

    assert scaled.complaint_probabilities([ENGLISH])[0] == pytest.approx(1 / (1 + math.exp(-(3 * odds + 1))), rel=1e-5)


def test_a_complaint_model_without_a_complaint_label_is_refused_by_name(sentiment_dir: Path):
    with pytest.raises(ModelNotAvailable, match="no 'complaint' label"):
        load_classifier(ClassifierConfig(complaint_model=str(sentiment_dir)))


def test_a_verdict_the_transformer_turns_shows_the_lexicons_cues_not_the_embedded_models(complaint_dir: Path):
    praise = "great flight, thanks!"
    [base] = load_classifier(ClassifierConfig()).classify([praise], ["en"])
    [turned] = load_classifier(ClassifierConfig(complaint_model=str(complaint_dir), complaint_platt=(0.0, 10.0))).classify(
        [praise], ["en"])

    assert base.complaint_prob < 0.5 and base.cues  # the praise words that kept it from being a complaint
    assert turned.complaint_prob > 0.99
    assert turned.cues == ()  # no complaint word to show: the praise words would read as "why flagged"


def test_a_post_that_says_the_service_fails_stays_a_complaint_whatever_the_transformer_reads(complaint_dir: Path):
    text = "@user I can't log in to the app"
    [result] = load_classifier(ClassifierConfig(complaint_model=str(complaint_dir), complaint_platt=(0.0, -10.0))).classify(
        [text], ["en"])

    assert result.complaint_prob == pytest.approx(FAILURE_COMPLAINT_FLOOR)  # the transformer read it as 0.00005
    assert result.cues[0] == "can't log in"


def test_a_post_that_says_the_service_has_given_no_problem_stays_no_complaint_whatever_the_transformer_reads(
    complaint_dir: Path,
):
    [result] = load_classifier(ClassifierConfig(complaint_model=str(complaint_dir), complaint_platt=(0.0, 10.0))).classify(
        ["Been with Lumora 12 years and never had an issue tbh"], ["en"])

    assert result.complaint_prob == pytest.approx(NO_PROBLEM_COMPLAINT_CEILING)  # the transformer read it as 0.99995
    assert result.cues[0] == "never had an issue"


def test_a_complaint_model_folder_that_is_not_there_is_named_with_how_to_make_one(tmp_path: Path):
    with pytest.raises(ModelNotAvailable, match="no model folder at .*make complaint-model"):
        load_classifier(ClassifierConfig(complaint_model=str(tmp_path / "complaint-model")))


def test_posts_batched_by_length_get_their_own_log_odds_back_in_order(complaint_dir: Path):
    hybrid = load_classifier(ClassifierConfig(complaint_model=str(complaint_dir), batch_size=2))
    texts = [ENGLISH + " and nobody answers the phone, three hours now", "late", ENGLISH, "my bag is lost"]

    together = hybrid.log_odds(texts).tolist()

    assert together == pytest.approx([hybrid.log_odds([text]).item() for text in texts], abs=1e-5)


def test_with_a_band_the_transformer_scores_only_the_posts_the_embedded_model_is_unsure_of(complaint_dir: Path):
    texts = [ENGLISH, "great flight, thanks!"]
    base = load_classifier(ClassifierConfig()).classify(texts, ["en", "en"])
    low = min(result.complaint_prob for result in base)
    every = load_classifier(ClassifierConfig(complaint_model=str(complaint_dir), complaint_platt=(2.0, -0.5)))
    banded = load_classifier(ClassifierConfig(complaint_model=str(complaint_dir), complaint_platt=(2.0, -0.5),
                                              complaint_band=(0.0, low)))

    both = every.classify(texts, ["en", "en"])
    within = banded.classify(texts, ["en", "en"])

    inside = [result.complaint_prob for result in base].index(low)  # in the band: the transformer's verdict
    outside = 1 - inside
    assert within[outside] == base[outside]  # above the band: the embedded model's verdict stands
    assert within[inside].model == both[inside].model == f"embedded+{complaint_dir}"
    assert within[inside].complaint_prob == pytest.approx(both[inside].complaint_prob, abs=1e-5)
