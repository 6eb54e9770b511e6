"""Compare language identifiers on the data sets' ``lang`` fields: ``python -m models.langid_compare``.

Candidates are the libraries that install from PyPI with their model inside the package:
py3langid (over all its languages, and restricted to the languages the detector allows),
lingua-language-detector and langdetect, when installed (they are not dependencies: install them
to rerun this). fastText-based packages download their model at first use and are left out.
Every candidate reads the post without mentions and links. Prints accuracy per language and the
time per post (no source hint is given, though the classifiers use one when unsure).
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import click

from models.data import default_data_dir, read_examples
from models.language import DEFAULT_LANGUAGES, shared_detector, text_for_identification

Detect = Callable[[str], str]


def candidates() -> dict[str, Detect]:
    """The language identifiers that are installed here, by name."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    full = LanguageIdentifier.from_model_file(MODEL_FILE)
    found: dict[str, Detect] = {
        "py3langid (all 97 languages)": lambda text: full.classify(text)[0],
        "py3langid (restricted, as shipped)": shared_detector().detect,
    }
    try:
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        lingua = LanguageDetectorBuilder.from_iso_codes_639_1(
            *[getattr(IsoCode639_1, code.upper()) for code in DEFAULT_LANGUAGES]
        ).build()

        def detect_lingua(text: str) -> str:
            language = lingua.detect_language_of(text)
            return language.iso_code_639_1.name.lower() if language else "und"

        found["lingua (same languages)"] = detect_lingua
    except ImportError:
        pass
    try:
        import langdetect

        langdetect.DetectorFactory.seed = 0

        def detect_langdetect(text: str) -> str:
            try:
                return langdetect.detect(text).split("-")[0]
            except langdetect.LangDetectException:
                return "und"

        found["langdetect"] = detect_langdetect
    except ImportError:
        pass
    return found


def compare(data_dir: Path, split: str = "dev") -> dict[str, dict[str, object]]:
    """Accuracy of every candidate per language over the data sets' ``split`` files."""
    examples = [e for path in sorted(data_dir.glob(f"*/{split}.jsonl")) for e in read_examples(path)]
    results: dict[str, dict[str, object]] = {}
    for name, detect in candidates().items():
        correct: dict[str, list[int]] = defaultdict(list)
        started = time.perf_counter()
        for example in examples:
            text = example.text if name.endswith("as shipped)") else text_for_identification(example.text)
            correct[example.lang].append(int(detect(text) == example.lang))
        elapsed = time.perf_counter() - started
        per_lang = {lang: round(sum(v) / len(v), 4) for lang, v in sorted(correct.items())}
        total = sum(sum(v) for v in correct.values()) / len(examples)
        results[name] = {"accuracy": round(total, 4), "per_lang": per_lang, "ms_per_post": round(1000 * elapsed / len(examples), 3)}
    return results


@click.command()
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None)
def main(data_dir: Path | None) -> None:
    """Print one JSON line per language identifier."""
    for name, result in compare(data_dir or default_data_dir()).items():
        click.echo(json.dumps({"library": name, **result}))


if __name__ == "__main__":
    main()
