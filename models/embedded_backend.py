"""The ``embedded`` backend: the small multitask model trained by ``python -m models.train``.

Its weights ship in ``models/embedded/`` (``model.safetensors`` with the embedding table stored as
int8 with one scale per row, and ``model.json`` with the feature and network sizes, the
calibration and the dev scores). Loading takes a fraction of a second and no network.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from listener.domain import SENTIMENTS, Classification
from models.errors import ModelNotAvailable
from models.features import FeatureBag, FeatureSpec, Featurizer, PostFeatures, to_bag
from models.language import LanguageDetector
from models.network import SENTIMENT_HEADS, MultitaskNet, NetworkSpec

WEIGHTS_DIR = Path(__file__).resolve().parent / "embedded"
_WEIGHTS_FILE = "model.safetensors"
_META_FILE = "model.json"
_MAX_CUES = 5


@dataclass(frozen=True)
class Calibration:
    """Fitted on dev: a temperature per sentiment head, and Platt ``(a, b)`` for the complaint logit
    per language (``"*"``: every language without dev data of its own)."""

    sentiment_temperature: tuple[float, ...] = (1.0,) * len(SENTIMENT_HEADS)
    complaint: dict[str, tuple[float, float]] = field(default_factory=lambda: {"*": (1.0, 0.0)})

    def complaint_logit(self, raw: torch.Tensor, langs: Sequence[str]) -> torch.Tensor:
        """Calibrated complaint logits of posts in ``langs``."""
        a, b = torch.tensor([self.complaint.get(lang, self.complaint["*"]) for lang in langs]).reshape(-1, 2).T
        return a * raw + b


@dataclass(frozen=True)
class ModelMeta:
    """Everything needed to read the weights back, plus how they were made and scored."""

    features: FeatureSpec
    network: NetworkSpec
    calibration: Calibration
    # Per language, the weight of each sentiment head in the sentiment it reports ("*": others).
    head_mix: dict[str, tuple[float, ...]] = field(default_factory=lambda: {"*": (1.0, 0.0)})
    training: dict[str, object] = field(default_factory=dict)

    @classmethod
    def from_json(cls, text: str) -> ModelMeta:
        raw = json.loads(text)
        return cls(
            features=FeatureSpec(**raw["features"]),
            network=NetworkSpec(**raw["network"]),
            calibration=Calibration(
                sentiment_temperature=tuple(raw["calibration"]["sentiment_temperature"]),
                complaint={lang: tuple(ab) for lang, ab in raw["calibration"]["complaint"].items()},
            ),
            head_mix={lang: tuple(w) for lang, w in raw["head_mix"].items()},
            training=raw.get("training", {}),
        )


def save_model(net: MultitaskNet, meta: ModelMeta, directory: Path) -> None:
    """Write the network (embedding table as int8 + row scales, the rest fp16) and its meta."""
    directory.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().float() for k, v in net.state_dict().items()}
    table = state.pop("embedding.weight")
    scale = table.abs().amax(dim=1).clamp(min=1e-8) / 127.0
    tensors = {
        "embedding.int8": torch.round(table / scale[:, None]).to(torch.int8),
        "embedding.scale": scale.half(),
        **{k: v.half() for k, v in state.items()},
    }
    save_file(tensors, str(directory / _WEIGHTS_FILE))
    (directory / _META_FILE).write_text(json.dumps(asdict(meta), indent=2, ensure_ascii=False) + "\n")


def load_network(directory: Path) -> tuple[MultitaskNet, ModelMeta]:
    """Read a network and its meta written by :func:`save_model`."""
    weights, meta_path = directory / _WEIGHTS_FILE, directory / _META_FILE
    if not weights.is_file() or not meta_path.is_file():
        raise ModelNotAvailable(
            f"no embedded model in {directory} (expected {_WEIGHTS_FILE} and {_META_FILE}): train one with "
            f"`python -m models.train --out {directory}`, or set classifier.backend = \"lexicon\""
        )
    meta = ModelMeta.from_json(meta_path.read_text())
    tensors = load_file(str(weights))
    table = tensors.pop("embedding.int8").float() * tensors.pop("embedding.scale").float()[:, None]
    net = MultitaskNet(meta.network)
    net.load_state_dict({"embedding.weight": table, **{k: v.float() for k, v in tensors.items()}})
    net.eval()
    return net, meta


class EmbeddedClassifier:
    """Classifies posts with the shipped multitask model; cues are the words that pushed the
    complaint score up most (gradient × embedding, summed per word) plus lexicon hits.

    Example::

        >>> classifier = EmbeddedClassifier.load()
        >>> [c] = classifier.classify(["@Iberia me cancelaron el vuelo y nadie responde"])
        >>> c.lang, c.sentiment, c.complaint_prob > 0.5
        ('es', 'negative', True)
    """

    name = "embedded"

    def __init__(
        self,
        net: MultitaskNet,
        meta: ModelMeta,
        detector: LanguageDetector | None = None,
        batch_size: int = 64,
    ) -> None:
        self._net = net
        self.meta = meta
        self._featurizer = Featurizer(meta.features)
        self._detector = detector or LanguageDetector()
        self._batch_size = batch_size

    @classmethod
    def load(
        cls, path: str | Path | None = None, threads: int | None = None, batch_size: int = 64
    ) -> EmbeddedClassifier:
        """Load the model from ``path`` (default: the weights shipped in the package)."""
        if threads:
            torch.set_num_threads(threads)
        net, meta = load_network(Path(path) if path else WEIGHTS_DIR)
        return cls(net, meta, batch_size=batch_size)

    def classify(
        self, texts: Sequence[str], lang_hints: Sequence[str | None] | None = None
    ) -> list[Classification]:
        """Return one classification per text, in order."""
        langs = self._detector.detect_many(texts, lang_hints)
        results: list[Classification] = []
        for start in range(0, len(texts), self._batch_size):
            end = start + self._batch_size
            results.extend(self._classify_batch(texts[start:end], langs[start:end]))
        return results

    def _classify_batch(self, texts: Sequence[str], langs: Sequence[str]) -> list[Classification]:
        posts = [self._featurizer.features(text) for text in texts]
        if not posts:
            return []
        words = to_bag([p.words.ids for p in posts])
        chars = to_bag([p.chars.ids for p in posts])
        with torch.no_grad():
            bag = self._net.bags(words, chars)
        bag.requires_grad_(True)
        sentiment_logits, complaint_logit = self._net.heads(bag)
        (gradient,) = torch.autograd.grad(complaint_logit.sum(), bag)
        calibration = self.meta.calibration
        dim = self._net.spec.dim
        with torch.no_grad():
            temperature = torch.tensor(calibration.sentiment_temperature)[None, :, None]
            head_probs = torch.softmax(sentiment_logits / temperature, dim=-1)
            mix = torch.tensor([self.meta.head_mix.get(lang, self.meta.head_mix["*"]) for lang in langs])
            sentiment = (head_probs * mix[:, :, None]).sum(dim=1)
            complaint = torch.sigmoid(calibration.complaint_logit(complaint_logit, langs))
            word_parts = self._contributions(*words, gradient[:, :dim])
            char_parts = self._contributions(*chars, gradient[:, dim:])
        return [
            Classification(
                lang=lang,
                sentiment=SENTIMENTS[int(probs.argmax())],
                sentiment_probs=(float(probs[0]), float(probs[1]), float(probs[2])),
                complaint_prob=float(p),
                cues=self._cues(post, ((post.words, w), (post.chars, c)), float(p)),
                model=self.name,
            )
            for post, lang, probs, p, w, c in zip(posts, langs, sentiment, complaint, word_parts, char_parts)
        ]

    def _contributions(self, ids: torch.Tensor, offsets: torch.Tensor, gradient: torch.Tensor) -> list[torch.Tensor]:
        """Per feature, how much it moved its post's complaint logit (first-order, via the bag mean)."""
        lengths = torch.diff(offsets, append=torch.tensor([len(ids)]))
        owner = torch.repeat_interleave(torch.arange(len(offsets)), lengths)
        per_feature = (self._net.embedding.weight[ids] * gradient[owner]).sum(dim=1) / lengths[owner]
        return list(torch.split(per_feature, lengths.tolist()))

    def _cues(
        self, post: PostFeatures, parts: Sequence[tuple[FeatureBag, torch.Tensor]], complaint_prob: float
    ) -> tuple[str, ...]:
        """Words and lexicon cues behind the verdict: complaint evidence, or praise when it isn't one."""
        by_source: dict[str, float] = {}
        for bag, contribution in parts:
            for source, value in zip(bag.sources, contribution.tolist()):
                if source and source != "@user":
                    by_source[source] = by_source.get(source, 0.0) + value
        sign = 1.0 if complaint_prob >= 0.5 else -1.0
        ranked = sorted((s for s, v in by_source.items() if sign * v > 0), key=lambda s: -sign * by_source[s])
        wanted = ("complaint", "negative") if sign > 0 else ("positive",)
        lexicon_hits = [text for kind, text in post.cues if kind in wanted]
        return tuple(dict.fromkeys(lexicon_hits + ranked))[:_MAX_CUES]
