"""The ``embedded`` backend: the small multitask model trained by ``python -m models.train``.

Its weights ship in ``models/embedded/`` (``model.safetensors`` with the embedding table stored as
int8 with one scale per row, and kept so in memory, and ``model.json`` with the feature and network sizes, the
calibration and the dev scores). Loading takes a fraction of a second and no network.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from listener.domain import SENTIMENTS, Classification
from models.errors import ModelNotAvailable
from models.features import FeatureBag, FeatureSpec, Featurizer, PostFeatures, to_bag
from models.language import LanguageDetector, shared_detector
from models.network import SENTIMENT_HEADS, BagLayout, Int8EmbeddingBag, MultitaskNet, NetworkSpec

WEIGHTS_DIR = Path(__file__).resolve().parent / "embedded"
_WEIGHTS_FILE = "model.safetensors"
_META_FILE = "model.json"
_MAX_CUES = 5


@functools.lru_cache(maxsize=65536)
def _telling(token: str) -> bool:
    """Whether a token can stand as a "why flagged" cue: not punctuation, a mention or one letter."""
    if token == "@user" or (len(token) == 1 and token.isalnum()):
        return False
    return not all(unicodedata.category(ch).startswith("P") for ch in token)


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
    embedding = Int8EmbeddingBag(tensors.pop("embedding.int8"), tensors.pop("embedding.scale"))
    net = MultitaskNet(meta.network, embedding=embedding)
    net.load_state_dict(
        {"embedding.weight": embedding.weight, "embedding.scale": embedding.scale, **{k: v.float() for k, v in tensors.items()}}
    )
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
        self._detector = detector or shared_detector()
        self._batch_size = batch_size

    @classmethod
    def load(
        cls, path: str | Path | None = None, threads: int | None = None, batch_size: int = 64
    ) -> EmbeddedClassifier:
        """Load the model from ``path`` (default: the weights shipped in the package).

        ``threads`` sets torch's intra-op threads; by default one, because this model is too small
        to gain from more and on a busy machine spinning threads made it several times slower.
        """
        torch.set_num_threads(threads or 1)
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
        embedding = self._net.embedding
        with torch.no_grad():
            bags = []
            for id_lists in ([p.words.ids for p in posts], [p.chars.ids for p in posts]):
                ids, offsets = to_bag(id_lists)
                layout, rows = BagLayout(ids, offsets), embedding.rows(ids)
                bags.append((layout, rows, layout.mean(rows)))
        bag = torch.cat([mean for _, _, mean in bags], dim=-1).requires_grad_(True)
        sentiment_logits, complaint_logit = self._net.heads(bag)
        (gradient,) = torch.autograd.grad(complaint_logit.sum(), bag)
        calibration = self.meta.calibration
        with torch.no_grad():
            temperature = torch.tensor(calibration.sentiment_temperature)[None, :, None]
            head_probs = torch.softmax(sentiment_logits / temperature, dim=-1)
            mix = torch.tensor([self.meta.head_mix.get(lang, self.meta.head_mix["*"]) for lang in langs])
            sentiment = (head_probs * mix[:, :, None]).sum(dim=1)
            complaint = torch.sigmoid(calibration.complaint_logit(complaint_logit, langs))
            # First-order share of each feature in its post's complaint logit, via the bag mean.
            word_parts, char_parts = (
                torch.split(
                    (rows * part[layout.owner]).sum(dim=1) / layout.lengths[layout.owner], layout.lengths.tolist()
                )
                for (layout, rows, _), part in zip(bags, gradient.split(self._net.spec.dim, dim=1))
            )
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

    def _cues(
        self, post: PostFeatures, parts: Sequence[tuple[FeatureBag, torch.Tensor]], complaint_prob: float
    ) -> tuple[str, ...]:
        """Words and lexicon cues behind the verdict: complaint evidence, or praise when it isn't one."""
        by_source: dict[str, float] = {}
        for bag, contribution in parts:
            for source, value in zip(bag.sources, contribution.tolist()):
                if source:
                    by_source[source] = by_source.get(source, 0.0) + value
        sign = 1.0 if complaint_prob >= 0.5 else -1.0
        ranked = sorted((s for s, v in by_source.items() if sign * v > 0), key=lambda s: -sign * by_source[s])
        wanted = ("complaint", "negative") if sign > 0 else ("positive",)
        cues: list[str] = []
        shown: set[str] = set()
        for candidate in [text for kind, text in post.cues if kind in wanted] + ranked:
            words = candidate.split()
            if all(map(_telling, words)) and not shown.issuperset(words):
                cues.append(candidate)
                shown.update(words)
                if len(cues) == _MAX_CUES:
                    break
        return tuple(cues)
