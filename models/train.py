"""Training the embedded model: ``python -m models.train [--data DIR] [--out DIR] [--seed N]``.

Trains on the train splits of ``umsab`` (sentiment, 8 languages), ``complaints`` (English
complaints) and ``airline_es`` (Spanish airline sentiment; its negatives also teach the complaint
head, its neutral and positive tweets are non-complaints). ``airline_us`` is never read for
training: its licence (CC BY-NC-SA) forbids shipping weights made from it. Each epoch is scored
on the dev splits, the best epoch is kept, and the output probabilities are calibrated on dev.
A linear sentiment model on the same hashed features is trained beside the network (per head:
UMSAB on ``umsab``, the airline head on ``airline_es`` plus UMSAB's Spanish tweets) and its
calibrated probabilities are averaged with the network's, with a weight chosen on dev. With
``--teacher`` (a complaint model made by ``python -m models.finetune``) the linear complaint model
also learns that model's readings of rewritten complaint tweets (``models/distil.py``), as the
shipped model did. Seeded and single-threaded, so the same data, seed and teacher give the same weights.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from models.calibration import (
    binary_ece,
    cross_fitted_ece,
    expected_calibration_error,
    fit_platt,
    fit_temperature,
    top_label_ece,
)
from models.data import Example, read_examples
from models.distil import teacher_probabilities, transfer_set
from models.evaluation import macro_f1
from models.features import FeatureSpec, Featurizer, to_bag
from models.network import MultitaskNet, linear_features
from models.weights import (
    LINEAR_COMPLAINT_COLUMN,
    LINEAR_GATE_COLUMN,
    LINEAR_SENTIMENT_COLUMNS,
    META_FILE,
    SENTIMENT_HEADS,
    WEIGHTS_FILE,
    Calibration,
    ModelMeta,
    NetworkSpec,
    per_language,
)

log = logging.getLogger(__name__)

TRAIN_SETS: tuple[str, ...] = ("umsab", "complaints", "airline_es")
_NO_LABEL = -1


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of a training run (the defaults are the shipped model's)."""

    seed: int = 13
    epochs: int = 5
    batch_size: int = 32
    lr_embedding: float = 0.005
    lr_dense: float = 0.002
    dropout: float = 0.3
    # Share of a post's feature ids left out at each training step, so no single n-gram carries it.
    feature_dropout: float = 0.3
    # Learning rates fall linearly to zero over the run (fastText's schedule) when set.
    linear_decay: bool = True
    buckets: int = 2**18
    dim: int = 64
    hidden: int = 128
    # Weight of airline_es tweets as complaint examples: their labels are a proxy, not annotations.
    airline_es_complaint_weight: float = 1.0
    # UMSAB tweets as weak complaint examples in every language: neutral/positive ones as non-complaints,
    # negative ones as complaints (general tweets, so a proxy). Both sides, with equal weight: with the
    # non-complaints alone, the only complaint examples were English and Spanish, so the head learnt
    # "Arabic, German, French, Italian or Portuguese" as "not a complaint" and flagged 0-2 % of them.
    umsab_non_complaint_weight: float = 0.3
    umsab_negative_complaint_weight: float = 0.3
    # The linear sentiment model: L2 penalty (sum of squared weights) and L-BFGS iterations;
    # 0 iterations ships the network alone.
    linear_l2: float = 3e-5
    linear_iterations: int = 150
    # Scale each feature by its naive-Bayes log-count ratio per class (NB-LR, Wang & Manning 2012).
    linear_nb: bool = True
    # A complaint model made by `python -m models.finetune`: the linear complaint model also learns its
    # readings of `distil_copies` rewrites of each complaint tweet (models/distil.py). None: labels only.
    teacher: str | None = None
    distil_copies: int = 16
    # L2 of the distilled complaint column: rewrites and soft targets already regularise it, and it
    # scored 0.837 / 0.842 at 1e-5 / 3e-6 on dev (24 rewrites per tweet, a scratch run).
    distil_l2: float = 3e-6
    limit: int | None = None


@dataclass
class Encoded:
    """A data split as tensors: features and, per post, its sentiment head and label (-1: none) and its
    complaint label with the weight it has in the loss."""

    posts: list[tuple[list[int], list[int]]]
    sentiment_head: torch.Tensor
    sentiment_label: torch.Tensor
    complaint_label: torch.Tensor
    complaint_weight: torch.Tensor
    langs: list[str]


