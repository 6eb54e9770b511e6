"""The demo runs on its own time, so it shows its burst on whatever date it is run."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner

from listener import cli
from listener.demo import demo_clock
from listener.demo.generate import STREAM_PATH

LONG_AFTER = datetime(2027, 8, 1, 9, 30, tzinfo=timezone.utc)  # past the 14-day history and the 180-day retention


def test_the_demo_clock_starts_at_the_newest_post_and_keeps_the_real_pace():
    newest = max(datetime.fromisoformat(json.loads(line)["created_at"].replace("Z", "+00:00"))
                 for line in STREAM_PATH.read_text(encoding="utf-8").split("\n") if line)
    real = [LONG_AFTER]
    now = demo_clock(STREAM_PATH, lambda: real[0])

    assert now() == newest
    real[0] += timedelta(minutes=5)
    assert now() == newest + timedelta(minutes=5)


def test_the_demo_run_months_later_still_groups_its_burst_into_incidents(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "system_clock", lambda: LONG_AFTER)

    ran = CliRunner().invoke(cli.main, ["run", "--demo", "--once"])

    assert ran.exit_code == 0, ran.output
    with closing(sqlite3.connect(tmp_path / cli.DEMO_DATABASE)) as db:
        mentions = db.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
        incidents = db.execute("SELECT COUNT(*) FROM incidents WHERE size >= 10").fetchone()[0]
        spikes = db.execute("SELECT COUNT(*) FROM alerts WHERE rule = 'early-warning'").fetchone()[0]
        latest_alert = db.execute("SELECT MAX(created_at) FROM alerts").fetchone()[0]
    assert mentions > 350  # nothing deleted as older than the retention
    assert incidents == 2  # the login failure and the Madrid fibre outage of 19 November
    assert spikes > 0
    assert latest_alert < "2026-11-22"  # alerts are dated in the demo's time, not in 2027


def test_a_restarted_demo_goes_on_from_the_latest_moment_its_database_recorded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ticks = iter(LONG_AFTER + timedelta(seconds=n) for n in range(10**6))  # every reading a second later
    monkeypatch.setattr(cli, "system_clock", lambda: next(ticks))
    assert CliRunner().invoke(cli.main, ["run", "--demo", "--once"]).exit_code == 0
    with closing(sqlite3.connect(tmp_path / cli.DEMO_DATABASE)) as db:
        latest_alert = datetime.fromisoformat(db.execute("SELECT MAX(created_at) FROM alerts").fetchone()[0])

    state = cli.CliContext()
    state.demo = True
    restarted = cli._clock_for(state)

    assert restarted() >= latest_alert  # a killed run's queued alerts are due, not in the future
