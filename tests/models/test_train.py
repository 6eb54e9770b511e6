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


@pytest.mark.slow
def test_numpy_inference_computes_what_the_torch_network_trained(data_dir: Path, tmp_path: Path):
    import numpy as np
    import torch

    from models.features import Featurizer
    from models.inference import EmbeddedNetwork
    from models.train import _bags, load_weights
    from models.weights import read_weights

    meta = train(data_dir, tmp_path, TINY)
    arrays, _ = read_weights(tmp_path)
    featurizer = Featurizer(meta.features)
    posts = [featurizer.features(t) for t in ["no me devuelven el dinero", "great flight, thanks!", "🙂"]]
    output = EmbeddedNetwork(arrays, featurizer.char_ids).run([p.words.ids for p in posts], [p.char_words for p in posts])
    with torch.no_grad():
        net = load_weights(tmp_path, meta.network)
        sentiment, complaint = net(*_bags([(p.words.ids, featurizer.char_bag(p)) for p in posts]))
    np.testing.assert_allclose(output.sentiment_logits, sentiment.numpy(), atol=1e-5)
    np.testing.assert_allclose(output.complaint_logit, complaint.numpy(), atol=1e-5)


@pytest.mark.slow
def test_numpy_linear_sentiment_computes_what_training_fitted(data_dir: Path, tmp_path: Path):
    import numpy as np
    import torch

    from models.features import Featurizer
    from models.inference import EmbeddedNetwork
    from models.network import linear_features
    from models.weights import read_weights

    meta = train(data_dir, tmp_path, TINY)
    arrays, _ = read_weights(tmp_path)
    featurizer = Featurizer(meta.features)
    posts = [featurizer.features(t) for t in ["no me devuelven el dinero", "great flight, thanks!", "🙂"]]
    output = EmbeddedNetwork(arrays, featurizer.char_ids).run([p.words.ids for p in posts], [p.char_words for p in posts])
    x = linear_features([(p.words.ids, featurizer.char_bag(p)) for p in posts], meta.features.buckets)
    weight, bias = (torch.from_numpy(arrays[k].astype(np.float32)) for k in ("linear.weight", "linear.bias"))
    expected = (torch.sparse.mm(x, weight) + bias).view(len(posts), -1, 3)
    assert output.linear_logits is not None
    np.testing.assert_allclose(output.linear_logits, expected.numpy(), atol=1e-4)