def _encode(name: str, examples: Sequence[Example], featurizer: Featurizer, config: TrainConfig) -> Encoded:
    """Attach each data set's labels to the heads it trains."""
    n = len(examples)
    head = torch.full((n,), _NO_LABEL)
    sentiment = torch.full((n,), _NO_LABEL)
    labels = torch.tensor([e.label for e in examples])
    if name == "complaints":
        complaint, weight = labels.float(), torch.ones(n)
    else:
        # A sentiment set: its negative posts stand in for complaints (a proxy), weighted per set.
        head[:] = SENTIMENT_HEADS.index(name)
        sentiment = labels
        complaint = (labels == 0).float()
        if name == "airline_es":
            weight = torch.full((n,), config.airline_es_complaint_weight)
        else:
            weight = torch.where(labels == 0, config.umsab_negative_complaint_weight, config.umsab_non_complaint_weight)
    return Encoded(
        posts=[(f.words.ids, featurizer.char_bag(f)) for f in map(featurizer.features, (e.text for e in examples))],
        sentiment_head=head,
        sentiment_label=sentiment,
        complaint_label=complaint,
        complaint_weight=weight,
        langs=[e.lang for e in examples],
    )


def _concat(parts: Sequence[Encoded]) -> Encoded:
    return Encoded(
        posts=[p for part in parts for p in part.posts],
        sentiment_head=torch.cat([p.sentiment_head for p in parts]),
        sentiment_label=torch.cat([p.sentiment_label for p in parts]),
        complaint_label=torch.cat([p.complaint_label for p in parts]),
        complaint_weight=torch.cat([p.complaint_weight for p in parts]),
        langs=[lang for part in parts for lang in part.langs],
    )


def _bags(posts: Sequence[tuple[list[int], list[int]]]) -> tuple[tuple[torch.Tensor, torch.Tensor], ...]:
    return tuple(
        tuple(torch.from_numpy(a) for a in to_bag([p[part] for p in posts]))  # type: ignore[misc]
        for part in (0, 1)
    )


def _drop_features(
    posts: Sequence[tuple[list[int], list[int]]], rate: float, generator: random.Random
) -> list[tuple[list[int], list[int]]]:
    """Leave out each feature id with probability ``rate`` (keeping at least one word feature)."""
    if rate <= 0:
        return list(posts)
    kept = []
    for words, chars in posts:
        kept_words = [i for i in words if generator.random() >= rate] or words[:1]
        kept.append((kept_words, [i for i in chars if generator.random() >= rate]))
    return kept


def _loss(
    net: MultitaskNet, data: Encoded, index: torch.Tensor, dropout: nn.Dropout, feature_dropout: float,
    generator: random.Random,
) -> torch.Tensor:
    posts = _drop_features([data.posts[i] for i in index], feature_dropout, generator)
    sentiment_logits, complaint_logit = net.heads(dropout(net.bags(*_bags(posts))))
    head, label = data.sentiment_head[index], data.sentiment_label[index]
    has_sentiment = head != _NO_LABEL
    loss = torch.zeros(())
    if has_sentiment.any():
        rows = sentiment_logits[has_sentiment, head[has_sentiment]]
        loss = loss + nn.functional.cross_entropy(rows, label[has_sentiment], reduction="sum")
    weight = data.complaint_weight[index]
    bce = nn.functional.binary_cross_entropy_with_logits(complaint_logit, data.complaint_label[index], reduction="none")
    return (loss + (bce * weight).sum()) / len(index)


@torch.no_grad()
def _predict(net: MultitaskNet, posts: Sequence[tuple[list[int], list[int]]]) -> tuple[torch.Tensor, torch.Tensor]:
    net.eval()
    outputs = [net(*_bags(posts[i : i + 512])) for i in range(0, len(posts), 512)]
    return torch.cat([o[0] for o in outputs]), torch.cat([o[1] for o in outputs])


def _per_lang_f1(gold: torch.Tensor, predicted: torch.Tensor, langs: Sequence[str], labels: Sequence[int]) -> dict[str, float]:
    scores = {}
    for lang in sorted(set(langs)):
        idx = [i for i, x in enumerate(langs) if x == lang]
        scores[lang] = macro_f1(gold[idx].tolist(), predicted[idx].tolist(), labels)
    return scores


