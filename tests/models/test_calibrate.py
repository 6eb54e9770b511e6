"""``listener calibrate`` fits the transformers backend's calibration on a labelled file."""

import json
import random
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from click.testing import CliRunner

from listener.config import ClassifierConfig
from models.calibration import expected_calibration_error
from models.commands import calibrate_command
from models.factory import load_classifier

WORDS = ["the", "flight", "was", "late", "great", "no", "vuelo"]


def _texts(n: int = 80) -> list[str]:
    rng = random.Random(3)
    return [" ".join(rng.choices(WORDS, k=rng.randint(1, 6))) for _ in range(n)]


def _write(path: Path, texts: list[str], labels: list[int]) -> Path:
    path.write_text("".join(json.dumps({"text": t, "label": y, "lang": "en"}) + "\n" for t, y in zip(texts, labels)))
    return path


def _calibrate(config: ClassifierConfig, task: str, data: Path) -> tuple[str, dict]:
    result = CliRunner().invoke(
        calibrate_command, ["--task", task, "--data", str(data), "--json"], obj=SimpleNamespace(classifier=config)
    )
    assert result.exit_code == 0, result.output
    return result.output, json.loads(result.output.strip().split("\n")[-1])


def _sentiment_ece(config: ClassifierConfig, texts: list[str], labels: list[int]) -> float:
    probs = torch.tensor([r.sentiment_probs for r in load_classifier(config).classify(texts)])
    return expected_calibration_error(probs.max(-1).values, probs.argmax(-1) == torch.tensor(labels))


def _complaint_ece(config: ClassifierConfig, texts: list[str], labels: list[int], lang: str | None = None) -> float:
    probs = torch.tensor([r.complaint_prob for r in load_classifier(config).classify(texts, [lang] * len(texts))])
    return expected_calibration_error(probs, torch.tensor(labels))


def test_fitted_temperature_lowers_the_sentiment_calibration_error(tiny_model, tmp_path: Path):
    sharp = tiny_model("sharp", {0: "Negative", 1: "Neutral", 2: "Positive"}, head_scale=300)
    config = ClassifierConfig(backend="transformers", sentiment_model=str(sharp))
    texts = _texts()
    # The model's own top class, with every fifth post moved to another: right 80 % of the time,
    # and surer or less sure than that.
    top = [int(torch.tensor(r.sentiment_probs).argmax()) for r in load_classifier(config).classify(texts)]
    labels = [(y + 1) % 3 if i % 5 == 0 else y for i, y in enumerate(top)]
    output, summary = _calibrate(config, "sentiment", _write(tmp_path / "dev.jsonl", texts, labels))

    temperature = summary["settings"]["sentiment_temperature"]
    assert f"sentiment_temperature = {temperature:.6g}" in output.split("\n")
    before = _sentiment_ece(config, texts, labels)
    assert summary["ece_uncalibrated"] == pytest.approx(before, abs=1e-4)
    assert summary["ece_calibrated_cross_fitted"] < before
    calibrated = config.model_copy(update={"sentiment_temperature": temperature})
    assert _sentiment_ece(calibrated, texts, labels) < before - 0.1


def test_fitted_platt_scaling_lowers_the_complaint_calibration_error(sentiment_dir: Path, tmp_path: Path):
    config = ClassifierConfig(backend="transformers", sentiment_model=str(sentiment_dir))
    texts = _texts()
    # Complaints are the posts the model finds most negative, with every fifth label flipped.
    probs = [r.complaint_prob for r in load_classifier(config).classify(texts)]
    median = sorted(probs)[len(probs) // 2]
    labels = [int(p >= median) ^ (i % 5 == 0) for i, p in enumerate(probs)]
    output, summary = _calibrate(config, "complaint", _write(tmp_path / "complaints.jsonl", texts, labels))

    a, b = summary["settings"]["complaint_platt"]
    assert f"complaint_platt = [{a:.6g}, {b:.6g}]" in output.split("\n")
    before = _complaint_ece(config, texts, labels)
    assert summary["ece_uncalibrated"] == pytest.approx(before, abs=1e-4)
    calibrated = config.model_copy(update={"complaint_platt": (a, b)})
    assert _complaint_ece(calibrated, texts, labels) < before - 0.1


def test_embedded_backend_is_calibrated_at_training_time(tmp_path: Path):
    data = _write(tmp_path / "dev.jsonl", _texts(12), [0, 1, 2] * 4)
    result = CliRunner().invoke(calibrate_command, ["--task", "sentiment", "--data", str(data)])
    assert result.exit_code == 0
    assert "calibrated at training time" in result.output
    assert "=" not in result.output


def test_complaint_model_beside_the_embedded_one_is_fitted_on_the_posts_in_its_languages(
        complaint_dir: Path, tmp_path: Path):
    config = ClassifierConfig(complaint_model=str(complaint_dir))
    texts = _texts()
    # Complaints are the English posts the complaint model finds likelier, with every fifth label flipped.
    probs = load_classifier(config).complaint_probabilities(texts)
    median = sorted(probs)[len(probs) // 2]
    labels = [int(p >= median) ^ (i % 5 == 0) for i, p in enumerate(probs)]
    spanish = ["el vuelo no llegó, qué desastre", "gracias por todo, muy amables"] * 5
    records = [{"text": t, "label": y, "lang": "en"} for t, y in zip(texts, labels)]
    records += [{"text": t, "label": i % 2, "lang": "es"} for i, t in enumerate(spanish)]
    data = tmp_path / "mentions.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records))

    output, summary = _calibrate(config, "complaint", data)

    assert summary["n"] == len(texts) and summary["left_out"] == len(spanish)
    assert f"{len(spanish)} posts in other languages left out" in output
    a, b = summary["settings"]["complaint_platt"]
    assert f"complaint_platt = [{a:.6g}, {b:.6g}]" in output.split("\n")
    before = _complaint_ece(config, texts, labels, "en")
    assert summary["ece_uncalibrated"] == pytest.approx(before, abs=1e-4)
    calibrated = config.model_copy(update={"complaint_platt": (a, b)})
    assert before > 0.03 and _complaint_ece(calibrated, texts, labels, "en") < before / 2


def test_a_complaint_model_is_not_fitted_on_too_few_posts_in_its_languages(complaint_dir: Path, tmp_path: Path):
    data = tmp_path / "mentions.jsonl"
    data.write_text("".join(json.dumps({"text": "el vuelo no llegó", "label": 1, "lang": "es"}) + "\n" for _ in range(20)))
    result = CliRunner().invoke(calibrate_command, ["--task", "complaint", "--data", str(data)],
                                obj=SimpleNamespace(classifier=ClassifierConfig(complaint_model=str(complaint_dir))))

    assert result.exit_code == 1
    assert "holds 0 posts in the complaint model's languages (en)" in result.output and "at least 10" in result.output


def test_embedded_sentiment_with_a_complaint_model_is_still_calibrated_at_training_time(
        complaint_dir: Path, tmp_path: Path):
    data = _write(tmp_path / "dev.jsonl", _texts(12), [0, 1, 2] * 4)
    result = CliRunner().invoke(calibrate_command, ["--task", "sentiment", "--data", str(data)],
                                obj=SimpleNamespace(classifier=ClassifierConfig(complaint_model=str(complaint_dir))))

    assert result.exit_code == 0
    assert "calibrated at training time" in result.output and "=" not in result.output
