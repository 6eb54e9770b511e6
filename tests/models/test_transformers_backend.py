"""The transformers backend loads real models from disk: tiny ones built here with random weights."""

import math
import shutil
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from listener.cli import main
from listener.config import ClassifierConfig
from models.errors import ModelNotAvailable
from models.factory import load_classifier
from models.no_problem import NO_PROBLEM_COMPLAINT_CEILING
from models.service_failure import FAILURE_COMPLAINT_FLOOR


def test_sentiment_model_loads_from_a_local_directory(sentiment_dir: Path):
    config = ClassifierConfig(backend="transformers", sentiment_model=str(sentiment_dir), batch_size=2, max_length=8)
    classifier = load_classifier(config)
    results = classifier.classify(["the flight was late " * 20, "great", "vuelo"], ["en", "en", "es"])
    assert len(results) == 3
    for result in results:
        assert sum(result.sentiment_probs) == pytest.approx(1.0, abs=1e-5)
        assert result.complaint_prob == pytest.approx(result.sentiment_probs[0])
    assert str(sentiment_dir) in classifier.name


def test_a_post_with_a_literal_escaped_emoji_does_not_stop_the_transformers_backend(sentiment_dir: Path):
    # Published posts hold literal escapes ("\\ud83d\\ude21"); unescaped one by one they were lone
    # surrogates, which the tokenizer refuses: the batch failed, and the pipeline retried it forever.
    classifier = load_classifier(ClassifierConfig(backend="transformers", sentiment_model=str(sentiment_dir)))
    results = classifier.classify(["the flight was late \\ud83d\\ude21", "great \\ud83d", "vuelo"])
    assert [sum(result.sentiment_probs) for result in results] == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)


