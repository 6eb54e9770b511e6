"""The ``listener`` command: a thin skin over the library, one library call per command.

Every command finds its config through ``--config PATH``, then ``$LISTENER_CONFIG``, then
``./listener.toml``; with ``--demo`` it uses the bundled demo config instead and keeps the demo's
database and alert file in the current directory. A config error exits with code 2.
"""

from __future__ import annotations

import copy
import getpass
import json
import math
import os
import shlex
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timezone
from functools import wraps
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from tqdm import tqdm

from alerts.redact import Redactor
from listener import logs
from listener.clock import Clock, system_clock
from listener.config import (
    CONFIG_ENV, ClassifierConfig, ConfigError, Settings, find_config, load_settings, masked_dump, secret_values,
)
from listener.instance import AlreadyRunning

if TYPE_CHECKING:
    from listener.pipeline import CycleReport

F = TypeVar("F", bound=Callable[..., Any])
CONFIG_ERROR_EXIT = 2
DEMO_DATABASE = "listener-demo.db"
DEMO_ALERTS = "demo-alerts.jsonl"
MAX_ALERT_ID = 2**63 - 1  # SQLite's largest integer: a larger id can't be looked up (OverflowError)


def demo_settings(workdir: Path) -> Settings:
    """The bundled demo settings, with the database and alert file in ``workdir``."""
    demo = resources.files("listener") / "demo"
    with resources.as_file(demo / "demo.toml") as config_path:
        settings = load_settings(config_path)
    settings.storage.path = workdir / DEMO_DATABASE
    for channel in settings.alerts.channels:
        if channel.type == "jsonl":
            channel.path = workdir / DEMO_ALERTS
    return settings


class CliContext:
    """What the command group hands its commands: where the config is, loaded on first use."""

    def __init__(self) -> None:
        self.config_path: str | None = None
        self.demo = False
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        """The loaded settings; a config error ends the command with exit code 2."""
        if self._settings is None:
            try:
                self._settings = demo_settings(Path.cwd()) if self.demo else load_settings(find_config(self.config_path))
            except ConfigError as error:
                click.echo(f"config error: {error}", err=True)
                sys.exit(CONFIG_ERROR_EXIT)
            logs.redact_with(self.redactor)
        return self._settings

    @property
    def ack_command(self) -> str:
        """The command that acknowledges an alert of this config from the current directory, as a console
        channel prints it: ``listener ack --demo`` for the demo, with ``--config`` when one was named."""
        if self.demo:
            return "listener ack --demo"
        if self.config_path:
            return f"listener ack --config {shlex.quote(str(Path(self.config_path).resolve()))}"
        return "listener ack"

    @property
    def redactor(self) -> Redactor:
        """Replaces every secret of the settings in a text (log lines, error messages)."""
        return Redactor(secret_values(self.settings))

    @property
    def classifier(self) -> ClassifierConfig:
        """The classifier settings: from the config when one is named or ./listener.toml is there, else the
        defaults (a $LISTENER_CONFIG that is not there is an error, as --config's is, not the defaults)."""
        if self.demo or self.config_path or os.environ.get(CONFIG_ENV) or find_config(None).exists():
            return self.settings.classifier
        return ClassifierConfig()


CONFIG_HELP = "config file (default: $LISTENER_CONFIG, then ./listener.toml)"
DEMO_HELP = "use the bundled demo config, data in the current directory"


def _take_config_options(config_path: str | None, demo: bool) -> None:
    state = click.get_current_context().ensure_object(CliContext)
    state.config_path = config_path or state.config_path
    state.demo = demo or state.demo