def dev_scores(
    net: MultitaskNet,
    dev: dict[str, Encoded],
    es_mix: float | dict[str, torch.Tensor] = 0.0,
    calibration: Calibration | None = None,
    linear: dict[str, torch.Tensor] | None = None,
    linear_mix: Sequence[float] = (0.0,) * len(SENTIMENT_HEADS),
    complaint_raw: dict[str, torch.Tensor] | None = None,
    complaint_sentiment_mix: dict[str, float] | None = None,
) -> dict[str, float]:
    """Dev macro-F1 of each target: UMSAB (mean over languages), complaints, airline_es both ways.

    ``es_mix`` is the weight of the airline head in the sentiment of Spanish posts, one for all or,
    per dev set, one per post (the customer gate's probability, see :func:`_fit_customer_gate`); the complaint
    threshold is 0.5 after ``calibration``. ``linear`` holds, per dev set, the linear model's
    calibrated probabilities ``(posts, heads, 3)``, weighted ``linear_mix`` per head.
    ``complaint_raw`` holds, per dev set, the complaint logits before calibration (default: the
    network's; see :func:`_complaint_raw`); ``complaint_sentiment_mix`` the weight per language of
    the negative probability in the complaint probability (default: none).
    """
    calibration = calibration or Calibration()
    scores: dict[str, float] = {}
    for name, data in dev.items():
        sentiment_probs, complaint = _dev_probabilities(
            net, dev, name, es_mix, calibration, linear, linear_mix, complaint_raw, complaint_sentiment_mix
        )
        flagged = (complaint >= 0.5).long().tolist()
        if name == "complaints":
            scores["complaints"] = macro_f1(data.complaint_label.long().tolist(), flagged, (0, 1))
            continue
        per_lang = _per_lang_f1(data.sentiment_label, sentiment_probs.argmax(-1), data.langs, (0, 1, 2))
        if name == "umsab":
            scores.update({f"umsab_{lang}": f1 for lang, f1 in per_lang.items()})
            scores["umsab"] = sum(per_lang.values()) / len(per_lang)
        else:
            scores["airline_es_sentiment"] = per_lang["es"]
            scores["airline_es_complaint"] = macro_f1((data.sentiment_label == 0).long().tolist(), flagged, (0, 1))
    return scores