def test_a_max_length_the_model_cannot_read_stops_start_up_instead_of_failing_at_the_first_long_post(
        sentiment_dir: Path, tmp_path: Path):
    # The tiny model reads 128 tokens: a post of more failed its whole batch, at every cycle.
    config = tmp_path / "listener.toml"
    config.write_text(f'[[brands]]\nname = "Lumora"\n\n[classifier]\nbackend = "transformers"\n'
                      f'sentiment_model = "{sentiment_dir}"\nmax_length = 1000\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "classify", "the flight was late"])
    assert result.exit_code == 2
    assert "config error: classifier.max_length = 1000 is more tokens than" in result.output
    assert "complaint_prob" not in result.output


@pytest.mark.parametrize(("max_length", "nli", "least"), [(1, False, 3), (2, False, 3), (4, True, 5)])
def test_a_max_length_too_short_to_cut_a_post_to_stops_start_up_instead_of_failing_at_the_first_long_post(
        sentiment_dir: Path, tiny_model, max_length: int, nli: bool, least: int):
    # The tokenizer can't cut a post below its special tokens ([CLS] and [SEP], and one more [SEP] between a
    # post and a hypothesis): it passed long posts whole, and the model failed on them.
    complaint = str(tiny_model("nli", {0: "entailment", 1: "neutral", 2: "contradiction"})) if nli else None
    config = ClassifierConfig(backend="transformers", sentiment_model=str(sentiment_dir), complaint_model=complaint,
                              max_length=max_length)
    with pytest.raises(ModelNotAvailable, match=rf"classifier\.max_length = {max_length} .* at least {least};"):
        load_classifier(config)
    assert len(load_classifier(config.model_copy(update={"max_length": least})).classify(["the flight was late " * 40])) == 1


def _tiny_roberta(directory: Path) -> Path:
    """A two-layer XLM-RoBERTa sentiment model with random weights: its positions start at 2, past its padding
    token's id (1), as the hub's RoBERTa models' do (514 of them read 512 tokens)."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaForSequenceClassification

    words = ["<s>", "<pad>", "</s>", "<unk>", "the", "flight", "was", "late", "x"]
    tokenizer = Tokenizer(models.WordLevel({word: index for index, word in enumerate(words)}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.post_processor = processors.TemplateProcessing(single="<s> $A </s>",
                                                             special_tokens=[("<s>", 0), ("</s>", 2)])
    PreTrainedTokenizerFast(tokenizer_object=tokenizer, cls_token="<s>", sep_token="</s>", pad_token="<pad>",
                            unk_token="<unk>").save_pretrained(directory)
    labels = {0: "negative", 1: "neutral", 2: "positive"}
    with torch.random.fork_rng():
        torch.manual_seed(0)
        XLMRobertaForSequenceClassification(XLMRobertaConfig(
            vocab_size=len(words), hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
            max_position_embeddings=130, pad_token_id=1, id2label=labels, label2id={v: k for k, v in labels.items()},
        )).save_pretrained(directory)
    return directory


@pytest.mark.parametrize("max_length", [129, 130, 1000])
def test_the_max_length_a_roberta_model_is_told_to_set_does_not_fail_again(tmp_path: Path, max_length: int):
    config = ClassifierConfig(backend="transformers", sentiment_model=str(_tiny_roberta(tmp_path / "roberta")),
                              max_length=max_length)
    with pytest.raises(ModelNotAvailable, match=r"max_position_embeddings is 130\): set max_length to at most 128$"):
        load_classifier(config)
    classifier = load_classifier(config.model_copy(update={"max_length": 128}))
    assert len(classifier.classify(["the flight was late " * 40])) == 1


def test_a_complaint_model_beside_the_embedded_one_is_checked_against_max_length_too(complaint_dir: Path):
    with pytest.raises(ModelNotAvailable, match=r"classifier\.max_length = 129 "):
        load_classifier(ClassifierConfig(complaint_model=str(complaint_dir), max_length=129))


def test_quantize_on_a_model_saved_in_half_precision_does_not_fail_every_post(sentiment_dir: Path, tmp_path: Path):
    from transformers import AutoModelForSequenceClassification

    half = tmp_path / "half"
    shutil.copytree(sentiment_dir, half)
    AutoModelForSequenceClassification.from_pretrained(half).half().save_pretrained(half)
    config = ClassifierConfig(backend="transformers", sentiment_model=str(half), quantize=True)
    [result] = load_classifier(config).classify(["the flight was late"])  # was: "expected Float but found Half"
    assert sum(result.sentiment_probs) == pytest.approx(1.0, abs=1e-5)


def test_labels_are_read_from_the_model_config_in_any_order(tiny_model):
    shuffled = tiny_model("m", {0: "positive", 1: "negative", 2: "neutral"})
    classifier = load_classifier(ClassifierConfig(backend="transformers", sentiment_model=str(shuffled)))
    assert classifier._sentiment_columns == [1, 2, 0]


def test_zero_shot_nli_model_gives_complaint_probability(sentiment_dir: Path, tiny_model):
    nli = tiny_model("nli", {0: "entailment", 1: "neutral", 2: "contradiction"})
    config = ClassifierConfig(
        backend="transformers", sentiment_model=str(sentiment_dir), complaint_model=str(nli), quantize=True, threads=1
    )
    [result] = load_classifier(config).classify(["no the flight was late"])
    assert 0.0 < result.complaint_prob < 1.0
    assert result.cues == ("late",)


def test_unavailable_model_names_itself_and_how_to_fetch_it():
    config = ClassifierConfig(backend="transformers", sentiment_model="cardiffnlp/no-such-model-offline")
    with pytest.raises(ModelNotAvailable, match=r"cardiffnlp/no-such-model-offline.*huggingface-cli download"):
        load_classifier(config)


def test_transformers_backend_without_a_model_says_which_setting_to_fill():
    with pytest.raises(ModelNotAvailable, match="sentiment_model"):
        load_classifier(ClassifierConfig(backend="transformers"))


def test_sentiment_temperature_divides_the_sentiment_logits(sentiment_dir: Path):
    texts = ["the flight was late", "great", "no vuelo"]
    plain = load_classifier(ClassifierConfig(backend="transformers", sentiment_model=str(sentiment_dir)))
    softened = load_classifier(
        ClassifierConfig(backend="transformers", sentiment_model=str(sentiment_dir), sentiment_temperature=2.0)
    )
    for before, after in zip(plain.classify(texts), softened.classify(texts), strict=True):
        expected = (torch.tensor(before.sentiment_probs).log() / 2.0).softmax(-1)
        assert after.sentiment_probs == pytest.approx(expected.tolist(), abs=1e-6)
        assert max(after.sentiment_probs) < max(before.sentiment_probs)


def test_complaint_platt_rescales_the_complaint_log_odds(sentiment_dir: Path):
    texts = ["the flight was late", "great", "no vuelo"]
    plain = load_classifier(ClassifierConfig(backend="transformers", sentiment_model=str(sentiment_dir)))
    scaled = load_classifier(
        ClassifierConfig(backend="transformers", sentiment_model=str(sentiment_dir), complaint_platt=[3.0, -1.0])
    )
    for before, after in zip(plain.classify(texts), scaled.classify(texts), strict=True):
        expected = torch.sigmoid(3.0 * torch.logit(torch.tensor(before.complaint_prob, dtype=torch.float64)) - 1.0)
        assert after.complaint_prob == pytest.approx(float(expected), abs=1e-6)
        assert after.sentiment_probs == before.sentiment_probs


def test_extreme_platt_scaling_gives_probabilities_of_zero_and_one_not_nan(sentiment_dir: Path):
    config = ClassifierConfig(backend="transformers", sentiment_model=str(sentiment_dir), complaint_platt=[1e30, 0.0])
    probs = [r.complaint_prob for r in load_classifier(config).classify(["the flight was late", "great", "no"])]
    assert set(probs) <= {0.0, 1.0}


def test_a_model_folder_under_the_home_directory_loads_from_a_tilde_path(
    sentiment_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("HOME", str(sentiment_dir.parent))
    config = ClassifierConfig(backend="transformers", sentiment_model=f"~/{sentiment_dir.name}")
    [result] = load_classifier(config).classify(["the flight was late"])
    assert sum(result.sentiment_probs) == pytest.approx(1.0, abs=1e-5)


def test_a_post_that_says_the_service_fails_is_at_least_a_floor_likely_a_complaint(sentiment_dir: Path):
    config = ClassifierConfig(backend="transformers", sentiment_model=str(sentiment_dir), complaint_platt=[0.0, -10.0])
    failed, other = load_classifier(config).classify(["@lumora não consigo entrar no app", "the flight was late"])

    assert failed.complaint_prob == pytest.approx(FAILURE_COMPLAINT_FLOOR)  # the model read it as 0.00005
    assert failed.cues[0] == "não consigo entrar"
    assert "não consigo" not in failed.cues  # the lexicon's shorter cue adds no word
    assert other.complaint_prob == pytest.approx(1 / (1 + math.exp(10)))


def test_a_post_that_says_the_service_has_given_no_problem_is_at_most_a_ceiling_likely_a_complaint(sentiment_dir: Path):
    config = ClassifierConfig(backend="transformers", sentiment_model=str(sentiment_dir), complaint_platt=[0.0, 10.0])
    praise, other = load_classifier(config).classify(["8 anos com a Lumora e nenhuma queda", "the flight was late"])

    assert praise.complaint_prob == pytest.approx(NO_PROBLEM_COMPLAINT_CEILING)  # the model read it as 0.99995
    assert praise.cues[0] == "nenhuma queda"
    assert other.complaint_prob == pytest.approx(1 / (1 + math.exp(-10)))
