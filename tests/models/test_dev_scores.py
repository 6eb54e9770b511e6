"""The shipped model's dev scores stay where the model card puts them (floors a little below)."""

from pathlib import Path

import pytest

from models.evaluation import evaluate


def _mean_over_languages(report):
    return sum(score.macro_f1 for score in report.per_lang.values()) / len(report.per_lang)


def test_spanish_airline_complaints_meet_the_target(embedded, data_dir: Path):
    report = evaluate(embedded, data_dir / "airline_es" / "dev.jsonl", "complaint")
    assert report.macro_f1 >= 0.70


def test_english_complaints_do_not_regress(embedded, data_dir: Path):
    assert evaluate(embedded, data_dir / "complaints" / "dev.jsonl", "complaint").macro_f1 >= 0.80


@pytest.mark.parametrize(("data_set", "floor"), [("umsab", 0.55), ("airline_es", 0.59)])
def test_sentiment_does_not_regress(embedded, data_dir: Path, data_set: str, floor: float):
    report = evaluate(embedded, data_dir / data_set / "dev.jsonl", "sentiment")
    assert _mean_over_languages(report) >= floor
