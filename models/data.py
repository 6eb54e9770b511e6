"""Reading the labelled data sets (JSONL with ``text``, ``label`` and ``lang``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


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

    Lines are split on ``"\\n"`` only: tweets may hold other line separators.
    Raises ``FileNotFoundError`` naming the file when it is missing.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no data file at {path}: pass --data with a JSONL file or folder of data sets")
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            examples.append(Example(text=record["text"], label=int(record["label"]), lang=record["lang"]))
        except (ValueError, KeyError) as error:
            raise ValueError(f"{path}:{number}: not a data record with text, label and lang ({error})") from error
    return examples
