"""Reading the labelled data sets (JSONL with ``text``, ``label`` and ``lang``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

LABELS = (0, 1, 2)
"""Every label the data format has: sentiment 0/1/2 (negative/neutral/positive), complaint 1/0."""


@dataclass(frozen=True)
class Example:
    """One labelled post."""

    text: str
    label: int
    lang: str


def default_data_dir() -> Path:
    """Return ``../shared/data`` beside the repository, where the project's data sets live."""
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def read_examples(path: Path | str) -> list[Example]:
    """Read a JSONL data file into examples.

    Lines are split on ``"\\n"`` only: tweets may hold other line separators. Each line is read as
    bytes and decoded on its own, as UTF-8 (a byte-order mark is read past). It must be a JSON object
    whose ``text`` is a string, ``label`` one of :data:`LABELS` and ``lang`` a language code. Raises
    ``FileNotFoundError`` naming the file when it is missing, and ``ValueError`` naming the file, the
    line and what is wrong with it otherwise.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no data file at {path}: pass --data with a JSONL file or folder of data sets")
    examples = []
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                text = line.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise ValueError(f"{path}:{number}: not UTF-8 text ({error}); save the file as UTF-8") from None
            try:
                examples.append(_example_of(json.loads(text)))
            except ValueError as error:
                raise ValueError(f"{path}:{number}: not a data record with text, label and lang ({error})") from error
    return examples


def _example_of(record: object) -> Example:
    """The example one parsed line holds; ``ValueError`` saying what is wrong."""
    if not isinstance(record, dict):
        raise ValueError(f"a JSON {type(record).__name__} instead of an object")
    missing = [key for key in ("text", "label", "lang") if key not in record]
    if missing:
        raise ValueError(f"no {', '.join(missing)}")
    text, label, lang = record["text"], record["label"], record["lang"]
    if not isinstance(text, str):
        raise ValueError(f"text is {text!r}, not a string")
    if isinstance(label, bool) or label not in LABELS:
        raise ValueError(f"label is {label!r}; labels are 0, 1, 2 (sentiment) or 1, 0 (complaint)")
    if not isinstance(lang, str) or not lang:
        raise ValueError(f"lang is {lang!r}, not a language code such as 'en'")
    return Example(text=text, label=int(label), lang=lang)
