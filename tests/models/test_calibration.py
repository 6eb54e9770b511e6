import pytest
import torch

from models.calibration import fit_temperature


def test_fit_temperature_finds_a_temperature_far_from_one():
    # Nearly uniform logits of a model that is right 80 % of the time: only a small temperature makes
    # it that sure (without a line search the fit returned 0.71 here, and nan at ten times the scale).
    logits = torch.randn(80, 3, generator=torch.Generator().manual_seed(0)) * 0.03
    labels = logits.argmax(-1)
    labels[::5] = (labels[::5] + 1) % 3
    grid = torch.logspace(-4, 4, 400)
    best = float(grid[torch.stack([torch.nn.functional.cross_entropy(logits / t, labels) for t in grid]).argmin()])
    for scale in (1, 10):
        assert fit_temperature(logits * scale, labels) == pytest.approx(best * scale, rel=0.05)
