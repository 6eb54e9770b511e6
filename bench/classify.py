"""Throughput and memory of the embedded model against an XLM-R-base-sized transformer.

    python bench/classify.py [--n 1000] [--data ../shared/data] [--complaint-model DIR [--complaint-band LOW HIGH]]

Both classify the same tweets (from the data sets' dev files), each in its own subprocess so that
peak memory is measured separately, after a warm-up on 64 other tweets. The transformer is built from ``XLMRobertaConfig`` with random
weights and XLM-R's vocabulary size (no download: the compute is that of XLM-T); its tokenizer is a
local stand-in that cuts words into pieces of about four characters, which gives token counts
like SentencePiece's on tweets. Prints one JSON line per model, then ``ratio: N``
(embedded texts/s divided by XLM-R texts/s). With ``--complaint-model`` it also measures the embedded
model with that complaint model beside it ("hybrid"), and with ``--complaint-band`` too, the same
with that ``complaint_band`` ("banded").
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV_SETS = ("umsab", "complaints", "airline_es", "airline_us")
_PIECE = re.compile(r"\w{1,4}|[^\w\s]")
WARM_UP = 64


def load_tweets(data_dir: Path, n: int) -> list[str]:
    """The first ``n`` tweets taken in turn from each dev file."""
    sys.path.insert(0, str(REPO))
    from models.data import read_examples

    files = [read_examples(data_dir / name / "dev.jsonl") for name in DEV_SETS if (data_dir / name / "dev.jsonl").is_file()]
    if not files:
        raise SystemExit(f"no dev files under {data_dir}: pass --data with the shared data folder")
    interleaved = [e.text for group in zip(*files) for e in group]
    return (interleaved * (n // max(len(interleaved), 1) + 1))[:n]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_embedded(texts: list[str], complaint_model: str | None = None,
                 complaint_band: tuple[float, float] = (0.0, 1.0)) -> dict[str, float]:
    """Load the shipped embedded model (with ``complaint_model`` beside it, if given, scoring the posts
    within ``complaint_band``) and classify ``texts``; module imports are timed apart."""
    started = time.perf_counter()
    import models.embedded_backend  # noqa: F401  (numpy, safetensors, py3langid: paid once per process)
    from listener.config import ClassifierConfig
    from models.factory import load_classifier

    import_s = time.perf_counter() - started
    started = time.perf_counter()
    classifier = load_classifier(ClassifierConfig(complaint_model=complaint_model, complaint_band=complaint_band,
                                                  threads=2 if complaint_model else None))
    load_s = time.perf_counter() - started
    rss_after_load = _peak_rss_mb()
    classifier.classify(texts[:WARM_UP])
    texts = texts[WARM_UP:]
    started = time.perf_counter()
    classifier.classify(texts)
    elapsed = time.perf_counter() - started
    return {"import_s": import_s, "load_s": load_s, "rss_after_load_mb": rss_after_load, "texts_per_s": len(texts) / elapsed}


def run_xlmr(texts: list[str], batch_size: int = 32, max_length: int = 128) -> dict[str, float]:
    """Build XLM-R-base with random weights and run sequence classification over ``texts``."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

    torch.manual_seed(0)
    config = XLMRobertaConfig(vocab_size=250_002, num_labels=3, max_position_embeddings=514, type_vocab_size=1)
    model = XLMRobertaForSequenceClassification(config).eval()
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        if start == WARM_UP:
            started = time.perf_counter()
        rows = [
            [0] + [3 + zlib.crc32(p.encode()) % (config.vocab_size - 3) for p in _PIECE.findall(t.lower())][: max_length - 2] + [2]
            for t in texts[start : start + batch_size]
        ]
        width = max(map(len, rows))
        ids = torch.tensor([r + [1] * (width - len(r)) for r in rows])
        with torch.inference_mode():
            model(input_ids=ids, attention_mask=(ids != 1).long())
    elapsed = time.perf_counter() - started
    return {"texts_per_s": (len(texts) - WARM_UP) / elapsed}


def _worker(kind: str, data_dir: Path, n: int, complaint_model: str | None, band: tuple[float, float]) -> None:
    texts = load_tweets(data_dir, n + WARM_UP)
    if kind == "xlmr":
        result = run_xlmr(texts)
    elif kind == "embedded":
        result = run_embedded(texts)
    else:
        result = run_embedded(texts, complaint_model, band if kind == "banded" else (0.0, 1.0))
    result["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps({"model": kind, "n": n, **{k: round(v, 3) for k, v in result.items()}}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="number of tweets")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--complaint-model", default=None,
                        help="also measure the embedded model with this complaint_model beside it (models.finetune)")
    parser.add_argument("--complaint-band", type=float, nargs=2, metavar=("LOW", "HIGH"), default=None,
                        help="with --complaint-model, also measure it with this complaint_band")
    parser.add_argument("--worker", choices=["embedded", "hybrid", "banded", "xlmr"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    band = tuple(args.complaint_band or (0.0, 1.0))
    if args.worker:
        _worker(args.worker, args.data, args.n, args.complaint_model, band)
        return
    with_model = ["hybrid", *(["banded"] if args.complaint_band else [])] if args.complaint_model else []
    results = {}
    for kind in ("embedded", *with_model, "xlmr"):
        output = subprocess.run(
            [sys.executable, __file__, "--worker", kind, "--n", str(args.n), "--data", str(args.data),
             *(["--complaint-model", args.complaint_model] if args.complaint_model else []),
             "--complaint-band", *map(str, band)],
            check=True, capture_output=True, text=True, cwd=REPO,
        ).stdout.strip().split("\n")[-1]
        print(output, flush=True)
        results[kind] = json.loads(output)
    print(f"ratio: {results['embedded']['texts_per_s'] / results['xlmr']['texts_per_s']:.1f}")
    if "hybrid" in results:
        print(f"ratio with the complaint model: {results['hybrid']['texts_per_s'] / results['xlmr']['texts_per_s']:.1f}")
    if "banded" in results:
        print(f"ratio with the complaint model on complaint_band {list(band)}: "
              f"{results['banded']['texts_per_s'] / results['xlmr']['texts_per_s']:.1f}")


if __name__ == "__main__":
    main()
