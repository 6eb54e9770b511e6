"""A fine-tuned complaint transformer beside the embedded model (``complaint_model`` with the embedded
backend), on a tiny model that ``models.finetune`` trains here from random weights."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from listener.config import ClassifierConfig
from models.data import Example
from models.errors import ModelNotAvailable
from models.factory import load_classifier
from models.finetune import finetune

ENGLISH = "@user the flight was late"
SPANISH = "el vuelo no llegó, qué desastre"


@pytest.fixture
def complaint_dir(tiny_model, tmp_path: Path) -> Path:
    """A tiny BERT fine-tuned for one epoch by ``models.finetune`` and saved as it saves a real one."""
    base = tiny_model("base", {0: "LABEL_0", 1: "LABEL_1"})
    examples = [Example("the flight was late", 1, "en"), Example("great flight", 0, "en")] * 4
    out = tmp_path / "complaint-model"
    score, platt = finetune(base, examples, examples[:2], out, epochs=1, batch_size=4, log=lambda line: None)
    assert 0 <= score <= 1 and all(math.isfinite(value) for value in platt)
    return out


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
