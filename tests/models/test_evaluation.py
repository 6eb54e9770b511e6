import json
from types import SimpleNamespace

from click.testing import CliRunner

from listener.config import ClassifierConfig
from models.commands import eval_command
from models.data import Example
from models.evaluation import complaint_gold, macro_f1

LEXICON = SimpleNamespace(classifier=ClassifierConfig(backend="lexicon"))


def _write(path, rows):
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def test_macro_f1_averages_the_f1_of_each_class():
    assert macro_f1([0, 0, 1, 1], [0, 1, 1, 1], (0, 1)) == (2 / 3 + 0.8) / 2


def test_negative_sentiment_stands_for_complaint_on_three_class_files():
    examples = [Example("a", 0, "es"), Example("b", 1, "es"), Example("c", 2, "es")]
    assert complaint_gold(examples) == [1, 0, 0]
    assert complaint_gold([Example("a", 1, "en"), Example("b", 0, "en")]) == [1, 0]


def test_eval_json_line_has_task_n_macro_f1_and_languages(tmp_path):
    data = _write(tmp_path / "dev.jsonl", [
        {"text": "nadie responde, vergüenza", "label": 0, "lang": "es"},
        {"text": "gracias, todo perfecto", "label": 2, "lang": "es"},
        {"text": "the flight is at noon", "label": 1, "lang": "en"},
    ])
    result = CliRunner().invoke(eval_command, ["--task", "complaint", "--data", str(data), "--json"], obj=LEXICON)
    assert result.exit_code == 0, result.output
    line = json.loads(result.output.strip().split("\n")[-1])
    assert list(line) == ["task", "n", "macro_f1", "per_lang"]
    assert line["task"] == "complaint" and line["n"] == 3
    assert 0.0 <= line["macro_f1"] <= 1.0
    assert set(line["per_lang"]) == {"en", "es"}
    assert line["per_lang"]["es"] == {"n": 2, "macro_f1": 1.0}


def test_eval_without_json_prints_scores_per_language(tmp_path):
    data = _write(tmp_path / "dev.jsonl", [{"text": "great, thanks!", "label": 2, "lang": "en"}])
    result = CliRunner().invoke(eval_command, ["--task", "sentiment", "--data", str(data)], obj=LEXICON)
    assert result.exit_code == 0, result.output
    assert "en n=1 macro_f1=" in result.output