def config_options(command: F) -> F:
    """Add ``--config`` and ``--demo`` to a command; they fill in the :class:`CliContext`."""

    @click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None, help=CONFIG_HELP)
    @click.option("--demo", is_flag=True, help=DEMO_HELP)
    @click.pass_context
    @wraps(command)
    def wrapper(ctx: click.Context, config_path: str | None, demo: bool, *args: Any, **kwargs: Any) -> Any:
        _take_config_options(config_path, demo)
        return ctx.invoke(command, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def with_config_options(command: click.Command) -> click.Command:
    """A copy of ``command``, made elsewhere (``models.commands``), that takes ``--config`` and ``--demo`` too."""
    callback = command.callback
    assert callback is not None

    @wraps(callback)
    def wrapper(*args: Any, config_path: str | None, demo: bool, **kwargs: Any) -> Any:
        _take_config_options(config_path, demo)
        return callback(*args, **kwargs)

    extended = copy.copy(command)
    extended.params = [*command.params,
                       click.Option(["--config", "config_path"], type=click.Path(dir_okay=False), default=None,
                                    help=CONFIG_HELP),
                       click.Option(["--demo"], is_flag=True, help=DEMO_HELP)]
    extended.callback = wrapper
    return extended


def open_listener(state: CliContext, **kwargs: Any):
    """The :class:`~listener.app.Listener` for the command's settings (imported late: it is heavy)."""
    from alerts.channels import ChannelUnavailable
    from listener.app import Listener
    from listener.store import StoreError, StoreUnusable

    from listener.sources import SourceConfigError

    try:
        return Listener(state.settings, ack_command=state.ack_command, **kwargs)
    except StoreUnusable:
        raise  # not the config's doing: the command group says so, and how to recover it
    except (ChannelUnavailable, StoreError, SourceConfigError) as error:
        click.echo(f"config error: {error}", err=True)
        sys.exit(CONFIG_ERROR_EXIT)


def open_store(state: CliContext):
    """The command's existing :class:`~listener.store.Store` (a reading command never creates one: a
    mistyped storage.path would read as an empty database); one that can't be opened is a config error."""
    from listener.store import Store, StoreError, StoreUnusable

    path = state.settings.storage.path
    if state.demo and not Path(path).exists():  # the demo's database is in the folder the demo ran in
        click.echo(f"there is no demo database at {path}; run 'listener run --demo --once' (make demo) in this "
                   "folder first, or run this command in the folder where you did", err=True)
        sys.exit(CONFIG_ERROR_EXIT)
    if not Path(path).exists():
        click.echo(f"config error: there is no database at {path} (storage.path); check the path, or run "
                   "'listener run' or 'listener poll --once' first", err=True)
        sys.exit(CONFIG_ERROR_EXIT)
    try:
        return Store.open(path)
    except StoreUnusable:
        raise  # not the config's doing: the command group says so, and how to recover it
    except StoreError as error:
        click.echo(f"config error: {error}", err=True)
        sys.exit(CONFIG_ERROR_EXIT)


def progress_bar(total: int, description: str) -> tqdm:
    """A progress bar on a terminal; silent when the output is piped."""
    return tqdm(total=total, desc=description, unit="post", disable=None, leave=False, file=sys.stderr)


class _ListenerGroup(click.Group):
    """The command group; a model that can't be loaded, whenever a command first needs it, is a
    config error like the others (exit 2, the message says how to get it), not a traceback; so is a
    database found damaged or read-only (exit 2: restarting does not mend it; the message says what to do)."""

    def invoke(self, ctx: click.Context) -> Any:
        from listener.store import StoreUnusable, unusable
        from models.errors import ModelNotAvailable

        try:
            return super().invoke(ctx)
        except ModelNotAvailable as error:
            click.echo(f"config error: {error}", err=True)
            sys.exit(CONFIG_ERROR_EXIT)
        except StoreUnusable as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(CONFIG_ERROR_EXIT)
        except sqlite3.DatabaseError as error:
            found = unusable(ctx.ensure_object(CliContext).settings.storage.path, error)
            if found is None:
                raise
            click.echo(f"error: {found}", err=True)
            sys.exit(CONFIG_ERROR_EXIT)


@click.group(cls=_ListenerGroup)
@click.option("--log-level", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="config file for every command (default: $LISTENER_CONFIG, then ./listener.toml)")
@click.option("--demo", is_flag=True, help="use the bundled demo config, data in the current directory")
@click.version_option(package_name="complaint-listener")
@click.pass_context
def main(ctx: click.Context, log_level: str, config_path: str | None, demo: bool) -> None:
    """Listen to social media for public complaints about a brand and alert a person fast.

    --config and --demo may also follow the command's name.
    """
    state = ctx.ensure_object(CliContext)
    state.config_path, state.demo = config_path, demo
    logs.configure(log_level.upper())


@main.command()
@click.option("--force", is_flag=True, help="overwrite an existing listener.toml")
def init(force: bool) -> None:
    """Write a commented listener.toml into the current directory to start from."""
    target = Path.cwd() / "listener.toml"
    if target.exists() and not force:
        raise click.ClickException(f"{target} already exists; use --force to overwrite it")
    try:
        with resources.as_file(resources.files("listener") / "templates" / "listener.toml") as template:
            shutil.copyfile(template, target)
    except OSError as error:
        raise click.ClickException(f"cannot write {target}: {error.strerror}; run listener init in a folder you "
                                   "can write to (it writes listener.toml into the current directory)") from None
    click.echo(f"wrote {target}; edit it, then run: listener config check")


@main.group()
def config() -> None:
    """Inspect the configuration."""


@config.command("check")
@config_options
@click.pass_obj
def config_check(state: CliContext) -> None:
    """Validate the config and print the effective settings, secrets masked.

    Besides the values, it builds the sources and channels and loads the embedded or lexicon classifier, as
    the daemon does at start-up, so a replay file, channel path or model that is not there fails here too
    (exit 2); it opens no database, calls no service and loads no transformer.
    """
    from alerts.channels import ChannelUnavailable, build_notifiers
    from listener.sources import SourceConfigError
    from listener.sources.registry import build_sources
    from models.factory import load_classifier

    try:
        build_sources(state.settings)
        build_notifiers(state.settings.alerts.channels)
    except (ChannelUnavailable, SourceConfigError) as error:
        click.echo(f"config error: {error}", err=True)
        sys.exit(CONFIG_ERROR_EXIT)
    # A model that is not there raises ModelNotAvailable: exit 2. A transformer (a complaint_model too) is
    # loaded at start-up only: a hub id would be fetched, gigabytes, by a check.
    classifier = state.settings.classifier
    if classifier.backend != "transformers":
        load_classifier(classifier.model_copy(update={"complaint_model": None}))
    click.echo(json.dumps(masked_dump(state.settings), indent=2, ensure_ascii=False))
    click.echo("config OK", err=True)


def _a_speed(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """``--speed`` as given; 'nan', which FloatRange lets through, is refused: a replay paced by it sent nothing."""
    if value is not None and math.isnan(value):
        raise click.BadParameter("nan is no speed; give 0 (all at once) or a factor, e.g. 60 (a minute per second)")
    return value


@main.command()
@click.option("--once", is_flag=True, help="one full cycle, then exit (as `poll --once`)")
@click.option("--speed", type=click.FloatRange(min=0), default=None, callback=_a_speed,
              help="replay speed factor, overriding the config (0 = all at once)")
@config_options
@click.pass_obj
def run(state: CliContext, once: bool, speed: float | None) -> None:
    """Run the daemon: poll every source on its interval, classify, alert, until SIGTERM."""
    from listener.daemon import run_daemon

    if speed is not None or once:
        state.settings.sources.replay.speed = 0 if once else speed
    with open_listener(state, clock=_clock_for(state)) as app:
        with _locked(app):
            _ = app.pipeline.classifier  # loaded now: a missing model stops start-up, before any poll
            _say_if_nothing_is_read(app)
            if once:
                _print_cycle(app.poll_once(_progress_for(app)))
            else:
                run_daemon(app)


@main.command()
@click.option("--once", is_flag=True, required=True, help="run one full cycle and exit")
@config_options
@click.pass_obj
def poll(state: CliContext, once: bool) -> None:
    """Run one full cycle (every enabled source, then delivery) and exit."""
    with open_listener(state, clock=_clock_for(state)) as app:
        with _locked(app):
            _ = app.pipeline.classifier  # loaded now: a missing model stops the cycle before any poll
            _say_if_nothing_is_read(app)
            _print_cycle(app.poll_once(_progress_for(app)))


def _say_if_nothing_is_read(app) -> None:
    """Warn when no source is enabled: the config 'listener init' writes has none, and a cycle that reads
    nothing said only "classified 0, alerts queued 0" (the brands were listened for nowhere)."""
    if not app.sources:
        click.echo("warning: no source is enabled, so no post is read; set enabled = true in [sources.x], "
                   "[sources.reddit] or [sources.replay] (README: \"Sources\")", err=True)


def _clock_for(state: CliContext) -> Clock:
    """The clock a polling command runs on: the demo's own time with ``--demo``, else the system's."""
    if not state.demo:
        return system_clock
    from listener.demo import demo_clock

    since = None
    if Path(state.settings.storage.path).exists():
        with closing(open_store(state)) as store:  # one that can't be opened is a config error, as without --demo
            since = store.latest_moment()
    return demo_clock(Path(state.settings.sources.replay.path), system_clock, since)


@contextmanager
def _locked(app) -> Iterator[None]:
    """Hold the instance lock of ``app``'s database; a second instance fails with a clear message."""
    lock = app.lock()
    try:
        lock.acquire()
    except AlreadyRunning as error:
        raise click.ClickException(str(error)) from None
    try:
        yield
    finally:
        lock.release()


def _progress_for(app) -> Callable[[int], None]:
    bar = progress_bar(0, "classifying")

    def advance(count: int) -> None:
        bar.total = (bar.total or 0) + count
        bar.update(count)

    return advance


def _print_cycle(report: CycleReport) -> None:
    for source in report.ingested:
        click.echo(f"{source.source}: read {source.read}, new {source.new}, seen before {source.duplicates}, "
                   f"skipped {source.skipped}, too old {source.too_old}, errors {len(source.errors)}", err=True)
    click.echo(f"classified {report.classified}, alerts queued {report.alerts_queued}, "
               f"sent {report.delivery.sent}, retrying {report.delivery.retrying}, "
               f"given up {report.delivery.given_up}", err=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="one JSON object")
@config_options
@click.pass_obj
def stats(state: CliContext, as_json: bool) -> None:
    """Counts of mentions, classifications, complaints and alerts."""
    store = open_store(state)
    figures = store.stats()
    store.close()
    if as_json:
        click.echo(json.dumps(figures))
    else:
        for name, value in figures.items():
            click.echo(f"{name:>16}: {value}")


class Moment(click.ParamType):
    """A date or time in ISO 8601, as ``alerts --json`` prints them ('2026-11-19', '2026-11-19 18:00',
    '2026-11-20T23:46:20.577501+00:00', '...Z'), as an aware UTC datetime; without an offset it is UTC."""

    name = "when"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(str(value).strip())
            return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
        except (ValueError, OverflowError):  # OverflowError: an offset that moves it off the calendar
            self.fail(f"{value!r} is not a date or time; give it in ISO 8601, e.g. 2026-11-19, 2026-11-19T18:00 "
                      "or 2026-11-19T18:00:00+01:00 (without an offset it is UTC)", param, ctx)


@main.command("alerts")
@click.option("--pending", is_flag=True, help="only alerts not yet delivered")
@click.option("--since", type=Moment(), help="only alerts created since then (ISO 8601; UTC unless it has an offset)")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
@config_options
@click.pass_obj
def list_alerts(state: CliContext, pending: bool, since: datetime | None, as_json: bool) -> None:
    """List alerts in the outbox, newest first."""
    store = open_store(state)
    rows = store.alerts(pending_only=pending, since=since)
    store.close()
    if not rows and not as_json:  # on stderr: a script reading the listing still reads nothing
        when = f" since {since:%Y-%m-%d %H:%M} UTC" if since else ""
        click.echo(f"no {'pending ' if pending else ''}alerts{when}", err=True)
    for row in rows:
        if as_json:
            click.echo(json.dumps({
                "id": row.id, "channel": row.alert.channel, "status": row.status, "severity": row.alert.severity,
                "title": row.alert.title, "mention_id": row.alert.mention_id,
                "created_at": row.alert.created_at.isoformat() if row.alert.created_at else None,
                "acknowledged_at": row.acknowledged_at.isoformat() if row.acknowledged_at else None,
                "acknowledged_by": row.acknowledged_by,
            }, ensure_ascii=False))
        else:
            ack = f"ack by {row.acknowledged_by or '?'}" if row.acknowledged_at else "not acknowledged"
            click.echo(f"#{row.id:<5} {row.status:<8} {row.alert.channel:<10} {row.alert.severity:<8} "
                       f"{ack:<20} {row.alert.title}")


@main.command()
@click.argument("alert_id", type=click.IntRange(max=MAX_ALERT_ID))
@click.option("--by", default=None, help="who acknowledges it (default: your user name)")
@config_options
@click.pass_obj
def ack(state: CliContext, alert_id: int, by: str | None) -> None:
    """Acknowledge an alert: someone is on it."""
    if by is not None and not by.strip():
        raise click.BadParameter("is blank; give a name, or leave --by out for your user name", param_hint="--by")
    store = open_store(state)
    try:
        before = store.alert(alert_id)
        row = store.acknowledge(alert_id, by.strip() if by else _user())
    except KeyError as error:
        raise click.ClickException(str(error.args[0])) from None
    finally:
        store.close()
    done = "was already acknowledged" if before is not None and before.acknowledged_at else "acknowledged"
    when = f"{row.acknowledged_at:%Y-%m-%d %H:%M} UTC" if row.acknowledged_at else "?"
    click.echo(f"alert #{row.id} {done} by {row.acknowledged_by or 'someone'} at {when}")


def _user() -> str | None:
    """Who runs the command, as acknowledgements record it when --by is not given."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


@main.command()
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="the day, local to digest.timezone (default: yesterday; with --demo: the demo's busiest day)")
@click.option("--brand", default=None, help="the brand (default: the first one that is not a competitor)")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="save the HTML page to this file")
@click.option("--send", is_flag=True, help="email it to digest.recipients (and the Slack summary to digest.channel)")
@config_options
@click.pass_obj
def digest(state: CliContext, day: datetime | None, brand: str | None, out: str | None, send: bool) -> None:
    """The daily digest for PR staff: saved as a page, emailed, or printed as text."""
    from alerts.digest import build_digest, busiest_day, default_brand
    from alerts.digest.deliver import DigestDeliveryError, SlackSummaryFailed, send_digest
    settings = state.settings
    store = open_store(state)
    try:
        chosen = day.date() if day else None
        if chosen is None and state.demo:
            chosen = busiest_day(store, settings, brand or default_brand(settings))
        rendered = build_digest(store, settings, brand=brand, day=chosen)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    except OverflowError:  # the day's window, with the days before it, runs off the calendar
        raise click.BadParameter(f"{chosen} is too near the calendar's ends; give a day from 0001-01-09 "
                                 "to 9999-12-30", param_hint="--date") from None
    finally:
        store.close()
    if out:
        try:
            Path(out).write_text(rendered.html, encoding="utf-8")
        except OSError as error:
            raise click.ClickException(f"cannot write {out}: {error.strerror}; check that its folder exists "
                                       "and can be written") from None
        click.echo(f"wrote {out}: {rendered.subject}", err=True)
    if send:
        try:
            report = send_digest(rendered, settings)
        except DigestDeliveryError as error:
            retry = "" if isinstance(error, SlackSummaryFailed) else "; then run the command again"
            raise click.ClickException(state.redactor(str(error)) + retry) from None
        click.echo(f"sent to {', '.join(report.recipients)}" + (" and Slack" if report.slack else ""), err=True)
    if not out and not send:
        click.echo(rendered.text)


# Commands that live beside the part of the library they drive; each module keeps heavy imports
# inside its commands, so `listener --help` stays fast.
from listener.sources.commands import doctor, ingest  # noqa: E402  (the commands import this module)
from models.commands import calibrate_command, classify_command, eval_command, train_command  # noqa: E402

for command in (ingest, doctor, train_command):
    main.add_command(command)
for command in (classify_command, eval_command, calibrate_command):  # these read [classifier]
    main.add_command(with_config_options(command))