def _dev_probabilities(
    net: MultitaskNet,
    dev: dict[str, Encoded],
    name: str,
    es_mix: float | dict[str, torch.Tensor],
    calibration: Calibration,
    linear: dict[str, torch.Tensor] | None,
    linear_mix: Sequence[float],
    complaint_raw: dict[str, torch.Tensor] | None,
    complaint_sentiment_mix: dict[str, float] | None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sentiment probabilities ``(posts, 3)`` and complaint probabilities of the posts of the dev set
    ``name``, as the classifier computes them (see :func:`dev_scores` for the arguments)."""
    data = dev[name]
    sentiment_logits, raw_complaint = _predict(net, data.posts)
    if complaint_raw is not None:
        raw_complaint = complaint_raw[name]
    complaint_logit = torch.from_numpy(calibration.complaint_logit(raw_complaint.numpy(), data.langs))
    temperature = torch.tensor(calibration.sentiment_temperature)[None, :, None]
    probs = (sentiment_logits / temperature).softmax(-1)
    if linear is not None:
        weight = torch.tensor(linear_mix)[None, :, None]
        probs = probs * (1 - weight) + linear[name] * weight
    is_es = torch.tensor([lang == "es" for lang in data.langs])[:, None]
    airline_weight = es_mix[name][:, None] if isinstance(es_mix, dict) else torch.tensor(es_mix)
    mix = torch.where(is_es, airline_weight, 0.0)
    sentiment = probs[:, 0] * (1 - mix) + probs[:, 1] * mix
    negative_mix = complaint_sentiment_mix or {"*": 0.0}
    negative_weight = torch.tensor(per_language(negative_mix, data.langs))
    complaint = complaint_logit.sigmoid() * (1 - negative_weight) + sentiment[:, 0] * negative_weight
    return sentiment, complaint


def _selection_score(scores: dict[str, float]) -> float:
    """What early stopping maximises: the mean of the four targets."""
    keys = ("umsab", "complaints", "airline_es_sentiment", "airline_es_complaint")
    return sum(scores[k] for k in keys) / len(keys)


def _calibrate(
    net: MultitaskNet, dev: dict[str, Encoded], complaint_raw: dict[str, torch.Tensor]
) -> tuple[Calibration, dict[str, float]]:
    """Fit temperatures and Platt scaling (of ``complaint_raw``, the complaint logits per dev set)
    on dev; report ECE before and after (2-fold cross-fit)."""
    temperatures = []
    report: dict[str, float] = {}
    for head, name in enumerate(SENTIMENT_HEADS):
        logits = _predict(net, dev[name].posts)[0][:, head]
        labels = dev[name].sentiment_label
        temperatures.append(fit_temperature(logits, labels))
        report[f"ece_sentiment_{name}_before"] = top_label_ece(logits, labels)
        report[f"ece_sentiment_{name}_after"] = cross_fitted_ece(
            logits, labels, lambda lg, lb: fit_temperature(lg, lb), lambda lg, t: lg / t, top_label_ece
        )
    # Complaint: English from the complaints dev set, Spanish from airline_es (negative = complaint),
    # for every other language the network's own logits (which they use) on both together.
    gold = {name: dev[name].complaint_label.long() for name in ("complaints", "airline_es")}
    complaint_dev = {
        "en": (complaint_raw["complaints"], gold["complaints"]),
        "es": (complaint_raw["airline_es"], gold["airline_es"]),
        "*": (torch.cat([_predict(net, dev[name].posts)[1] for name in gold]), torch.cat(list(gold.values()))),
    }
    platt = {}
    for lang, (logits, labels) in complaint_dev.items():
        platt[lang] = fit_platt(logits, labels)
        report[f"ece_complaint_{lang}_before"] = binary_ece(logits, labels)
        report[f"ece_complaint_{lang}_after"] = cross_fitted_ece(
            logits, labels, fit_platt, lambda lg, ab: ab[0] * lg + ab[1], binary_ece
        )
    calibration = Calibration(sentiment_temperature=tuple(temperatures), complaint=platt)
    return calibration, report


def _choose_es_mix(
    net: MultitaskNet, dev: dict[str, Encoded], calibration: Calibration, **linear: object
) -> float:
    """The airline-head weight for Spanish that maximises what early stopping maximises, the mean
    of the four targets: here UMSAB's mean over languages + airline_es sentiment on dev (UMSAB-es
    counts as one language of eight, as it does in the UMSAB target)."""
    def value(mix: float) -> float:
        sets = {k: dev[k] for k in ("umsab", "airline_es")}
        scores = dev_scores(net, sets, es_mix=mix, calibration=calibration, **linear)  # type: ignore[arg-type]
        return scores["umsab"] + scores["airline_es_sentiment"]

    return max((0.0, 0.25, 0.5, 0.75, 1.0), key=value)


def _read(data_dir: Path, name: str, split: str, config: TrainConfig) -> list[Example]:
    examples = read_examples(data_dir / name / f"{split}.jsonl")
    if config.limit:
        # Every n-th post rather than the first ones: files are sorted by language.
        examples = examples[:: max(1, len(examples) // config.limit)][: config.limit]
    return examples


def _load(data_dir: Path, split: str, featurizer: Featurizer, config: TrainConfig) -> dict[str, Encoded]:
    return {name: _encode(name, _read(data_dir, name, split, config), featurizer, config) for name in TRAIN_SETS}


def _distilled(data_dir: Path, featurizer: Featurizer, config: TrainConfig) -> tuple[list[tuple[list[int], list[int]]], torch.Tensor]:
    """The transfer set of the complaint tweets as features, and the teacher's complaint probability of each."""
    texts = transfer_set([e.text for e in _read(data_dir, "complaints", "train", config)], config.distil_copies, config.seed)
    probabilities = teacher_probabilities(Path(config.teacher), texts)  # type: ignore[arg-type]
    posts = [(f.words.ids, featurizer.char_bag(f)) for f in map(featurizer.features, texts)]
    log.info("transfer set: %d rewrites, teacher's mean complaint probability %.3f", len(texts), probabilities.mean())
    return posts, probabilities


def _linear_training_sets(train_sets: dict[str, Encoded]) -> list[tuple[list[tuple[list[int], list[int]]], torch.Tensor]]:
    """Per sentiment head, the posts and labels its linear model learns from: UMSAB for UMSAB, and
    for the airline head the Spanish airline tweets plus UMSAB's Spanish tweets (more Spanish)."""
    umsab = train_sets["umsab"]
    spanish = [i for i, lang in enumerate(umsab.langs) if lang == "es"]
    airline = train_sets["airline_es"]
    return [
        (umsab.posts, umsab.sentiment_label),
        (airline.posts + [umsab.posts[i] for i in spanish], torch.cat([airline.sentiment_label, umsab.sentiment_label[spanish]])),
    ]


