"""Fitting the transformers backend's calibration on a user's labelled file (``listener calibrate``).

The fitted values are the ``[classifier]`` keys ``sentiment_temperature`` (sentiment logits divided
by it) and ``complaint_platt`` (complaint log-odds ``x`` become ``a * x + b``). The expected
calibration error is reported uncalibrated and cross-fitted: fitted on one half of the file and
measured on the other, both ways, averaged; the values to paste are fitted on the whole file.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    if len(examples) < MIN_EXAMPLES:
        raise ValueError(f"{path} holds {len(examples)} posts; calibration needs at least {MIN_EXAMPLES} "
                         "(a few hundred give a steady fit)")
    labels = torch.tensor(gold)
    sentiment_logits, complaint_log_odds = classifier.scores([e.text for e in examples])
    if task == "sentiment":
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
    return CalibrationFit(
        task=task,
        n=len(examples),
        ece_uncalibrated=binary_ece(complaint_log_odds, labels),
        ece_calibrated=cross_fitted_ece(
            complaint_log_odds, labels, fit_platt, lambda odds, ab: ab[0] * odds + ab[1], binary_ece
        ),
        settings={"complaint_platt": fit_platt(complaint_log_odds, labels)},
    )
