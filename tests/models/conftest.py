"""Shared fixtures of the model tests: the data sets beside the repo and the shipped classifier."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Read by huggingface_hub when it is first imported: no test may reach for the network.
os.environ["HF_HUB_OFFLINE"] = "1"

DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The project's labelled data sets (``../shared/data``); tests that need them skip without."""
    if not (DATA_DIR / "umsab" / "dev.jsonl").is_file():
        pytest.skip(f"the shared data sets are not at {DATA_DIR} (a checkout without ../shared)")
    return DATA_DIR


@pytest.fixture(scope="session")
def embedded():
    """The embedded classifier with the weights shipped in the package."""
    from models.embedded_backend import EmbeddedClassifier

    return EmbeddedClassifier.load()
