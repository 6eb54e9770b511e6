"""Scoring a classifier on a labelled data file: macro-F1 overall and per language.

``task="sentiment"`` compares the predicted sentiment with labels 0/1/2 (negative/neutral/positive).
``task="complaint"`` compares ``complaint_prob >= threshold`` with labels 1/0; on a three-class
sentiment file (every label in 0..2 and some label 2) a *negative* post (label 0) counts as a
complaint and neutral or positive as not: that is the proxy used for Spanish airline tweets, which
have no complaint labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from models.base import Classifier
from models.data import Example, read_examples

Task = Literal["sentiment", "complaint"]
_SENTIMENT_IDS = {"negative": 0, "neutral": 1, "positive": 2}


@dataclass(frozen=True)
class LanguageScore:
    """Macro-F1 of the posts in one language."""

    n: int
    macro_f1: float


@dataclass(frozen=True)
class EvalReport:
    """What :func:`evaluate` measured. F1, precision and recall are fractions in [0, 1]."""

    task: Task
    n: int
    macro_f1: float
    per_lang: dict[str, LanguageScore]
    complaint_precision: float | None = None
    complaint_recall: float | None = None

    def summary(self) -> dict[str, object]:
        """The one-line JSON form: task, n, macro_f1 and per_lang (n and macro_f1 per language)."""
        return {
            "task": self.task,
            "n": self.n,
            "macro_f1": self.macro_f1,
            "per_lang": {lang: asdict(score) for lang, score in sorted(self.per_lang.items())},
        }


def f1_per_class(gold: Sequence[int], predicted: Sequence[int], label: int) -> tuple[float, float, float]:
    """Return precision, recall and F1 of one class (0.0 where undefined)."""
    tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
    predicted_n = sum(p == label for p in predicted)
    gold_n = sum(g == label for g in gold)
    precision = tp / predicted_n if predicted_n else 0.0
    recall = tp / gold_n if gold_n else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def macro_f1(gold: Sequence[int], predicted: Sequence[int], labels: Sequence[int]) -> float:
    """Unweighted mean of the F1 of each label in ``labels``."""
    return sum(f1_per_class(gold, predicted, label)[2] for label in labels) / len(labels)


def complaint_gold(examples: Sequence[Example]) -> list[int]:
    """Complaint labels of ``examples``; a three-class sentiment file maps negative (0) to complaint."""
    labels = {e.label for e in examples}
    if labels <= {0, 1, 2} and 2 in labels:
        return [int(e.label == 0) for e in examples]
    return [e.label for e in examples]


def read_labelled(path: Path | str, task: Task) -> tuple[list[Example], list[int]]:
    """Read a JSONL data file and the gold label of ``task`` for each post (see :func:`complaint_gold`).

    Raises ``ValueError`` when the file holds no examples.
    """
    examples = read_examples(path)
    if not examples:
        raise ValueError(f"{path} holds no examples")
    return examples, [e.label for e in examples] if task == "sentiment" else complaint_gold(examples)


def score(
    task: Task, gold: Sequence[int], predicted: Sequence[int], langs: Sequence[str]
) -> EvalReport:
    """Score predictions against gold labels, overall and per language."""
    labels = (0, 1, 2) if task == "sentiment" else (0, 1)
    by_lang: dict[str, list[int]] = defaultdict(list)
    for i, lang in enumerate(langs):
        by_lang[lang].append(i)
    per_lang = {
        lang: LanguageScore(
            n=len(idx), macro_f1=macro_f1([gold[i] for i in idx], [predicted[i] for i in idx], labels)
        )
        for lang, idx in by_lang.items()
    }
    precision = recall = None
    if task == "complaint":
        precision, recall, _ = f1_per_class(gold, predicted, 1)
    return EvalReport(
        task=task,
        n=len(gold),
        macro_f1=macro_f1(gold, predicted, labels),
        per_lang=per_lang,
        complaint_precision=precision,
        complaint_recall=recall,
    )


def evaluate(
    classifier: Classifier,
    path: Path | str,
    task: Task,
    threshold: float = 0.5,
    batch_size: int = 256,
) -> EvalReport:
    """Classify every post of a JSONL data file and score the task.

    The file's ``lang`` field is passed to the classifier as the source's language hint, as a
    platform would. Example::

        >>> report = evaluate(load_classifier(ClassifierConfig()), "dev.jsonl", "complaint")  # doctest: +SKIP
        >>> report.macro_f1, report.per_lang["es"].macro_f1  # doctest: +SKIP
    """
    examples, gold = read_labelled(path, task)
    results = []
    for start in range(0, len(examples), batch_size):
        batch = examples[start : start + batch_size]
        results.extend(classifier.classify([e.text for e in batch], [e.lang for e in batch]))
    if task == "sentiment":
        predicted = [_SENTIMENT_IDS[r.sentiment] for r in results]
    else:
        predicted = [int(r.complaint_prob >= threshold) for r in results]
    return score(task, gold, predicted, [e.lang for e in examples])