def _nb_ratios(x: torch.Tensor, labels: torch.Tensor, classes: int, alpha: float = 1.0) -> torch.Tensor:
    """Per feature and class, the log-ratio of its (smoothed, binarised) share in that class's
    posts to its share in the other classes': ``(features, classes)``. ``labels`` are class ids, or
    class probabilities ``(posts, classes)``, which count each post in each class by its share."""
    present = torch.sparse_coo_tensor(x.indices(), torch.ones_like(x.values()), x.shape, check_invariants=True)
    onehot = labels if labels.is_floating_point() else nn.functional.one_hot(labels, classes).float()
    inside = torch.sparse.mm(present.t(), onehot).to_dense() + alpha
    outside = torch.sparse.mm(present.t(), 1 - onehot).to_dense() + alpha
    return torch.log(inside / inside.sum(0)) - torch.log(outside / outside.sum(0))


def train_linear(
    x: torch.Tensor,
    labels: torch.Tensor,
    l2: float,
    iterations: int,
    nb: bool = False,
    classes: int = 3,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Multinomial logistic regression on sparse features by full-batch L-BFGS: ``(weight, bias)``,
    weight ``(features, classes)``; with ``nb`` the features are scaled by their NB log-count
    ratios (folded into the returned weight). ``labels``: class ids, or class probabilities
    ``(posts, classes)`` (soft targets). Deterministic: no sampling, one thread."""
    scale = _nb_ratios(x, labels, classes) if nb else torch.ones(())
    weight = torch.zeros(x.shape[1], classes, requires_grad=True)
    bias = torch.zeros(classes, requires_grad=True)
    optimiser = torch.optim.LBFGS([weight, bias], lr=1, max_iter=iterations, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = nn.functional.cross_entropy(torch.sparse.mm(x, weight * scale) + bias, labels) + l2 * (weight * weight).sum()
        loss.backward()
        return loss

    optimiser.step(closure)
    return (weight * scale).detach(), bias.detach()


def _linear_probs(
    linear: tuple[torch.Tensor, torch.Tensor], dev: dict[str, Encoded], temperatures: Sequence[float], buckets: int
) -> dict[str, torch.Tensor]:
    """Per dev set, the linear model's sentiment probabilities ``(posts, heads, 3)`` after ``temperatures``."""
    weight, bias = linear[0][:, :LINEAR_SENTIMENT_COLUMNS], linear[1][:LINEAR_SENTIMENT_COLUMNS]
    out = {}
    for name in dev:
        logits = (torch.sparse.mm(linear_features(dev[name].posts, buckets), weight) + bias).view(-1, len(SENTIMENT_HEADS), 3)
        out[name] = (logits / torch.tensor(temperatures)[None, :, None]).softmax(-1)
    return out


def _linear_column(
    linear: tuple[torch.Tensor, torch.Tensor], dev: dict[str, Encoded], column: int, buckets: int
) -> dict[str, torch.Tensor]:
    """Per dev set, the logits of one column of the linear model (complaint or customer gate)."""
    weight, bias = linear[0][:, column : column + 1], linear[1][column]
    return {name: torch.sparse.mm(linear_features(data.posts, buckets), weight).squeeze(1) + bias for name, data in dev.items()}


def _train_binary(
    posts: Sequence[tuple[list[int], list[int]]], labels: torch.Tensor, config: TrainConfig
) -> tuple[torch.Tensor, torch.Tensor]:
    """A two-class logistic regression as one weight column ``(buckets, 1)`` and a bias ``(1,)``:
    logit = x · w + b. ``labels``: 0/1 ids, or probabilities ``(posts, 2)``."""
    weight, bias = train_linear(
        linear_features(posts, config.buckets), labels, config.linear_l2, config.linear_iterations, config.linear_nb,
        classes=2,
    )
    return (weight[:, 1] - weight[:, 0])[:, None], (bias[1] - bias[0]).reshape(1)


def _fit_linear_complaint(
    complaints: Encoded, config: TrainConfig,
    distilled: tuple[list[tuple[list[int], list[int]]], torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Logistic regression on the English complaints (mixing in the Spanish airline proxies cost
    English 0.01-0.04 dev F1, and the network already covers Spanish), and on the ``distilled``
    transfer set with the teacher's probabilities as soft targets (:func:`_distilled`)."""
    labels = complaints.complaint_label.long()
    if distilled is None:
        return _train_binary(complaints.posts, labels, config)
    posts, probabilities = distilled
    targets = torch.cat([nn.functional.one_hot(labels, 2).float(), torch.stack([1 - probabilities, probabilities], 1)])
    return _train_binary(complaints.posts + posts, targets, replace(config, linear_l2=config.distil_l2))


def _fit_customer_gate(train_sets: dict[str, Encoded], config: TrainConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """Logistic regression telling a Spanish customer message (``airline_es``) from a general
    Spanish tweet (UMSAB's): which sentiment head to trust."""
    umsab, airline = train_sets["umsab"], train_sets["airline_es"]
    general = [post for post, lang in zip(umsab.posts, umsab.langs, strict=True) if lang == "es"]
    labels = torch.cat([torch.zeros(len(general), dtype=torch.long), torch.ones(len(airline.posts), dtype=torch.long)])
    return _train_binary(general + airline.posts, labels, config)


def _fit_linear(
    train_sets: dict[str, Encoded], dev: dict[str, Encoded], config: TrainConfig,
    distilled: tuple[list[tuple[list[int], list[int]]], torch.Tensor] | None = None,
) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[float, ...]]:
    """Train the linear model of each sentiment head, the complaint one and the customer gate,
    rounded to fp16 as they ship, and fit each sentiment head's temperature on its dev set:
    ``((weight (buckets, LINEAR_COLUMNS), bias), temperatures)``."""
    weights, biases, temperatures = [], [], []
    for head, (posts, labels) in enumerate(_linear_training_sets(train_sets)):
        weight, bias = train_linear(linear_features(posts, config.buckets), labels, config.linear_l2, config.linear_iterations, config.linear_nb)
        weight, bias = weight.half().float(), bias.half().float()
        name = SENTIMENT_HEADS[head]
        dev_logits = torch.sparse.mm(linear_features(dev[name].posts, config.buckets), weight) + bias
        temperatures.append(fit_temperature(dev_logits, dev[name].sentiment_label))
        weights.append(weight)
        biases.append(bias)
    for weight, bias in (_fit_linear_complaint(train_sets["complaints"], config, distilled),
                         _fit_customer_gate(train_sets, config)):
        weights.append(weight.half().float())
        biases.append(bias.half().float())
    return (torch.cat(weights, dim=1), torch.cat(biases)), tuple(temperatures)


def _choose_linear_mix(
    net: MultitaskNet, dev: dict[str, Encoded], calibration: Calibration, linear: dict[str, torch.Tensor]
) -> tuple[float, ...]:
    """Per head, the weight of the linear model that maximises that head's dev score (UMSAB mean
    over languages; airline_es sentiment with the airline head alone)."""
    grid = (0.0, 0.25, 0.5, 0.75, 1.0)
    umsab = max(grid, key=lambda w: dev_scores(net, {"umsab": dev["umsab"]}, calibration=calibration, linear=linear, linear_mix=(w, 0.0))["umsab"])
    airline = max(
        grid,
        key=lambda w: dev_scores(
            net, {"airline_es": dev["airline_es"]}, es_mix=1.0, calibration=calibration, linear=linear, linear_mix=(0.0, w)
        )["airline_es_sentiment"],
    )
    return umsab, airline


def _complaint_raw(
    net: MultitaskNet, dev: dict[str, Encoded], linear_logits: dict[str, torch.Tensor] | None, mix: dict[str, float]
) -> dict[str, torch.Tensor]:
    """Per dev set, the complaint logit before calibration as the classifier computes it: the
    network's, averaged with the linear model's ``linear_logits`` with the weight ``mix`` gives
    the post's language (``"*"``: any other)."""
    raw = {name: _predict(net, data.posts)[1] for name, data in dev.items()}
    if linear_logits is None:
        return raw
    out = {}
    for name, logits in raw.items():
        weight = torch.tensor(per_language(mix, dev[name].langs))
        out[name] = (1 - weight) * logits + weight * linear_logits[name]
    return out


def _choose_complaint_mix(
    net: MultitaskNet, dev: dict[str, Encoded], linear_logits: dict[str, torch.Tensor]
) -> dict[str, float]:
    """The English linear complaint model's weight in the complaint logit of English posts that
    maximises the English complaints target on dev, calibrated as it would ship; other languages
    keep the network's logit."""
    def value(weight: float) -> float:
        mix = {"en": weight, "*": 0.0}
        raw = _complaint_raw(net, dev, linear_logits, mix)
        calibration, _ = _calibrate(net, dev, raw)
        return dev_scores(net, {"complaints": dev["complaints"]}, calibration=calibration, complaint_raw=raw)["complaints"]

    return {"en": max((0.0, 0.25, 0.5, 0.75, 1.0), key=value), "*": 0.0}


def save_weights(net: MultitaskNet, directory: Path, linear: tuple[torch.Tensor, torch.Tensor] | None = None) -> None:
    """Write the network: embedding table as int8 with an fp16 scale per row, other layers fp16;
    and the linear sentiment model's ``(weight, bias)`` in fp16 when given."""
    directory.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().float() for k, v in net.state_dict().items()}
    table = state.pop("embedding.weight")
    scale = (table.abs().amax(dim=1).clamp(min=1e-8) / 127.0).half()
    tensors = {
        "embedding.int8": torch.round(table / scale.float()[:, None]).to(torch.int8),
        "embedding.scale": scale,
        **{k: v.half() for k, v in state.items()},
    }
    if linear is not None:
        tensors["linear.weight"], tensors["linear.bias"] = (t.half().contiguous() for t in linear)
    save_file(tensors, str(directory / WEIGHTS_FILE))


def load_weights(directory: Path, spec: NetworkSpec) -> MultitaskNet:
    """The network as :func:`save_weights` stored it (dequantised), to score what ships."""
    tensors = {k: v for k, v in load_file(str(directory / WEIGHTS_FILE)).items() if not k.startswith("linear.")}
    table = tensors.pop("embedding.int8").float() * tensors.pop("embedding.scale").float()[:, None]
    net = MultitaskNet(spec)
    net.load_state_dict({"embedding.weight": table, **{k: v.float() for k, v in tensors.items()}})
    return net.eval()


# The languages with complaint labels on dev: the dev set of each, and its complaint target.
_COMPLAINT_DEV = (("en", "complaints", "complaints"), ("es", "airline_es", "airline_es_complaint"))


def _choose_complaint_sentiment_mix(
    net: MultitaskNet, dev: dict[str, Encoded], es_mix: float | dict[str, torch.Tensor], calibration: Calibration,
    **mixing: object,
) -> dict[str, float]:
    """Per language with complaint labels on dev, English (``complaints``) and Spanish
    (``airline_es``, negative = complaint), the weight of the negative probability in the complaint
    probability that maximises that dev set's complaint target. Other languages keep the complaint
    head alone: their negative probability is UMSAB's, read on general tweets, not on complaints."""
    chosen = {"*": 0.0}
    for lang, name, target in _COMPLAINT_DEV:
        def value(weight: float, lang: str = lang, name: str = name, target: str = target) -> float:
            scores = dev_scores(net, {name: dev[name]}, es_mix=es_mix, calibration=calibration,
                                complaint_sentiment_mix={lang: weight, "*": 0.0}, **mixing)  # type: ignore[arg-type]
            return scores[target]

        chosen[lang] = max((0.0, 0.25, 0.5, 0.75, 1.0), key=value)
    return chosen


def _mixed_complaint_ece(
    net: MultitaskNet, dev: dict[str, Encoded], es_mix: float | dict[str, torch.Tensor], calibration: Calibration,
    complaint_sentiment_mix: dict[str, float], linear: dict[str, torch.Tensor] | None, linear_mix: Sequence[float],
    complaint_raw: dict[str, torch.Tensor],
) -> dict[str, float]:
    """Expected calibration error of the complaint probability as it ships, for each language with
    complaint labels on dev that mixes in the negative probability."""
    report = {}
    for lang, name, _ in _COMPLAINT_DEV:
        if complaint_sentiment_mix.get(lang):
            _, complaint = _dev_probabilities(net, dev, name, es_mix, calibration, linear, linear_mix, complaint_raw,
                                              complaint_sentiment_mix)
            report[f"ece_complaint_{lang}_mixed"] = expected_calibration_error(complaint, dev[name].complaint_label.long())
    return report


def train(data_dir: Path, out_dir: Path, config: TrainConfig = TrainConfig()) -> ModelMeta:
    """Train, early-stop and calibrate on dev, save to ``out_dir`` and return the model's meta."""
    started = time.monotonic()
    torch.manual_seed(config.seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    feature_spec = FeatureSpec(buckets=config.buckets)
    featurizer = Featurizer(feature_spec)
    train_sets = _load(data_dir, "train", featurizer, config)
    train_data = _concat(list(train_sets.values()))
    dev = _load(data_dir, "dev", featurizer, config)
    net = MultitaskNet(NetworkSpec(buckets=config.buckets, dim=config.dim, hidden=config.hidden), sparse=True)
    dropout = nn.Dropout(config.dropout)
    sparse_opt = torch.optim.SparseAdam(list(net.embedding.parameters()), lr=config.lr_embedding)
    dense_params = [p for n, p in net.named_parameters() if not n.startswith("embedding")]
    dense_opt = torch.optim.Adam(dense_params, lr=config.lr_dense)
    steps = config.epochs * -(-len(train_data.posts) // config.batch_size)
    schedules = [
        torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1 - step / steps if config.linear_decay else 1.0)
        for opt in (sparse_opt, dense_opt)
    ]
    generator = torch.Generator().manual_seed(config.seed)
    feature_generator = random.Random(config.seed)
    best: tuple[float, int, dict[str, torch.Tensor], dict[str, float]] | None = None
    for epoch in range(1, config.epochs + 1):
        net.train()
        for index in torch.randperm(len(train_data.posts), generator=generator).split(config.batch_size):
            sparse_opt.zero_grad()
            dense_opt.zero_grad()
            _loss(net, train_data, index, dropout, config.feature_dropout, feature_generator).backward()
            sparse_opt.step()
            dense_opt.step()
            for schedule in schedules:
                schedule.step()
        scores = dev_scores(net, dev)
        selection = _selection_score(scores)
        log.info("epoch=%d selection=%.4f %s", epoch, selection, " ".join(f"{k}={v:.4f}" for k, v in scores.items()))
        if best is None or selection > best[0]:
            best = (selection, epoch, {k: v.clone() for k, v in net.state_dict().items()}, scores)
    assert best is not None
    _, best_epoch, state, _ = best
    net.load_state_dict(state)
    # Calibrate and score the network as it ships, after int8/fp16 rounding.
    save_weights(net, out_dir)
    net = load_weights(out_dir, net.spec)
    linear_model, linear_complaint, complaint_mix = None, None, {"*": 0.0}
    if config.linear_iterations > 0:
        distilled = _distilled(data_dir, featurizer, config) if config.teacher else None
        linear_model, temperatures = _fit_linear(train_sets, dev, config, distilled)
        linear_complaint = _linear_column(linear_model, dev, LINEAR_COMPLAINT_COLUMN, config.buckets)
        complaint_mix = _choose_complaint_mix(net, dev, linear_complaint)
    complaint_raw = _complaint_raw(net, dev, linear_complaint, complaint_mix)
    calibration, ece = _calibrate(net, dev, complaint_raw)
    linear_mix, linear_dev = (0.0,) * len(SENTIMENT_HEADS), None
    if linear_model is not None:
        calibration = Calibration(calibration.sentiment_temperature, calibration.complaint, temperatures)
        linear_dev = _linear_probs(linear_model, dev, temperatures, config.buckets)
        linear_mix = _choose_linear_mix(net, dev, calibration, linear_dev)
        save_weights(net, out_dir, linear_model)
    # Mixed as the classifier mixes them: probabilities after each head's temperature.
    mixing = {"linear": linear_dev, "linear_mix": linear_mix, "complaint_raw": complaint_raw}
    # Spanish posts: the customer gate picks the head when a linear model ships, else a fixed mix.
    es_mix: float | dict[str, torch.Tensor]
    if linear_model is not None:
        customer = _linear_column(linear_model, dev, LINEAR_GATE_COLUMN, config.buckets)
        es_mix, head_mix, gated = {name: logits.sigmoid() for name, logits in customer.items()}, {"*": (1.0, 0.0)}, ("es",)
    else:
        es_mix = _choose_es_mix(net, dev, calibration, **mixing)
        head_mix, gated = {"*": (1.0, 0.0), "es": (1.0 - es_mix, es_mix)}, ()
    sentiment_mix = _choose_complaint_sentiment_mix(net, dev, es_mix, calibration, **mixing)
    ece.update(_mixed_complaint_ece(net, dev, es_mix, calibration, sentiment_mix, linear_dev, linear_mix, complaint_raw))
    scores = dev_scores(net, dev, es_mix=es_mix, calibration=calibration, complaint_sentiment_mix=sentiment_mix,
                        **mixing)  # type: ignore[arg-type]
    meta = ModelMeta(
        features=feature_spec,
        network=net.spec,
        calibration=calibration,
        head_mix=head_mix,
        gated_languages=gated,
        linear_mix=linear_mix,
        complaint_linear_mix=complaint_mix,
        complaint_sentiment_mix=sentiment_mix,
        training={
            "config": asdict(config),
            "data_sets": list(TRAIN_SETS),
            "best_epoch": best_epoch,
            "dev": {k: round(v, 4) for k, v in scores.items()},
            "calibration": {k: round(v, 4) for k, v in ece.items()},
            "seconds": round(time.monotonic() - started, 1),
        },
    )
    (out_dir / META_FILE).write_text(meta.to_json())
    log.info("saved=%s best_epoch=%d head_mix=%s gated=%s complaint_mix=%s complaint_sentiment_mix=%s %s",
             out_dir, best_epoch, head_mix, gated, complaint_mix, sentiment_mix, ece)
    return meta


if __name__ == "__main__":
    from models.commands import train_command

    train_command()
