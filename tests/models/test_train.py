from pathlib import Path

import pytest

from models.embedded_backend import EmbeddedClassifier
from models.train import TrainConfig, train

TINY = TrainConfig(epochs=1, limit=40, buckets=2**12, dim=8, hidden=8)


@pytest.mark.slow
def test_tiny_training_run_writes_a_loadable_model(data_dir: Path, tmp_path: Path):
    meta = train(data_dir, tmp_path, TINY)
    assert set(meta.training["dev"]) >= {"umsab", "complaints", "airline_es_sentiment", "airline_es_complaint"}
    [result] = EmbeddedClassifier.load(tmp_path).classify(["no me devuelven el dinero"])
    assert 0.0 <= result.complaint_prob <= 1.0


@pytest.mark.slow
def test_training_is_deterministic(data_dir: Path, tmp_path: Path):
    train(data_dir, tmp_path / "a", TINY)
    train(data_dir, tmp_path / "b", TINY)
    assert (tmp_path / "a" / "model.safetensors").read_bytes() == (tmp_path / "b" / "model.safetensors").read_bytes()
