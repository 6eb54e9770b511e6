"""`listener alerts`: the outbox listed, newest first, and filtered."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from listener.cli import main
from listener.domain import Alert, Mention
from listener.store import Store


MADRID = timezone(timedelta(hours=1))


@pytest.mark.parametrize("shift", [lambda printed: printed, lambda printed: printed.replace("+00:00", "Z"),
                                   lambda printed: datetime.fromisoformat(printed).astimezone(MADRID).isoformat()],
                         ids=["as-printed", "with-z", "with-an-offset"])
def test_alerts_since_the_time_alerts_json_prints_does_not_fail(write_config, tmp_path, shift):
    """--since took only '%Y-%m-%d', '%Y-%m-%dT%H:%M:%S' and '%Y-%m-%d %H:%M:%S': a created_at copied from
    `alerts --json` ('2026-11-19T10:00:00.123456+00:00') or ending in Z was a usage error."""
    path = write_config()
    store = Store.open(tmp_path / "listener.db")
    store.save_batch("x", [Mention("x", "1", "Lumora sin internet", datetime(2026, 11, 19, tzinfo=timezone.utc), "Lumora")])
    mention_id = store.mention_by_key("x", "1").id
    store.enqueue_alerts([mention_id], [Alert(key="mention:1:file", channel="file", brand="Lumora", rule="r",
                                              severity="normal", title="t", reasons=(), mention_id=mention_id)])
    store.close()
    runner = CliRunner()
    [printed] = map(json.loads, runner.invoke(main, ["alerts", "--json", "--config", str(path)]).stdout.splitlines())

    listed = runner.invoke(main, ["alerts", "--json", "--since", shift(printed["created_at"]), "--config", str(path)])
    later = runner.invoke(main, ["alerts", "--json", "--since", "9999-12-31T23:59:59Z", "--config", str(path)])

    assert listed.exit_code == 0, listed.output
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [printed["id"]]
    assert later.exit_code == 0 and later.stdout == ""
