"""Calibration of output probabilities on dev data, and the error that measures it.

Sentiment logits are divided by a temperature; the complaint logit gets a Platt scaling
(``a * logit + b``), which also corrects the base rate the complaint head learned from training
data whose share of complaints differs from a brand's mentions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import torch

Params = TypeVar("Params")


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Return the temperature that minimises the log-loss of ``softmax(logits / T)`` on ``labels``."""
    log_t = torch.zeros(1, requires_grad=True)
    # Without a line search the steps stop short of (or overshoot to nan) a temperature far from 1.
    optimiser = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = torch.nn.functional.cross_entropy(logits / log_t.exp(), labels)
        loss.backward()
        return loss

    optimiser.step(closure)
    return float(log_t.detach().exp())


def fit_platt(logits: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
    """Return ``(a, b)`` minimising the log-loss of ``sigmoid(a * logit + b)`` on 0/1 ``labels``."""
    params = torch.tensor([1.0, 0.0], requires_grad=True)
    optimiser = torch.optim.LBFGS([params], lr=0.1, max_iter=200)

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            params[0] * logits + params[1], labels.float()
        )
        loss.backward()
        return loss

    optimiser.step(closure)
    a, b = params.detach().tolist()
    return a, b


def expected_calibration_error(confidence: torch.Tensor, correct: torch.Tensor, bins: int = 10) -> float:
    """Expected calibration error over equal-width bins of ``confidence``.

    For a binary score pass ``p(complaint)`` and whether each post is a complaint; for a
    multi-class prediction pass the top probability and whether the top class was right.
    """
    edges = torch.linspace(0, 1, bins + 1)
    total = torch.zeros(())
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence > low) & (confidence <= high) if low > 0 else confidence <= high
        if inside.any():
            gap = confidence[inside].mean() - correct[inside].float().mean()
            total += inside.float().mean() * gap.abs()
    return float(total)


def top_label_ece(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """ECE of a multi-class prediction: the top probability against whether the top class is ``labels``."""
    probs = logits.softmax(-1)
    return expected_calibration_error(probs.max(-1).values, probs.argmax(-1) == labels)


def binary_ece(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """ECE of ``sigmoid(logits)`` as the probability of the 0/1 ``labels``."""
    return expected_calibration_error(torch.sigmoid(logits), labels)


def cross_fitted_ece(
    logits: torch.Tensor,
    labels: torch.Tensor,
    fit: Callable[[torch.Tensor, torch.Tensor], Params],
    apply: Callable[[torch.Tensor, Params], torch.Tensor],
    ece: Callable[[torch.Tensor, torch.Tensor], float],
) -> float:
    """ECE of calibration fitted on one half of the data and measured on the other, averaged both ways.

    The halves are a seeded shuffle, so the figure is the same on every run. Example::

        >>> cross_fitted_ece(logits, labels, fit_temperature, lambda lg, t: lg / t, top_label_ece)  # doctest: +SKIP
    """
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    halves = (order[: len(order) // 2], order[len(order) // 2 :])
    errors = []
    for fit_idx, test_idx in (halves, halves[::-1]):
        params = fit(logits[fit_idx], labels[fit_idx])
        errors.append(ece(apply(logits[test_idx], params), labels[test_idx]))
    return sum(errors) / 2
