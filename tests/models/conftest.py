"""Shared fixtures of the model tests: the data sets beside the repo, the shipped classifier and tiny
transformers models built with random weights."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

# Read by huggingface_hub when it is first imported: no test may reach for the network.
os.environ["HF_HUB_OFFLINE"] = "1"

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "flight", "was", "late", "great", "no", "vuelo", "@", "user"]


def _save_tiny_model(directory: Path, id2label: dict[int, str], head_scale: float = 1.0) -> Path:
    """A two-layer BERT with 16-dim states and a word-level vocabulary, saved like a hub model.

    ``head_scale`` multiplies its output layer: random weights give nearly equal logits, too alike
    for a calibration to change much; scaled, they spread as a trained model's do."""
    # Imported here: huggingface_hub must see HF_HUB_OFFLINE, set above, when it is first imported.
    import torch
    from transformers import (
        BertConfig,
        BertForSequenceClassification,
        BertTokenizerFast,
    )

    directory.mkdir()
    vocab = directory / "vocab.txt"
    vocab.write_text("\n".join(WORDS) + "\n")
    BertTokenizerFast(vocab_file=str(vocab)).save_pretrained(directory)
    config = BertConfig(
        vocab_size=len(WORDS), hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=64, id2label=id2label, label2id={v: k for k, v in id2label.items()},
    )
    with torch.random.fork_rng():
        torch.manual_seed(0)  # the same weights in every run, whatever ran before
        model = BertForSequenceClassification(config)
        model.classifier.weight.data *= head_scale
        # 128 positions, so the default max_length fits; the first 64 and every other weight as drawn for 64,
        # which the calibration tests' premises were measured on.
        positions = torch.nn.Embedding(128, config.hidden_size)
        positions.weight.data[:64] = model.bert.embeddings.position_embeddings.weight.data
        model.bert.embeddings.position_embeddings = positions
        model.config.max_position_embeddings = 128
    model.save_pretrained(directory)
    return directory


@pytest.fixture
def tiny_model(tmp_path: Path) -> Callable[..., Path]:
    """Saves a tiny random-weights model (name, id2label, head_scale=1.0) in a folder of ``tmp_path``;
    returns the folder."""
    return lambda name, id2label, head_scale=1.0: _save_tiny_model(tmp_path / name, id2label, head_scale)


@pytest.fixture
def sentiment_dir(tiny_model: Callable[..., Path]) -> Path:
    """A tiny random-weights sentiment model (negative, neutral, positive) saved in a local directory."""
    return tiny_model("sentiment", {0: "Negative", 1: "Neutral", 2: "Positive"})


@pytest.fixture
def complaint_dir(tmp_path: Path) -> Path:
    """A tiny BERT fine-tuned for one epoch by ``models.finetune`` and saved as it saves a real one."""
    from models.data import Example
    from models.finetune import finetune

    base = _save_tiny_model(tmp_path / "base", {0: "LABEL_0", 1: "LABEL_1"})
    examples = [Example("the flight was late", 1, "en"), Example("great flight", 0, "en")] * 4
    out = tmp_path / "complaint-model"
    finetune(base, examples, examples[:2], out, epochs=1, batch_size=4, log=lambda line: None)
    return out


DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The project's labelled data sets (``../shared/data``); tests that need them skip without."""
    if not (DATA_DIR / "umsab" / "dev.jsonl").is_file():
        pytest.skip(f"the shared data sets are not at {DATA_DIR} (a checkout without ../shared)")
    return DATA_DIR


@pytest.fixture(scope="session")
def embedded():
    """The embedded classifier with the weights shipped in the package."""
    from models.embedded_backend import EmbeddedClassifier

    return EmbeddedClassifier.load()
