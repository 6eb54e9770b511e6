"""Fitting a transformer's calibration on a user's labelled file (``listener calibrate``): the
transformers backend's, or that of a ``complaint_model`` beside the embedded one.

The fitted values are the ``[classifier]`` keys ``sentiment_temperature`` (sentiment logits divided
by it) and ``complaint_platt`` (complaint log-odds ``x`` become ``a * x + b``). The expected
calibration error is reported uncalibrated and cross-fitted: fitted on one half of the file and
measured on the other, both ways, averaged; the values to paste are fitted on the whole file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from models.calibration import (
    binary_ece,
    cross_fitted_ece,
    fit_platt,
    fit_temperature,
    top_label_ece,
)
from models.evaluation import Task, read_labelled

if TYPE_CHECKING:
    from models.complaint_override import ComplaintOverride
    from models.transformers_backend import TransformersClassifier

MIN_EXAMPLES = 10


@dataclass(frozen=True)
class CalibrationFit:
    """What :func:`calibrate` fitted and measured. ECE is a fraction in [0, 1]."""

    task: Task
    n: int
    ece_uncalibrated: float
    ece_calibrated: float
    settings: dict[str, float | tuple[float, float]]
    # Posts of the file the fit did not read: beside the embedded model, those in other languages.
    left_out: int = 0

    def toml_lines(self) -> list[str]:
        """The lines to paste into ``[classifier]``, e.g. ``complaint_platt = [2.31, -0.42]``."""
        def value(v: float | tuple[float, float]) -> str:
            return f"[{v[0]:.6g}, {v[1]:.6g}]" if isinstance(v, tuple) else f"{v:.6g}"

        return [f"{key} = {value(v)}" for key, v in self.settings.items()]

    def summary(self) -> dict[str, object]:
        """The one-line JSON form: task, n, both ECEs and the fitted settings."""
        return {
            "task": self.task,
            "n": self.n,
            "ece_uncalibrated": self.ece_uncalibrated,
            "ece_calibrated_cross_fitted": self.ece_calibrated,
            "settings": {key: list(v) if isinstance(v, tuple) else v for key, v in self.settings.items()},
            "left_out": self.left_out,
        }


def calibrate(classifier: TransformersClassifier, path: Path | str, task: Task) -> CalibrationFit:
    """Run ``classifier`` on a labelled JSONL file and fit the calibration of ``task`` to it.

    ``sentiment`` fits the temperature to labels 0/1/2; ``complaint`` fits Platt scaling to labels
    1/0 (on a three-class sentiment file, negative posts count as complaints). When the negative
    probability stands in for the complaint one, the configured temperature is already applied:
    calibrate sentiment first. Example::

        >>> fit = calibrate(TransformersClassifier.from_config(config), "dev.jsonl", "complaint")  # doctest: +SKIP
        >>> fit.toml_lines()  # doctest: +SKIP
        ['complaint_platt = [1.83, -0.97]']

    Raises ``ValueError`` for a file with fewer than ten posts or sentiment labels the model lacks.
    """
    examples, gold = read_labelled(path, task)
    _check_size(path, len(examples), "posts")
    labels = torch.tensor(gold)
    sentiment_logits, complaint_log_odds = classifier.scores([e.text for e in examples])
    if task == "complaint":
        return _platt_fit(complaint_log_odds, labels)
    if not torch.isfinite(sentiment_logits).all():
        raise ValueError(f"{classifier.name} lacks a negative, neutral or positive label: "
                         "its temperature can't be fitted to three-class labels")
    return CalibrationFit(
        task=task,
        n=len(examples),
        ece_uncalibrated=top_label_ece(sentiment_logits, labels),
        ece_calibrated=cross_fitted_ece(
            sentiment_logits, labels, fit_temperature, lambda logits, t: logits / t, top_label_ece
        ),
        settings={"sentiment_temperature": fit_temperature(sentiment_logits, labels)},
    )


def calibrate_complaint_model(classifier: ComplaintOverride, path: Path | str) -> CalibrationFit:
    """Fit ``complaint_platt`` of a complaint model beside the embedded one to a labelled JSONL file.

    Only the posts it scores count: those the embedded model reads (with the file's ``lang`` as the
    hint) as one of the complaint model's languages; the rest are ``left_out``. Labels as for
    :func:`calibrate`'s ``complaint`` task. Raises ``ValueError`` when fewer than ten posts remain.
    """
    examples, gold = read_labelled(path, "complaint")
    texts = [e.text for e in examples]
    scored = classifier.scored(texts, [e.lang for e in examples])
    languages = ", ".join(sorted(classifier.languages)) or "any"
    _check_size(path, len(scored), f"posts in the complaint model's languages ({languages})")
    fit = _platt_fit(classifier.log_odds([texts[i] for i in scored]), torch.tensor([gold[i] for i in scored]))
    return replace(fit, left_out=len(examples) - len(scored))


def _check_size(path: Path | str, n: int, what: str) -> None:
    if n < MIN_EXAMPLES:
        raise ValueError(f"{path} holds {n} {what}; calibration needs at least {MIN_EXAMPLES} "
                         "(a few hundred give a steady fit)")


def _platt_fit(log_odds: torch.Tensor, labels: torch.Tensor) -> CalibrationFit:
    return CalibrationFit(
        task="complaint",
        n=len(labels),
        ece_uncalibrated=binary_ece(log_odds, labels),
        ece_calibrated=cross_fitted_ece(log_odds, labels, fit_platt, lambda odds, ab: ab[0] * odds + ab[1], binary_ece),
        settings={"complaint_platt": fit_platt(log_odds, labels)},
    )
