"""The ``listener ingest`` and ``listener doctor`` commands: thin skins over listener.ingest and listener.doctor."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from listener.cli import CliContext, config_options, open_listener
from listener.ingest import FORMATS


@click.command()
@click.option("--format", "format_", type=click.Choice(FORMATS), required=True,
              help="x-v2: an X API v2 search response body; reddit: a Reddit Listing; jsonl: replay records")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--brand", default=None, help="assign every post to this brand (default: by the brands' terms)")
@click.option("--json", "as_json", is_flag=True, help="print the counts as one JSON object on the last line")
@config_options
@click.pass_obj
def ingest(state: CliContext, format_: str, files: tuple[Path, ...], brand: str | None, as_json: bool) -> None:
    """Import saved API responses through the pipeline, idempotently, and deliver the alerts they raise.

    When a daemon is running on the same database, it delivers them instead.

    Exits 1 only when no file could be read; problems in some files are reported and counted.
    """
    from listener.ingest import IngestError, ingest_files

    with open_listener(state) as app:
        try:
            summary = ingest_files(app, list(files), format_, brand=brand)  # type: ignore[arg-type]
        except IngestError as error:
            raise click.UsageError(str(error)) from None
        delivery = app.deliver_unless_running()
    for error in summary.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(f"read {summary.read}, new {summary.new}, seen before {summary.duplicates}, "
               f"no brand {summary.skipped}, too old {summary.too_old}, errors {len(summary.errors)}", err=True)
    click.echo(f"alerts sent {delivery.sent}" if delivery is not None
               else "alerts queued for the running daemon to deliver", err=True)
    if as_json:
        click.echo(json.dumps(summary.counts()))
    if summary.files_failed == summary.files:
        sys.exit(1)


@click.command()
@config_options
@click.pass_obj
def doctor(state: CliContext) -> None:
    """Check each source's credentials with one cheap call; print OK or why not. Exits 1 on a failure."""
    from listener.doctor import check_sources

    checks = check_sources(state.settings)
    if not checks:
        click.echo("no source with credentials is configured (sources.x, sources.reddit)")
        return
    width, redact = max(len(check.source) for check in checks), state.redactor
    for check in checks:
        click.echo(f"{check.source:<{width}}  {'OK' if check.ok else 'FAILED':<6}  {redact(check.detail)}")
    if not all(check.ok for check in checks):
        sys.exit(1)
