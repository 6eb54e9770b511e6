"""The `listener digest` command and the daemon's daily digest job."""

from __future__ import annotations

import textwrap
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from listener.app import Listener
from listener.cli import main
from listener.daemon import build_scheduler
from listener.store import Store
from tests.digest.digest_support import at, email_channel, make_settings, read_page

CONFIG = """
[[brands]]
name = "Lumora"

[[brands]]
name = "Vireo Net"
competitor = true

[digest]
timezone = "Europe/Madrid"

[storage]
path = "listener.db"
"""


def test_digest_command_saves_the_page_and_prints_the_text(tmp_path, filler):
    filler.mention(at(10), complaint=0.9, text="Lumora me cobraron dos veces")
    filler.mention(at(12), brand="Vireo Net")
    config = tmp_path / "listener.toml"
    config.write_text(textwrap.dedent(CONFIG), encoding="utf-8")
    runner = CliRunner()

    saved = runner.invoke(main, ["digest", "--config", str(config), "--date", "2026-11-19", "--out",
                                 str(tmp_path / "page.html")])
    printed = runner.invoke(main, ["digest", "--config", str(config), "--date", "2026-11-19"])

    assert saved.exit_code == 0, saved.output
    page = read_page((tmp_path / "page.html").read_text(encoding="utf-8"))
    assert page.number("totals", "complaints") == 1
    assert page.number("brands", "mentions", "Vireo Net") == 1
    assert printed.exit_code == 0, printed.output
    assert "Complaints: 1 (avg —), complaint probability >= 50%" in printed.output


def test_an_unknown_brand_is_an_error_that_names_the_known_ones(tmp_path):
    config = tmp_path / "listener.toml"
    config.write_text(textwrap.dedent(CONFIG), encoding="utf-8")
    Store.open(tmp_path / "listener.db").close()
    result = CliRunner().invoke(main, ["digest", "--config", str(config), "--brand", "Acme"])
    assert result.exit_code == 1
    assert "no brand named 'Acme' in the config; known brands: Lumora, Vireo Net" in result.output


def test_a_day_at_the_calendars_end_or_a_page_with_no_folder_is_an_error_not_a_traceback(tmp_path):
    config = tmp_path / "listener.toml"
    config.write_text(textwrap.dedent(CONFIG), encoding="utf-8")
    Store.open(tmp_path / "listener.db").close()
    runner = CliRunner()
    late = runner.invoke(main, ["digest", "--config", str(config), "--date", "9999-12-31"])
    assert late.exit_code == 2 and "--date" in late.output and "too near the calendar's ends" in late.output
    lost = runner.invoke(main, ["digest", "--config", str(config), "--out", str(tmp_path / "no" / "page.html")])
    assert lost.exit_code == 1 and "cannot write" in lost.output and "check that its folder exists" in lost.output


def test_the_daemon_sends_the_digest_daily_at_its_local_time(tmp_path):
    settings = make_settings(tmp_path, extra_channels=[email_channel(25)], enabled=True, time="08:30")
    with Listener(settings, sources=[]) as app:
        scheduler = build_scheduler(app)
        job, catch_up = scheduler.get_job("digest"), scheduler.get_job("digest-catch-up")
    assert job is not None and catch_up is not None  # the catch-up runs at start-up, then hourly
    after_midnight = datetime(2026, 11, 20, 0, 0, tzinfo=timezone.utc)
    next_run = job.trigger.get_next_fire_time(None, after_midnight)
    assert next_run.astimezone(ZoneInfo("Europe/Madrid")).strftime("%Y-%m-%d %H:%M") == "2026-11-20 08:30"


def test_no_digest_job_unless_enabled(tmp_path):
    with Listener(make_settings(tmp_path), sources=[]) as app:
        scheduler = build_scheduler(app)
        assert scheduler.get_job("digest") is None and scheduler.get_job("digest-catch-up") is None
