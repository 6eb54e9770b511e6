"""Import saved API responses (X v2, Reddit Listing, replay JSONL) through the usual pipeline.

Each file becomes one batch of the same mappings the pollers use, stored by the pipeline (so a
second import of the same file only refreshes engagement), then classified and evaluated as usual.
A file that cannot be read is reported with its name and the reason; the other files still import.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from listener.brands import BrandMatcher
from listener.config import Settings
from listener.sources import BrandOf, SourceBatch
from listener.sources.fields import RECORD_FAULTS, record_problem
from listener.sources.reddit_mapping import parse_reddit_listing
from listener.sources.replay import read_record, record_mention
from listener.sources.x_mapping import parse_x_response

Format = Literal["x-v2", "reddit", "jsonl"]
FORMATS: tuple[Format, ...] = ("x-v2", "reddit", "jsonl")
_MATCHER_SOURCE = {"x-v2": "x", "reddit": "reddit", "jsonl": "replay"}


class IngestError(ValueError):
    """The import cannot start (unknown format or brand); the message says what is accepted."""


@dataclass
class IngestSummary:
    """What an import did. Every post read is new, a duplicate, skipped (no brand), too old (posted
    before the retention period) or an error."""

    files: int = 0
    files_failed: int = 0
    read: int = 0
    new: int = 0
    duplicates: int = 0
    skipped: int = 0
    too_old: int = 0
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The summary line of ``listener ingest --json``."""
        return {"read": self.read, "new": self.new, "duplicates": self.duplicates, "errors": len(self.errors)}


class SavedResponses:
    """A source over saved response files: one batch per file, no cursor (the store deduplicates).

    Example::

        >>> source = SavedResponses([Path("search.json")], "x-v2", brand_of=lambda text, handle: "Lumora")
        >>> [len(batch.mentions) for batch in source.fetch({})]
        [10]
    """

    def __init__(self, paths: Sequence[Path], format: Format, brand_of: BrandOf) -> None:
        if format not in FORMATS:
            raise IngestError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
        self.name = f"ingest:{format}"
        self._paths = list(paths)
        self._format = format
        self._brand_of = brand_of
        self.failed_files: list[Path] = []

    def fetch(self, cursor: Mapping[str, str]) -> Iterator[SourceBatch]:
        """One batch per file, in the order given."""
        for path in self._paths:
            try:
                batch = self._read(path)
            except (OSError, *RECORD_FAULTS) as error:
                self.failed_files.append(path)
                reason = error.strerror if isinstance(error, OSError) and error.strerror else record_problem(error)
                batch = SourceBatch([], {}, errors=[f"{path}: {reason}"])
            yield batch

    def _read(self, path: Path) -> SourceBatch:
        if self._format == "jsonl":
            return self._jsonl(path)
        try:
            document = json.loads(path.read_bytes())  # bytes: a UTF-8 byte-order mark is read past
        except (json.JSONDecodeError, RecursionError) as error:
            raise ValueError(f"not valid JSON ({error})") from None
        parse = parse_x_response if self._format == "x-v2" else parse_reddit_listing
        pages = [parse(body, self._brand_of) for body in unwrap_recording(document)]
        return SourceBatch(
            [mention for page in pages for mention in page.mentions],
            {},
            sum(page.skipped for page in pages),
            [f"{path}: {error}" for page in pages for error in page.errors],
        )

    def _jsonl(self, path: Path) -> SourceBatch:
        """Replay records, read line by line as bytes as the replay source reads them; a bad line is its own error."""
        mentions, errors, skipped = [], [], 0
        with path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    mention = record_mention(read_record(line), self._brand_of)
                except RECORD_FAULTS as error:
                    errors.append(f"{path}:{number}: {record_problem(error)}")
                    continue
                if mention is None:
                    skipped += 1
                else:
                    mentions.append(mention)
        return SourceBatch(mentions, {}, skipped, errors)


def unwrap_recording(document: Any) -> list[Any]:
    """The response bodies in a saved file.

    A bare body is itself. A recording made by a test tool is unwrapped: a vcrpy JSON cassette
    (``interactions[].response.body.string``, only 2xx responses whose body is JSON) or a single
    recorded response (``{"response": {"body": "..."}}``).
    """
    if isinstance(document, Mapping) and isinstance(document.get("interactions"), list):
        bodies = []
        for interaction in document["interactions"]:
            response = interaction.get("response", {}) if isinstance(interaction, Mapping) else {}
            status = (response.get("status") or {}).get("code")
            text = (response.get("body") or {}).get("string")
            if isinstance(status, int) and 200 <= status < 300 and isinstance(text, str) and text.strip():
                body = _json_or_none(text)
                if isinstance(body, (list, dict)) and "access_token" not in body:
                    bodies.append(body)
        return bodies
    if isinstance(document, Mapping) and isinstance(document.get("response"), Mapping) and "body" in document["response"]:
        status = document["response"].get("status_code")
        if isinstance(status, int) and not 200 <= status < 300:
            raise ValueError(f"a recorded {status} error response, not search results")
        body = document["response"]["body"]
        return [json.loads(body) if isinstance(body, str) else body]
    return [document]


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def brand_assigner(settings: Settings, format: Format, brand: str | None = None) -> BrandOf:
    """How posts get their brand: ``brand`` for all, else the brand a record names when the config has
    it, else by the brands' terms; never for a post by one of the brand's own or ignored accounts."""
    matcher = BrandMatcher(settings.brands, _MATCHER_SOURCE[format])
    if brand is not None and settings.brand(brand) is None:
        known = ", ".join(configured.name for configured in settings.brands)
        raise IngestError(f"unknown brand {brand!r}; the config has: {known}")

    def brand_of(text: str, handle: str | None, named: str | None = None) -> str | None:
        if brand is None:
            return matcher.brand_for(text, handle, named)
        return None if matcher.is_excluded_author(brand, handle) else brand

    return brand_of


def ingest_files(app: Any, paths: Sequence[Path], format: Format, *, brand: str | None = None,
                 classify: bool = True) -> IngestSummary:
    """Store the posts in ``paths`` through ``app``'s pipeline, then classify and evaluate them.

    ``app`` is a :class:`listener.app.Listener`. Example::

        >>> with Listener(load_settings("listener.toml")) as app:
        ...     ingest_files(app, [Path("search.json")], "x-v2", brand="Lumora").counts()
        {'read': 10, 'new': 10, 'duplicates': 0, 'errors': 0}
    """
    source = SavedResponses(paths, format, brand_assigner(app.settings, format, brand))
    report = app.pipeline.ingest(source)
    summary = IngestSummary(
        files=len(paths), files_failed=len(source.failed_files), new=report.new, duplicates=report.duplicates,
        skipped=report.skipped, too_old=report.too_old, errors=list(report.errors),
    )
    record_errors = len(report.errors) - summary.files_failed
    summary.read = report.read + report.skipped + record_errors
    if classify:
        app.pipeline.process()
    return summary
