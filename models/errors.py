"""Errors a classifier backend raises, each with a message that says what to do."""

from __future__ import annotations


class ModelNotAvailable(RuntimeError):
    """A model's weights can't be found or loaded here; the message says how to get them."""
