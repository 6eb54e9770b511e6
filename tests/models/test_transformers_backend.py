"""The transformers backend loads real models from disk: tiny ones built here with random weights."""

from pathlib import Path

import pytest
from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

from listener.config import ClassifierConfig
from models.errors import ModelNotAvailable
from models.factory import load_classifier

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "flight", "was", "late", "great", "no", "vuelo", "@", "user"]


def _save_tiny_model(directory: Path, id2label: dict[int, str]) -> Path:
    """A two-layer BERT with 16-dim states and a word-level vocabulary, saved like a hub model."""
    directory.mkdir()
    vocab = directory / "vocab.txt"
    vocab.write_text("\n".join(WORDS) + "\n")
    BertTokenizerFast(vocab_file=str(vocab)).save_pretrained(directory)
    config = BertConfig(
        vocab_size=len(WORDS), hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=64, id2label=id2label, label2id={v: k for k, v in id2label.items()},
    )
    BertForSequenceClassification(config).save_pretrained(directory)
    return directory


@pytest.fixture
def sentiment_dir(tmp_path: Path) -> Path:
    return _save_tiny_model(tmp_path / "sentiment", {0: "Negative", 1: "Neutral", 2: "Positive"})


def test_sentiment_model_loads_from_a_local_directory(sentiment_dir: Path):
    config = ClassifierConfig(backend="transformers", sentiment_model=str(sentiment_dir), batch_size=2, max_length=8)
    classifier = load_classifier(config)
    results = classifier.classify(["the flight was late " * 20, "great", "vuelo"], ["en", "en", "es"])
    assert len(results) == 3
    for result in results:
        assert sum(result.sentiment_probs) == pytest.approx(1.0, abs=1e-5)
        assert result.complaint_prob == pytest.approx(result.sentiment_probs[0])
    assert str(sentiment_dir) in classifier.name


def test_labels_are_read_from_the_model_config_in_any_order(tmp_path: Path):
    shuffled = _save_tiny_model(tmp_path / "m", {0: "positive", 1: "negative", 2: "neutral"})
    classifier = load_classifier(ClassifierConfig(backend="transformers", sentiment_model=str(shuffled)))
    assert classifier._sentiment_columns == [1, 2, 0]


def test_zero_shot_nli_model_gives_complaint_probability(sentiment_dir: Path, tmp_path: Path):
    nli = _save_tiny_model(tmp_path / "nli", {0: "entailment", 1: "neutral", 2: "contradiction"})
    config = ClassifierConfig(
        backend="transformers", sentiment_model=str(sentiment_dir), complaint_model=str(nli), quantize=True, threads=1
    )
    [result] = load_classifier(config).classify(["no the flight was late"])
    assert 0.0 < result.complaint_prob < 1.0
    assert result.cues == ("late",)


def test_unavailable_model_names_itself_and_how_to_fetch_it():
    config = ClassifierConfig(backend="transformers", sentiment_model="cardiffnlp/no-such-model-offline")
    with pytest.raises(ModelNotAvailable, match=r"cardiffnlp/no-such-model-offline.*huggingface-cli download"):
        load_classifier(config)


def test_transformers_backend_without_a_model_says_which_setting_to_fill():
    with pytest.raises(ModelNotAvailable, match="sentiment_model"):
        load_classifier(ClassifierConfig(backend="transformers"))
