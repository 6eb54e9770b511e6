"""`listener ack`: who acknowledged, when, and a second acknowledgement said as such."""

from __future__ import annotations

import getpass
import shlex

import pytest
from click.testing import CliRunner

from listener.cli import main
from listener.store import Store
from replay_records import post, write_posts


def test_ack_records_the_user_by_default_prints_the_minute_and_says_when_it_was_already_done(write_config, one_alert):
    path, alert = write_config(), one_alert

    first = CliRunner().invoke(main, ["ack", str(alert.id), "--config", str(path)])
    again = CliRunner().invoke(main, ["ack", str(alert.id), "--by", "luis", "--config", str(path)])

    assert first.exit_code == 0 and again.exit_code == 0, (first.output, again.output)
    assert first.output.startswith(f"alert #{alert.id} acknowledged by {getpass.getuser()} at ")
    assert first.output.strip().endswith(" UTC") and "." not in first.output.split(" at ")[1]
    assert again.output.startswith(f"alert #{alert.id} was already acknowledged by {getpass.getuser()} at ")


def test_ack_of_an_id_beyond_the_databases_integers_does_not_print_a_traceback(write_config, tmp_path):
    """An id of 20 digits (a mistyped one, a pasted timestamp) reached SQLite: an OverflowError traceback."""
    path = write_config()
    Store.open(tmp_path / "listener.db").close()

    result = CliRunner().invoke(main, ["ack", "99999999999999999999999", "--config", str(path)])

    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), (result.output, result.exception)
    assert "ALERT_ID" in result.output and "9223372036854775807" in result.output


def test_ack_by_a_blank_name_is_refused_and_does_not_record_an_acknowledgement_by_nobody(write_config, tmp_path, one_alert):
    path, alert = write_config(), one_alert

    result = CliRunner().invoke(main, ["ack", str(alert.id), "--by", "   ", "--config", str(path)])

    assert result.exit_code == 2 and "--by" in result.output and "blank" in result.output, result.output
    reopened = Store.open(tmp_path / "listener.db")
    assert reopened.alert(alert.id).acknowledged_at is None
    reopened.close()


@pytest.mark.parametrize("how", [["--demo"], ["--config", "elsewhere/listener.toml"]])
def test_the_ack_command_the_console_prints_does_not_fail_for_want_of_the_config(tmp_path, monkeypatch, write_config,
                                                                                 how):
    """The console printed 'listener ack N', which in the demo's folder (no ./listener.toml) stops with a config
    error: the demo, or a config named with --config, needs the same option to find its database."""
    monkeypatch.chdir(tmp_path)
    if how[0] == "--config":  # a config in another folder, a console channel among its rule's channels
        config = write_config('[[alerts.channels]]\nname = "screen"\ntype = "console"\n').read_text(encoding="utf-8")
        (tmp_path / "listener.toml").unlink()
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "elsewhere" / "listener.toml").write_text(
            config.replace('channels = ["file"]', 'channels = ["file", "screen"]'), encoding="utf-8")
        write_posts(tmp_path / "elsewhere" / "posts.jsonl", [post("1", "Lumora sin internet, voy a poner una denuncia")])
    ran = CliRunner().invoke(main, ["run", "--once", *how])
    assert ran.exit_code == 0, ran.output
    printed = next(line for line in ran.output.splitlines() if line.strip().startswith("acknowledge: listener "))
    command = shlex.split(printed.split("acknowledge: listener ", 1)[1])

    acked = CliRunner().invoke(main, command)

    assert acked.exit_code == 0, acked.output
    assert "acknowledged by" in acked.output
