from pathlib import Path

import pytest

from models.embedded_backend import EmbeddedClassifier
from models.train import TrainConfig, train

TINY = TrainConfig(epochs=1, limit=40, buckets=2**12, dim=8, hidden=8)
TEXTS = ["no me devuelven el dinero", "great flight, thanks!", "🙂"]


@pytest.fixture(scope="module")
def tiny_model(data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """One tiny training run shared by the tests that only read its output: (metadata, folder)."""
    folder = tmp_path_factory.mktemp("tiny")
    return train(data_dir, folder, TINY), folder


def numpy_run(meta, folder: Path):
    """The shipped numpy forward pass over ``TEXTS``: its output, the featurizer and the featurized posts."""
    from models.features import Featurizer
    from models.inference import EmbeddedNetwork
    from models.weights import read_weights

    arrays, _ = read_weights(folder)
    featurizer = Featurizer(meta.features)
    posts = [featurizer.features(t) for t in TEXTS]
    output = EmbeddedNetwork(arrays, featurizer.char_ids).run([p.words.ids for p in posts], [p.char_words for p in posts])
    return output, featurizer, posts, arrays


@pytest.mark.slow
def test_tiny_training_run_writes_a_loadable_model(tiny_model):
    meta, folder = tiny_model
    assert set(meta.training["dev"]) >= {"umsab", "complaints", "airline_es_sentiment", "airline_es_complaint"}
    [result] = EmbeddedClassifier.load(folder).classify(["no me devuelven el dinero"])
    assert 0.0 <= result.complaint_prob <= 1.0


def test_the_negative_probability_is_mixed_into_complaints_only_where_dev_has_complaint_labels(tiny_model):
    mix = tiny_model[0].complaint_sentiment_mix
    assert set(mix) == {"en", "es", "*"} and mix["*"] == 0.0
    assert {mix["en"], mix["es"]} <= {0.0, 0.25, 0.5, 0.75, 1.0}


@pytest.mark.slow
def test_training_is_deterministic(data_dir: Path, tmp_path: Path, tiny_model):
    train(data_dir, tmp_path, TINY)
    assert (tmp_path / "model.safetensors").read_bytes() == (tiny_model[1] / "model.safetensors").read_bytes()


@pytest.mark.slow
def test_numpy_inference_computes_what_the_torch_network_trained(tiny_model):
    import numpy as np
    import torch

    from models.train import _bags, load_weights

    meta, folder = tiny_model
    output, featurizer, posts, _ = numpy_run(meta, folder)
    with torch.no_grad():
        net = load_weights(folder, meta.network)
        sentiment, complaint = net(*_bags([(p.words.ids, featurizer.char_bag(p)) for p in posts]))
    np.testing.assert_allclose(output.sentiment_logits, sentiment.numpy(), atol=1e-5)
    np.testing.assert_allclose(output.complaint_logit, complaint.numpy(), atol=1e-5)


@pytest.mark.slow
def test_numpy_linear_model_computes_what_training_fitted(tiny_model):
    import numpy as np
    import torch

    from models.inference import EmbeddedNetwork
    from models.network import linear_features
    from models.weights import LINEAR_COMPLAINT_COLUMN, LINEAR_GATE_COLUMN, LINEAR_SENTIMENT_COLUMNS

    meta, folder = tiny_model
    output, featurizer, posts, arrays = numpy_run(meta, folder)
    x = linear_features([(p.words.ids, featurizer.char_bag(p)) for p in posts], meta.features.buckets)
    weight, bias = (torch.from_numpy(arrays[k].astype(np.float32)) for k in ("linear.weight", "linear.bias"))
    expected = (torch.sparse.mm(x, weight) + bias).numpy()
    assert output.linear_logits is not None and output.customer_logit is not None
    np.testing.assert_allclose(output.linear_logits, expected[:, :LINEAR_SENTIMENT_COLUMNS].reshape(len(posts), -1, 3), atol=1e-4)
    np.testing.assert_allclose(output.customer_logit, expected[:, LINEAR_GATE_COLUMN], atol=1e-4)
    # The complaint logit of a post is the network's and the linear model's, mixed as asked.
    network = EmbeddedNetwork(arrays, featurizer.char_ids)
    mixed = network.run([p.words.ids for p in posts], [p.char_words for p in posts], [1.0, 0.25, 0.0])
    linear, net = expected[:, LINEAR_COMPLAINT_COLUMN], output.complaint_logit
    np.testing.assert_allclose(mixed.complaint_logit, [linear[0], 0.75 * net[1] + 0.25 * linear[1], net[2]], atol=1e-4)
    # The words' shares of it add up to the logit less its bias terms.
    assert abs(sum(mixed.word_shares[0]) + sum(mixed.char_shares[0]) - (linear[0] - bias[LINEAR_COMPLAINT_COLUMN].item())) < 1e-3


@pytest.mark.slow
def test_a_teacher_is_distilled_into_the_linear_complaint_column_only(data_dir: Path, tmp_path: Path, tiny_model,
                                                                      complaint_dir: Path):
    from dataclasses import replace

    from safetensors.numpy import load_file

    from models.weights import LINEAR_COMPLAINT_COLUMN

    meta = train(data_dir, tmp_path, replace(TINY, teacher=str(complaint_dir), distil_copies=2))

    taught, plain = (load_file(str(folder / "model.safetensors"))["linear.weight"] for folder in (tmp_path, tiny_model[1]))
    others = [column for column in range(plain.shape[1]) if column != LINEAR_COMPLAINT_COLUMN]
    assert (taught[:, others] == plain[:, others]).all()
    assert (taught[:, LINEAR_COMPLAINT_COLUMN] != plain[:, LINEAR_COMPLAINT_COLUMN]).any()
    assert meta.training["config"]["teacher"] == str(complaint_dir)
