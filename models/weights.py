"""The embedded model as stored in ``models/embedded/``: its sizes, calibration and weight arrays.

``model.safetensors`` holds the embedding table as int8 with an fp16 scale per row and the other
layers in fp16; ``model.json`` holds a :class:`ModelMeta`. Reading needs numpy only, not torch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
from safetensors.numpy import load_file

from models.errors import ModelNotAvailable
from models.features import FeatureSpec

WEIGHTS_DIR = Path(__file__).resolve().parent / "embedded"
WEIGHTS_FILE = "model.safetensors"
META_FILE = "model.json"

# Sentiment heads, one per labelling convention: UMSAB (8 languages, balanced, general tweets)
# and Spanish airline tweets (customer messages, news counted as positive). The complaint head is
# trained on English complaints and on Spanish airline tweets (negative = complaint).
SENTIMENT_HEADS: tuple[str, ...] = ("umsab", "airline_es")
# The linear model beside the network (``linear.weight``, ``(buckets, LINEAR_COLUMNS)``): three
# logits per sentiment head, the complaint logit, and the customer gate's logit (is the post a
# customer message, like ``airline_es``, rather than a general tweet?).
LINEAR_SENTIMENT_COLUMNS = 3 * len(SENTIMENT_HEADS)
LINEAR_COMPLAINT_COLUMN = LINEAR_SENTIMENT_COLUMNS
LINEAR_GATE_COLUMN = LINEAR_SENTIMENT_COLUMNS + 1
LINEAR_COLUMNS = LINEAR_SENTIMENT_COLUMNS + 2


@dataclass(frozen=True)
class NetworkSpec:
    """Sizes of the network."""

    buckets: int = 2**18
    dim: int = 64
    hidden: int = 128


_Entry = TypeVar("_Entry")


def per_language(table: Mapping[str, _Entry], langs: Sequence[str]) -> list[_Entry]:
    """Each of ``langs``' entry in ``table``, the ``"*"`` entry for a language it does not name."""
    return [table.get(lang, table["*"]) for lang in langs]


@dataclass(frozen=True)
class Calibration:
    """Fitted on dev: a temperature per sentiment head, and Platt ``(a, b)`` for the complaint logit
    per language (``"*"``: every language without dev data of its own)."""

    sentiment_temperature: tuple[float, ...] = (1.0,) * len(SENTIMENT_HEADS)
    complaint: dict[str, tuple[float, float]] = field(default_factory=lambda: {"*": (1.0, 0.0)})
    # The same per sentiment head for the linear model that ships beside the network (if any).
    linear_temperature: tuple[float, ...] = (1.0,) * len(SENTIMENT_HEADS)

    def complaint_logit(self, raw: np.ndarray, langs: Sequence[str]) -> np.ndarray:
        """Calibrated complaint logits of posts in ``langs``."""
        ab = np.array(per_language(self.complaint, langs), dtype=np.float32)
        return ab.reshape(-1, 2)[:, 0] * raw + ab.reshape(-1, 2)[:, 1]


@dataclass(frozen=True)
class ModelMeta:
    """Everything needed to read the weights back, plus how they were made and scored."""

    features: FeatureSpec
    network: NetworkSpec
    calibration: Calibration
    # Per language, the weight of each sentiment head in the sentiment it reports ("*": others).
    head_mix: dict[str, tuple[float, ...]] = field(default_factory=lambda: {"*": (1.0, 0.0)})
    # Languages whose posts take the airline head with the customer gate's probability (and the
    # UMSAB head with the rest) instead of ``head_mix``; needs a linear model.
    gated_languages: tuple[str, ...] = ()
    # Per sentiment head, the weight of the linear model's probabilities against the network's
    # (0: network only; a model without ``linear.weight`` must leave it at 0).
    linear_mix: tuple[float, ...] = (0.0,) * len(SENTIMENT_HEADS)
    # Per language ("*": others), the weight of the linear model's complaint logit (its last
    # column) against the network's, before calibration (0: network only).
    complaint_linear_mix: dict[str, float] = field(default_factory=lambda: {"*": 0.0})
    # Per language ("*": others), the weight of the negative sentiment probability in the complaint
    # probability, after calibration (0: the complaint head alone). Spanish complaints are learnt from
    # a proxy, airline_es's negative tweets, which the sentiment side reads as well, with the linear
    # model beside it that the Spanish complaint logit lacks.
    complaint_sentiment_mix: dict[str, float] = field(default_factory=lambda: {"*": 0.0})
    training: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> str:
        """The meta as written to ``model.json``."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ModelMeta:
        """Read what :meth:`to_json` wrote."""
        raw = json.loads(text)
        return cls(
            features=FeatureSpec(**raw["features"]),
            network=NetworkSpec(**raw["network"]),
            calibration=Calibration(
                sentiment_temperature=tuple(raw["calibration"]["sentiment_temperature"]),
                complaint={lang: tuple(ab) for lang, ab in raw["calibration"]["complaint"].items()},
                linear_temperature=tuple(raw["calibration"].get("linear_temperature", (1.0,) * len(SENTIMENT_HEADS))),
            ),
            head_mix={lang: tuple(w) for lang, w in raw["head_mix"].items()},
            gated_languages=tuple(raw.get("gated_languages", ())),
            linear_mix=tuple(raw.get("linear_mix", (0.0,) * len(SENTIMENT_HEADS))),
            complaint_linear_mix=raw.get("complaint_linear_mix", {"*": 0.0}),
            complaint_sentiment_mix=raw.get("complaint_sentiment_mix", {"*": 0.0}),
            training=raw.get("training", {}),
        )


def read_weights(directory: Path) -> tuple[dict[str, np.ndarray], ModelMeta]:
    """Return the stored arrays (by layer name) and the meta of the model in ``directory``.

    Raises :class:`ModelNotAvailable` saying how to train one when the files are missing.
    """
    weights, meta_path = directory / WEIGHTS_FILE, directory / META_FILE
    if not weights.is_file() or not meta_path.is_file():
        raise ModelNotAvailable(
            f"no embedded model in {directory} (expected {WEIGHTS_FILE} and {META_FILE}): train one with "
            f"`python -m models.train --out {directory}`, or set classifier.backend = \"lexicon\""
        )
    return load_file(str(weights)), ModelMeta.from_json(meta_path.read_text())
