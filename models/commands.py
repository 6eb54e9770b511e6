"""Command-line skins over the models library: ``listener eval``, ``listener calibrate``, ``listener classify``,
``listener train``.

Each command calls one library function. The classifier comes from the configuration the
``listener`` group loaded onto ``ctx.obj`` (its ``classifier`` attribute); run on their own, the
commands use the default :class:`listener.config.ClassifierConfig`.
"""

from __future__ import annotations

import json
import logging
import math
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import BinaryIO

import click

from listener.config import ClassifierConfig
from listener.domain import without_lone_surrogates
from models.base import Classifier
from models.data import default_data_dir
from models.evaluation import EvalReport, evaluate
from models.factory import load_classifier


def _config(ctx: click.Context) -> ClassifierConfig:
    """The configured classifier settings (``ctx.obj.classifier``), or the default ones."""
    return getattr(ctx.obj, "classifier", None) or ClassifierConfig()


def _classifier(ctx: click.Context) -> Classifier:
    """Build the configured classifier, or the default one."""
    return load_classifier(_config(ctx))


class Probability(click.FloatRange):
    """A number from 0 to 1. ``click.FloatRange`` alone lets 'nan' through: it compares as in range."""

    name = "probability"

    def __init__(self) -> None:
        super().__init__(0, 1)

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number from 0 to 1", param, ctx)
        return number


def _print_report(report: EvalReport) -> None:
    click.echo(f"task={report.task} n={report.n} macro_f1={report.macro_f1:.4f}")
    if report.complaint_precision is not None:
        click.echo(f"complaint precision={report.complaint_precision:.4f} recall={report.complaint_recall:.4f}")
    for lang, lang_score in sorted(report.per_lang.items()):
        click.echo(f"  {lang} n={lang_score.n} macro_f1={lang_score.macro_f1:.4f}")


