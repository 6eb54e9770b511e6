"""`listener alerts`: the outbox listed, newest first, and filtered."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from listener.cli import main
from listener.store import Store


MADRID = timezone(timedelta(hours=1))


@pytest.mark.parametrize("shift", [lambda printed: printed, lambda printed: printed.replace("+00:00", "Z"),
                                   lambda printed: datetime.fromisoformat(printed).astimezone(MADRID).isoformat()],
                         ids=["as-printed", "with-z", "with-an-offset"])
def test_alerts_since_the_time_alerts_json_prints_does_not_fail(write_config, one_alert, shift):
    """--since took only '%Y-%m-%d', '%Y-%m-%dT%H:%M:%S' and '%Y-%m-%d %H:%M:%S': a created_at copied from
    `alerts --json` ('2026-11-19T10:00:00.123456+00:00') or ending in Z was a usage error."""
    path = write_config()
    runner = CliRunner()
    [printed] = map(json.loads, runner.invoke(main, ["alerts", "--json", "--config", str(path)]).stdout.splitlines())

    listed = runner.invoke(main, ["alerts", "--json", "--since", shift(printed["created_at"]), "--config", str(path)])
    later = runner.invoke(main, ["alerts", "--json", "--since", "9999-12-31T23:59:59Z", "--config", str(path)])

    assert listed.exit_code == 0, listed.output
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [printed["id"]]
    assert later.exit_code == 0 and later.stdout == ""


def test_alerts_that_list_nothing_say_so_and_do_not_leave_a_blank_screen(write_config, one_alert):
    """`alerts --pending` after the demo (everything sent) printed nothing at all."""
    path = write_config()
    Store.open(path.parent / "listener.db").db.execute("UPDATE alerts SET status = 'sent'")
    pending = CliRunner().invoke(main, ["alerts", "--pending", "--config", str(path)])
    since = CliRunner().invoke(main, ["alerts", "--since", "2100-01-01", "--config", str(path)])
    as_json = CliRunner().invoke(main, ["alerts", "--pending", "--json", "--config", str(path)])

    assert (pending.exit_code, pending.stdout, pending.stderr) == (0, "", "no pending alerts\n")
    assert since.stderr == "no alerts since 2100-01-01 00:00 UTC\n"
    assert (as_json.stdout, as_json.stderr) == ("", "")  # a script reading JSON lines reads none