@click.command("eval")
@click.option("--task", type=click.Choice(["sentiment", "complaint"]), required=True)
@click.option("--data", "data_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="JSONL file with text, label and lang (a data set's dev.jsonl).")
@click.option("--threshold", type=Probability(), default=0.5, show_default=True,
              help="complaint_prob that counts as a complaint, from 0 to 1.")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON line: task, n, macro_f1, per_lang.")
@click.pass_context
def eval_command(ctx: click.Context, task: str, data_path: Path, threshold: float, as_json: bool) -> None:
    """Score the classifier on a labelled JSONL file (macro-F1 overall and per language).

    For --task complaint on a three-class sentiment file, negative posts count as complaints.
    """
    try:
        report = evaluate(_classifier(ctx), data_path, task, threshold=threshold)  # type: ignore[arg-type]
    except ValueError as error:  # a file without labels, or not JSONL: the message names the line
        raise click.ClickException(str(error)) from None
    _print_report(report)
    if as_json:
        click.echo(json.dumps(report.summary(), ensure_ascii=False))


@click.command("calibrate")
@click.option("--task", type=click.Choice(["sentiment", "complaint"]), required=True)
@click.option("--data", "data_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="Labelled JSONL file with text, label and lang, drawn from your own mentions.")
@click.option("--json", "as_json", is_flag=True,
              help="End with one JSON line: task, n, ece_uncalibrated, ece_calibrated_cross_fitted, settings, left_out.")
@click.pass_context
def calibrate_command(ctx: click.Context, task: str, data_path: Path, as_json: bool) -> None:
    """Fit a transformer's calibration on a labelled file and print the [classifier] lines.

    --task sentiment fits sentiment_temperature (labels 0/1/2); --task complaint fits complaint_platt
    (labels 1/0; on a three-class sentiment file negative posts count as complaints). Calibrate
    sentiment first when the negative probability stands in for the complaint one. The expected
    calibration error is printed uncalibrated and cross-fitted (fitted on one half of the file,
    measured on the other, both ways); the lines to paste are fitted on the whole file. With
    backend = "transformers" it fits that backend; with the embedded backend and a complaint_model,
    --task complaint fits the complaint model on the file's posts in its languages. The embedded
    model itself is calibrated when it is trained (listener train): for it this says so and fits nothing.
    """
    from models.calibrate import calibrate, calibrate_complaint_model
    from models.transformers_backend import TransformersClassifier

    config = _config(ctx)
    if config.backend == "embedded" and not (config.complaint_model and task == "complaint"):
        click.echo("the embedded backend is calibrated at training time (listener train); nothing to fit"
                   + ("" if config.complaint_model else "; with a complaint_model, --task complaint fits it"))
        return
    if config.backend == "lexicon":
        raise click.ClickException('the lexicon backend takes no calibration; listener calibrate fits '
                                   'backend = "transformers" or a complaint_model beside the embedded backend')
    try:
        if config.backend == "embedded":
            fit = calibrate_complaint_model(_classifier(ctx), data_path)  # type: ignore[arg-type]
        else:
            fit = calibrate(TransformersClassifier.from_config(config), data_path, task)  # type: ignore[arg-type]
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    left_out = f" ({fit.left_out} posts in other languages left out)" if fit.left_out else ""
    click.echo(f"task={fit.task} n={fit.n}{left_out} ece_uncalibrated={fit.ece_uncalibrated:.4f} "
               f"ece_calibrated={fit.ece_calibrated:.4f} (cross-fitted on two halves)")
    click.echo("paste into [classifier]:")
    for line in fit.toml_lines():
        click.echo(line)
    if as_json:
        click.echo(json.dumps(fit.summary(), ensure_ascii=False))


@click.command("classify")
@click.argument("texts", nargs=-1)
@click.option("--lang", "lang_hint", default=None, help="Language hint for every text (ISO 639-1).")
@click.pass_context
def classify_command(ctx: click.Context, texts: tuple[str, ...], lang_hint: str | None) -> None:
    """Classify TEXTS (or each non-blank line of standard input) and print one JSON object per text."""
    blank = [str(number) for number, text in enumerate(texts, 1) if not text.strip()]
    if blank:
        raise click.BadParameter(f"text {', '.join(blank)} is blank: there is nothing to classify",
                                 param_hint="TEXTS")
    # The shell hands over bytes that are not UTF-8 as lone surrogates, which no JSON reader takes back.
    undecodable = [str(number) for number, text in enumerate(texts, 1) if without_lone_surrogates(text) != text]
    if undecodable:
        raise click.BadParameter(f"text {', '.join(undecodable)} is not UTF-8 text", param_hint="TEXTS")
    batches = [list(texts)] if texts else _stdin_batches()
    classifier = _classifier(ctx)
    for items in batches:
        for text, result in zip(items, classifier.classify(items, [lang_hint] * len(items)), strict=True):
            click.echo(json.dumps({"text": text, **asdict(result)}, ensure_ascii=False))


# Standard input is classified, and printed, at most this many lines at a time: memory stays flat however long it is.
STDIN_BATCH = 1000


def _stdin_batches() -> Iterator[list[str]]:
    """The non-blank lines of standard input, as :func:`_decoded_batches` gives them; a usage error when standard
    input is closed."""
    if sys.stdin is None:  # started with standard input closed (``<&-``, some service managers)
        raise click.UsageError("no TEXTS given and standard input is closed; give the texts as arguments, or pipe "
                               "them in, one per line")
    return _decoded_batches(sys.stdin.buffer, STDIN_BATCH)


def _decoded_batches(stream: BinaryIO, size: int) -> Iterator[list[str]]:
    """The non-blank lines of ``stream``, each decoded from UTF-8 on its own (a byte-order mark read past, a CRLF's
    CR dropped), in lists of at most ``size`` of those that have come in: a feed that stays open is classified as
    it comes. ``click.ClickException`` naming the first line that is not UTF-8."""
    number = 0
    for lines in _arrived_lines(stream):
        texts = []
        for number, line in enumerate(lines, start=number + 1):
            try:
                text = line.decode("utf-8-sig").rstrip("\r")
            except UnicodeDecodeError as error:
                raise click.ClickException(f"line {number} of standard input is not UTF-8 text ({error}); "
                                           "save it as UTF-8") from None
            if text.strip():
                texts.append(text)
        for start in range(0, len(texts), size):
            yield texts[start : start + size]


def _arrived_lines(stream: BinaryIO) -> Iterator[list[bytes]]:
    """The lines of ``stream`` (without their line feed), as many at a time as have come in: a read waits for
    more only when no line is left to give."""
    partial: list[bytes] = []
    while chunk := stream.read1(1 << 16):
        *complete, rest = chunk.split(b"\n")
        if complete:
            complete[0] = b"".join([*partial, complete[0]])
            partial = []
            yield complete
        partial.append(rest)
    if last := b"".join(partial):
        yield [last]


@click.command("train")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of data sets (default: ../shared/data beside the repository).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the weights (default: the package's models/embedded/).")
@click.option("--seed", type=int, default=None, help="Random seed (default: the shipped model's).")
@click.option("--epochs", type=int, default=None, help="Number of epochs (default: the shipped model's).")
@click.option("--limit", type=int, default=None, help="Use only N posts of each file, spread over it (smoke runs).")
@click.option("--teacher", type=click.Path(exists=True, file_okay=False), default=None,
              help="A complaint model made by `python -m models.finetune`, distilled into the linear complaint model.")
@click.option("--distil-copies", type=int, default=None, help="Rewrites of each complaint tweet the teacher reads (default 16).")
def train_command(data_dir: Path | None, out_dir: Path | None, seed: int | None, epochs: int | None, limit: int | None,
                  teacher: str | None, distil_copies: int | None) -> None:
    """Train the embedded model on the data sets' train splits, early-stopped and calibrated on dev."""
    from models.train import TrainConfig, train
    from models.weights import WEIGHTS_DIR

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    overrides = {k: v for k, v in {"seed": seed, "epochs": epochs, "limit": limit, "teacher": teacher,
                                   "distil_copies": distil_copies}.items() if v is not None}
    meta = train(data_dir or default_data_dir(), out_dir or WEIGHTS_DIR, TrainConfig(**overrides))
    click.echo(json.dumps(meta.training, ensure_ascii=False))
