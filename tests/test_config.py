"""The config file: found, validated, interpolated and printed with secrets masked."""

from __future__ import annotations

import json
import logging
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from listener.cli import main
from listener.config import ConfigError, find_config, load_settings
from listener.store import Store

REPO = Path(__file__).resolve().parents[1]


def run_check(path: Path, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["config", "check", "--config", str(path)], env=env)


def test_valid_config_loads_with_paths_relative_to_the_file(write_config, tmp_path):
    settings = load_settings(write_config())
    assert [brand.name for brand in settings.brands] == ["Lumora", "Vireo Net"]
    assert settings.storage.path == tmp_path / "listener.db"
    assert settings.sources.replay.path == tmp_path / "posts.jsonl"


def test_a_config_saved_with_a_byte_order_mark_does_not_fail_as_invalid_toml(write_config):
    """Notepad saves UTF-8 with a BOM: "not valid TOML: Invalid statement (at line 1, column 1)"."""
    path = write_config()
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_settings(path).brands[0].name == "Lumora"


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "with-a-bom"])
def test_a_config_that_is_not_utf8_does_not_leave_the_line_to_be_found(write_config, bom):
    """A Latin-1 'Café' said "cannot read it ('utf-8' codec can't decode byte 0xe9 in position 93: ...)": a
    count of bytes from the start, no line."""
    path = write_config()
    path.write_bytes(bom + path.read_bytes() + b'\n[[brands]]\nname = "Caf\xe9"\n')
    lines = path.read_bytes().count(b"\n")

    result = run_check(path)

    assert result.exit_code == 2
    assert f"{path}: not UTF-8 text: byte 0xe9 (at line {lines}, column 12); save the file as UTF-8" in result.output


@pytest.mark.parametrize("nested", ["x = " + "[" * 5000 + "]" * 5000, "a." * 3000 + "b = 1"],
                         ids=["arrays", "dotted-keys"])
def test_a_config_nested_thousands_deep_does_not_print_a_traceback(write_config, nested):
    """tomllib (arrays) or the ${VAR} interpolation (tables) ran out of stack: a RecursionError traceback."""
    result = run_check(write_config(f"\n[digest]\n{nested}\n"))
    assert result.exit_code == 2, result.output
    assert "arrays or tables are nested too deeply to read" in result.output


def test_unknown_key_exits_2_naming_the_key(write_config):
    result = run_check(write_config("\n[digest]\ntimezone = 'UTC'\nsend_at = '08:00'\n"))
    assert result.exit_code == 2
    assert "digest.send_at" in result.output
    assert "unknown key" in result.output
    assert "listener.toml" in result.output


def test_wrong_type_exits_2_naming_the_key_and_what_is_expected(write_config):
    result = run_check(write_config("\n[digest]\ntime = 8\n"))
    assert result.exit_code == 2
    assert "digest.time" in result.output
    assert "string" in result.output


def test_missing_environment_variable_exits_2_naming_key_and_variable(write_config):
    path = write_config('\n[sources.x]\nenabled = true\nbearer_token = "${LISTENER_TEST_UNSET_TOKEN}"\n')
    result = run_check(path, env={"LISTENER_TEST_UNSET_TOKEN": None})
    assert result.exit_code == 2
    assert "sources.x.bearer_token" in result.output
    assert "LISTENER_TEST_UNSET_TOKEN" in result.output


@pytest.mark.parametrize("extra, key, way_out", [
    ('\n[sources.x]\nenabled = true\nbearer_token = "${LISTENER_TEST_UNSET}"\n', "sources.x.bearer_token",
     "Export LISTENER_TEST_UNSET, or set enabled = false in [sources.x]."),
    ('\n[[alerts.channels]]\nname = "team"\ntype = "slack"\nwebhook_url = "${LISTENER_TEST_UNSET}"\n',
     "alerts.channels.1.webhook_url", "Export LISTENER_TEST_UNSET, or remove that [[alerts.channels]] entry."),
    ('\n[[alerts.rules]]\nname = "legal"\nkeywords = ["${LISTENER_TEST_UNSET}"]\nchannels = ["file"]\n',
     "alerts.rules.1.keywords.0", "Export LISTENER_TEST_UNSET, or remove that [[alerts.rules]] entry."),
    ('\n[[alerts.rules]]\nname = "legal"\nroutes = [{ channels = ["${LISTENER_TEST_UNSET}"] }]\n',
     "alerts.rules.1.routes.0.channels.0", "Export LISTENER_TEST_UNSET, or remove that [[alerts.rules]] entry."),
], ids=["source", "channel", "rule", "route"])
def test_a_missing_environment_variable_offers_enabled_false_only_where_the_table_has_it(write_config, extra, key,
                                                                                          way_out):
    """An alert channel has no 'enabled': following that advice gave 'unknown key'."""
    result = run_check(write_config(extra), env={"LISTENER_TEST_UNSET": None})
    assert result.exit_code == 2
    assert f"key '{key}' refers to the environment variable" in result.output and way_out in result.output


@pytest.mark.parametrize("value", ["", "  \r"], ids=["empty", "blank"])
@pytest.mark.parametrize("extra, key", [
    ('\n[sources.x]\nenabled = true\nbearer_token = "${LISTENER_TEST_EMPTY}"\n', "sources.x.bearer_token"),
    ('\n[[alerts.channels]]\nname = "mail"\ntype = "email"\nsmtp_host = "smtp.example.com"\nsender = "a@example.com"\n'
     'recipients = ["b@example.com"]\nsmtp_user = "a@example.com"\nsmtp_password = "${LISTENER_TEST_EMPTY}"\n',
     "alerts.channels.1.smtp_password"),
], ids=["token", "password"])
def test_an_empty_environment_variable_does_not_pass_as_a_value_or_as_a_missing_key(write_config, extra, key, value):
    """An env file's 'X_BEARER_TOKEN=' not filled in: "an enabled x source needs bearer_token, e.g. bearer_token =
    "${X_BEARER_TOKEN}"", which the file had; an empty smtp_password was taken, and every login refused."""
    result = run_check(write_config(extra), env={"LISTENER_TEST_EMPTY": value})
    assert result.exit_code == 2
    assert (f"key '{key}' refers to the environment variable ${{LISTENER_TEST_EMPTY}}, which is empty. "
            "Set LISTENER_TEST_EMPTY to its value") in result.output


def test_an_empty_environment_variable_in_a_disabled_table_does_not_stop_start_up(write_config):
    """It is left out, as an unset one is; it was validated: "'' is not an email address"."""
    path = write_config('\n[digest]\nenabled = false\nrecipients = ["pr@lumora.example", "${LISTENER_TEST_EMPTY}"]\n')
    assert load_settings(path, environ={"LISTENER_TEST_EMPTY": ""}).digest.recipients == ["pr@lumora.example"]


def test_a_shell_style_reference_without_braces_is_not_taken_as_the_secret_itself(write_config):
    """'$X_BEARER_TOKEN' was taken as written: config check said OK, and X refused the token of that name."""
    path = write_config('\n[sources.x]\nenabled = true\nbearer_token = "$LISTENER_TEST_TOKEN"\n')
    result = run_check(path, env={"LISTENER_TEST_TOKEN": "canary-AAAA-1234"})
    assert result.exit_code == 2, result.output
    assert ("key 'sources.x.bearer_token' is '$LISTENER_TEST_TOKEN', which would be taken as it is written, not as "
            'the environment variable; write "${LISTENER_TEST_TOKEN}", with braces') in result.output
    assert "canary" not in result.output


def test_a_secret_that_looks_like_a_reference_to_a_variable_not_set_is_refused_without_being_printed(write_config):
    """'$PASSWORD1' is refused, as it looks like a reference without braces; it may be the password itself, so the
    message showed it ('key ... is '$PASSWORD1'; write "${PASSWORD1}"') on the terminal and in the journal."""
    path = write_config('\n[sources.x]\nenabled = true\nbearer_token = "$PASSWORD1"\n')
    result = run_check(path, env={})
    assert result.exit_code == 2, result.output
    assert "key 'sources.x.bearer_token' is a '$' and a name (not shown" in result.output
    assert 'write "${NAME}", with braces' in result.output and "PASSWORD1" not in result.output


@pytest.mark.parametrize("password", ["$ecret", "$Summer2024"])
def test_a_password_that_starts_with_a_dollar_does_not_stop_start_up_or_get_printed(write_config, password):
    """It was refused as a reference without braces, with the password in the message: 'key ... is '$ecret', ...;
    write "${ecret}", with braces', though no variable of that name is meant, or set."""
    path = write_config(f"""
        [[alerts.channels]]
        name = "mail"
        type = "email"
        smtp_host = "localhost"
        smtp_password = "{password}"
        sender = "listener@lumora.example"
        recipients = ["cm@lumora.example"]
        """)
    (path.parent / "posts.jsonl").write_text("")  # config check builds the replay source
    result = run_check(path, env={})
    assert result.exit_code == 0, result.output
    assert password not in result.output
    assert load_settings(path, environ={}).alerts.channels[-1].smtp_password.get_secret_value() == password


def test_a_cashtag_search_term_is_not_taken_for_a_reference_without_braces(write_config):
    path = write_config(text='[[brands]]\nname = "Acme"\nterms = { x = ["$ACME", "Acme"] }\n')
    assert load_settings(path).brands[0].terms["x"] == ["$ACME", "Acme"]


def test_environment_reference_in_a_disabled_table_may_be_unset(write_config):
    path = write_config('\n[sources.x]\nenabled = false\nbearer_token = "${LISTENER_TEST_UNSET_TOKEN}"\n')
    assert load_settings(path, environ={}).sources.x.enabled is False


@pytest.mark.parametrize("table, left", [
    ('[digest]\nenabled = false\nrecipients = ["pr@lumora.example", "${LISTENER_TEST_UNSET}"]\n'
     'channel = "${LISTENER_TEST_UNSET}"\n', (["pr@lumora.example"], None, [])),
    ('[early_warning]\nenabled = false\nchannels = ["${LISTENER_TEST_UNSET}"]\n', ([], None, [])),
], ids=["digest", "early_warning"])
def test_a_reference_left_unset_in_a_disabled_table_is_left_out_not_validated_as_empty(write_config, table, left):
    """It became '' and failed: "'' is not an email address", "names unknown channel(s) ;"."""
    settings = load_settings(write_config("\n" + table), environ={})
    assert (settings.digest.recipients, settings.digest.channel, settings.early_warning.channels) == left


def test_config_check_masks_secrets(write_config):
    path = write_config('\n[sources.x]\nenabled = true\nbearer_token = "${LISTENER_TEST_TOKEN}"\n')
    (path.parent / "posts.jsonl").write_text("")
    result = run_check(path, env={"LISTENER_TEST_TOKEN": "canary-AAAA-1234"})
    assert result.exit_code == 0, result.output
    assert "canary-AAAA-1234" not in result.output
    printed = json.loads(result.stdout)
    assert printed["sources"]["x"]["bearer_token"] == "**********"


def test_config_check_masks_a_generic_webhooks_url(write_config):
    """A generic webhook's URL may carry its token in the query string."""
    path = write_config('\n[[alerts.channels]]\nname = "hook"\ntype = "webhook"\n'
                        'url = "https://hooks.example.com/in?token=canary-BBBB-5678"\nsecret = "canary-CCCC-9012"\n')
    (path.parent / "posts.jsonl").write_text("")
    result = run_check(path)
    assert result.exit_code == 0, result.output
    assert "canary" not in result.output


def test_an_environment_value_loses_the_line_ending_of_a_crlf_env_file(write_config):
    path = write_config('\n[sources.x]\nenabled = true\nbearer_token = "${LISTENER_TEST_TOKEN}"\n')
    settings = load_settings(path, environ={"LISTENER_TEST_TOKEN": "canary-AAAA-1234\r\n"})
    assert settings.sources.x.bearer_token.get_secret_value() == "canary-AAAA-1234"


@pytest.mark.parametrize("token", ["AAAAcanary\nSECRETTAIL", "AAAAcanary\tSECRETTAIL", "AAAAcanary\u2028SECRETTAIL",
                                   "AAAAcanary SECRETTAIL"], ids=["line-break", "tab", "line-separator", "space"])
def test_a_token_with_a_line_break_or_a_space_exits_2_naming_the_key_not_the_value(write_config, token):
    """requests refused such a token in its header and quoted it whole: doctor, poll --once and the daemon's
    log printed it."""
    path = write_config('\n[sources.x]\nenabled = true\nbearer_token = "${LISTENER_TEST_TOKEN}"\n')
    result = run_check(path, env={"LISTENER_TEST_TOKEN": token})
    assert result.exit_code == 2
    assert "sources.x.bearer_token" in result.output and "set it again" in result.output
    assert "canary" not in result.output and "SECRETTAIL" not in result.output


def test_a_password_may_hold_a_space_but_no_control_character(write_config):
    channel = '\n[[alerts.channels]]\nname = "mail"\ntype = "email"\nsmtp_host = "smtp.example.com"\n' \
              'sender = "a@example.com"\nrecipients = ["b@example.com"]\nsmtp_password = "${LISTENER_TEST_PASSWORD}"\n'
    path = write_config(channel)
    settings = load_settings(path, environ={"LISTENER_TEST_PASSWORD": "correct horse battery"})
    assert settings.alerts.channels[-1].smtp_password.get_secret_value() == "correct horse battery"
    with pytest.raises(ConfigError, match="smtp_password: Value error, contains a line break") as refused:
        load_settings(path, environ={"LISTENER_TEST_PASSWORD": "correct\x00horse"})
    assert "horse" not in str(refused.value)


@pytest.mark.parametrize("name", [r"Lumora\r\nBcc: victim@example.com", r"Lumora\tNet", r"Lumora\u2028Net"],
                         ids=["crlf", "tab", "line-separator"])
def test_a_brand_name_with_a_line_break_does_not_pass_the_check_to_fail_the_digest_later(write_config, name):
    """It passed, and 'digest --send' then ended in a traceback: the email's Subject header refused it."""
    text = f'[[brands]]\nname = "{name}"\n\n[sources.replay]\nenabled = true\npath = "posts.jsonl"\n'
    result = run_check(write_config(text=text))
    assert result.exit_code == 2
    assert "line 2, brands.0.name" in result.output and "write it on one line" in result.output


def test_a_secret_of_the_wrong_type_is_not_echoed(write_config):
    result = run_check(write_config('\n[sources.x]\nenabled = true\nbearer_token = 80412345\n'))
    assert result.exit_code == 2
    assert "sources.x.bearer_token" in result.output and "80412345" not in result.output


def test_log_lines_never_show_a_configured_secret(write_config):
    """Whoever logs it (a library quoting a request, a job's error), a secret of the config is redacted."""
    path = write_config('\n[sources.x]\nenabled = true\nbearer_token = "${LISTENER_TEST_TOKEN}"\n')
    Store.open(path.parent / "listener.db").close()
    result = CliRunner().invoke(main, ["stats", "--config", str(path)], env={"LISTENER_TEST_TOKEN": "canary-AAAA-1234"})
    assert result.exit_code == 0, result.output
    [handler] = logging.getLogger().handlers  # the command's log handler, as the daemon's would be
    record = logging.makeLogRecord({"name": "tweepy.client", "levelname": "WARNING",
                                    "msg": "GET /2/tweets Authorization: Bearer canary-AAAA-1234"})
    assert handler.format(record).endswith('event="GET /2/tweets Authorization: Bearer [redacted]"')


def test_rule_naming_an_undefined_channel_is_rejected(write_config):
    result = run_check(write_config('\n[[alerts.rules]]\nname = "legal"\nchannels = ["pager"]\n'))
    assert result.exit_code == 2
    assert "unknown channel(s) pager" in result.output


def test_broken_toml_and_missing_file_are_config_errors(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[[brands]\nname = 'x'\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(broken)
    with pytest.raises(ConfigError, match="listener init"):
        load_settings(tmp_path / "absent.toml")


def test_config_is_found_by_flag_then_environment_then_current_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LISTENER_CONFIG", raising=False)
    assert find_config(None) == Path("listener.toml")
    monkeypatch.setenv("LISTENER_CONFIG", "/etc/listener.toml")
    assert find_config(None) == Path("/etc/listener.toml")
    assert find_config("mine.toml") == Path("mine.toml")


def test_init_writes_a_config_that_validates(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    settings = load_settings(tmp_path / "listener.toml", environ={})
    assert settings.brands[0].name == "Acme"
    again = runner.invoke(main, ["init"])
    assert again.exit_code != 0 and "--force" in again.output


def test_a_first_poll_of_the_config_init_writes_does_not_read_nothing_without_saying_so(monkeypatch, tmp_path):
    """'listener init', 'config check' (OK), 'poll --once' (the README's steps) printed "classified 0, alerts
    queued 0, ...": init writes every source disabled, and nothing said that no post had been read."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    result = runner.invoke(main, ["poll", "--once"], env={"X_BEARER_TOKEN": None})
    assert result.exit_code == 0, result.output
    assert "warning: no source is enabled, so no post is read; set enabled = true in [sources.x]" in result.output


@pytest.mark.parametrize("make", [lambda target: target.mkdir(),
                                  lambda target: target.symlink_to(target.parent / "gone" / "listener.toml")],
                         ids=["a-folder", "a-link-into-a-missing-folder"])
def test_init_where_listener_toml_cannot_be_written_does_not_print_a_traceback(monkeypatch, tmp_path, make):
    """An IsADirectoryError or FileNotFoundError traceback (a PermissionError in a folder not the user's)."""
    monkeypatch.chdir(tmp_path)
    make(tmp_path / "listener.toml")

    result = CliRunner().invoke(main, ["init", "--force"])

    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), (result.output, result.exception)
    assert f"cannot write {tmp_path / 'listener.toml'}: " in result.output and "a folder you can write to" in result.output


@pytest.mark.parametrize("example", sorted((REPO / "config").glob("*.toml")), ids=lambda path: path.name)
def test_example_configs_in_the_repo_validate(example):
    env = {name: "example-value" for name in ("X_BEARER_TOKEN", "REDDIT_CLIENT_ID", "REDDIT_CLIENT_SECRET",
                                               "SLACK_BOT_TOKEN", "SMTP_PASSWORD", "WEBHOOK_SECRET")}
    env["SLACK_WEBHOOK_URL"] = "https://hooks.slack.com/services/T000/B000/example"
    load_settings(example, environ=env)


def test_digest_channel_must_name_a_slack_channel(write_config):
    result = run_check(write_config('\n[digest]\nchannel = "file"\n'))
    assert result.exit_code == 2
    assert "digest.channel must name a slack channel" in result.output


def test_calibration_keys_out_of_range_exit_2_naming_each_key(write_config):
    path = write_config(text="""
        [[brands]]
        name = "Lumora"

        [classifier]
        backend = "transformers"
        sentiment_temperature = 0
        complaint_platt = [1.5, nan]
        """)
    result = run_check(path)
    assert result.exit_code == 2
    assert "classifier.sentiment_temperature: Input should be greater than 0" in result.output
    assert "classifier.complaint_platt.1: Input should be a finite number" in result.output


@pytest.mark.parametrize("labels, says", [
    ('["This is a complaint."]', "classifier.complaint_labels: List should have at least 2 items"),
    ('[]', "classifier.complaint_labels: List should have at least 2 items"),
    ('["This is a complaint.", " "]', "classifier.complaint_labels.1"),
])
def test_complaint_labels_a_zero_shot_model_cannot_use_exit_2_naming_the_key(write_config, labels, says):
    # Fewer than two stopped start-up with a ValueError traceback, after the models had loaded.
    result = run_check(write_config(text=f"""
        [[brands]]
        name = "Lumora"

        [classifier]
        backend = "transformers"
        complaint_labels = {labels}
        """))
    assert result.exit_code == 2, result.output
    assert says in result.output, result.output


@pytest.mark.parametrize("command", [["stats"], ["alerts"], ["ack", "1"], ["digest"]])
def test_a_database_that_cannot_be_opened_exits_2_for_every_command(write_config, tmp_path, command):
    path = write_config()
    path.write_text(path.read_text().replace('path = "listener.db"', f'path = "{tmp_path}"'))  # a folder
    result = CliRunner().invoke(main, [*command, "--config", str(path)])
    assert result.exit_code == 2, result.output
    assert "config error: cannot open the database" in result.output


@pytest.mark.parametrize("extra, key", [
    ('\n[[alerts.rules]]\nname = "all"\nkeywords = [""]\nchannels = ["file"]\n', "alerts.rules.1.keywords.0"),
    ('\n[digest.topics]\nbilling = ["factura*", "*"]\n', "digest.topics.billing.1"),
    ('\n[[brands]]\nname = "  "\ncompetitor = true\n', "brands.2.name"),  # the name is its term when it has none
])
def test_a_blank_word_that_would_match_every_post_exits_2(write_config, extra, key):
    result = run_check(write_config(extra))
    assert result.exit_code == 2, result.output
    assert key in result.output and "would match every post" in result.output


@pytest.mark.parametrize("extra, key, says", [
    ("\n[alerts]\ndelivery_interval_seconds = 1e12\n", "alerts.delivery_interval_seconds", "less than or equal to 604800"),
    ("\n[alerts]\ndelivery_interval_seconds = inf\n", "alerts.delivery_interval_seconds", ""),
    ('\n[[alerts.channels]]\nname = "mail"\ntype = "email"\nsmtp_host = "localhost"\nsmtp_port = 99999\n'
     'sender = "a@b.example"\nrecipients = ["pr@lumora.example"]\n', "alerts.channels.1.smtp_port", "65535"),
    ('\n[[alerts.channels]]\nname = "mail"\ntype = "email"\nsmtp_host = "localhost"\nsender = "a@b.example"\n'
     'recipients = ["pr at lumora"]\n', "alerts.channels.1.recipients.0", "not an email address"),
    ('\n[[brands]]\nname = "Acme"\nlanguages = ["english"]\n', "brands.2.languages", "not ISO 639-1 codes"),
    ('\n[[brands]]\nname = "Acme"\nlocale = "xx_YY"\n', "brands.2.locale", "unknown locale 'xx_YY'"),
    ('\n[[brands]]\nname = "Lumora"\n', "(top level)", "'Lumora' appear more than once"),
    ('\n[digest.brand_topics.Lumra]\nbilling = ["factura"]\n', "(top level)", "unknown brand(s) 'Lumra'"),
    ('\n[[alerts.rules]]\nname = "legal"\ndefault_keywords = ["legal", "outages"]\nchannels = ["file"]\n',
     "alerts.rules.1.default_keywords", "unknown categories 'outages'; list some of legal, safety, churn, outage"),
    # pydantic reads true and false as 1 and 0: every post would alert, or a source poll every second
    ('\n[[alerts.rules]]\nname = "all"\ncomplaint_threshold = true\nchannels = ["file"]\n',
     "alerts.rules.1.complaint_threshold", "true is no threshold; give a probability from 0 to 1, or false for none"),
    ('\n[[alerts.rules]]\nname = "all"\nreach_thresholds = [true]\nchannels = ["file"]\n',
     "alerts.rules.1", "reach_thresholds = [true]: reach_thresholds is no yes-or-no setting"),
    ("\n[alerts]\ndelivery_interval_seconds = false\n", "alerts",
     "delivery_interval_seconds = false: delivery_interval_seconds is no yes-or-no setting"),
])
def test_values_that_would_only_fail_later_exit_2_at_start_up(write_config, extra, key, says):
    """An interval of 1e12 s crashed the scheduler; a bad locale, port or address failed at the digest or delivery."""
    result = run_check(write_config(extra))
    assert result.exit_code == 2, result.output
    assert key in result.output and says in result.output, result.output


@pytest.mark.parametrize("sender, recipient, key", [
    ("alerts@lumora.example\\r\\nBcc: spy@evil.example", "pr@lumora.example", "alerts.channels.1.sender"),
    ("Lumora alerts <alerts@lumora.example>", "pr@lumora.example\\nX-Injected: yes", "alerts.channels.1.recipients.0"),
])
def test_an_email_address_with_a_line_break_exits_2_and_does_not_fail_every_delivery(write_config, sender, recipient,
                                                                                     key):
    """parseaddr found an address in it and it passed; every email then failed ("Header values may not contain
    linefeed") and was retried for give_up_after_hours."""
    result = run_check(write_config(f'\n[[alerts.channels]]\nname = "mail"\ntype = "email"\nsmtp_host = "localhost"\n'
                                    f'sender = "{sender}"\nrecipients = ["{recipient}"]\n'))
    assert result.exit_code == 2, result.output
    assert key in result.output and "is not an email address" in result.output and "on one line" in result.output


@pytest.mark.parametrize("source", ["twitter", "X"])
def test_terms_for_a_source_that_does_not_exist_exit_2_listing_the_source_names(write_config, source):
    """Terms under a key no source reads were accepted and never searched for."""
    result = run_check(write_config(f'\n[[brands]]\nname = "Acme"\nterms = {{ {source} = ["@acme_help"] }}\n'))
    assert result.exit_code == 2, result.output
    assert f"brands.2.terms: Value error, terms for unknown source(s) '{source}'" in result.output
    assert "the keys are source names, 'x', 'reddit', 'replay', '*'" in result.output


def rule_routing_languages(languages: str) -> str:
    return f'\n[[alerts.rules]]\nname = "by language"\nroutes = [{{ channels = ["file"], languages = {languages} }}]\n'


def test_a_route_language_that_is_no_detected_code_exits_2_saying_how_to_write_it(write_config):
    """Routes compare the detected code exactly: "EN" passed and never matched a post's "en"."""
    result = run_check(write_config(rule_routing_languages('["es", "EN", "english"]')))
    assert result.exit_code == 2, result.output
    assert "alerts.rules.1.routes.0.languages: Value error, not language codes: 'EN', 'english'; write them " \
           "in lower case as the classifier gives them, e.g. 'es', 'fil' or 'pt-br'" in result.output
    # a source's own tag, which the detector passes on when unsure, routes as it did
    settings = load_settings(write_config(rule_routing_languages('["en", "und", "fil", "pt-br"]')))
    assert settings.alerts.rules[1].routes[0].languages == ["en", "und", "fil", "pt-br"]


@pytest.mark.parametrize("key, value", [
    ("url", "hooks.example.com/alerts?token=canary-DDDD-3456"),  # no scheme: retried for 24 h
    ("url", "file:///tmp/canary-DDDD-3456"),  # urllib 'delivered' every alert to a file
    ("webhook_url", "hooks.slack.com/services/T0/B0/canary-DDDD-3456"),
    ("base_url", "https:///api/canary-DDDD-3456"),  # no host
    ("url", "https://hooks.example.com/in?token=canary-DDDD-3456\\t"),  # urllib's error quoted it, token and all
])
def test_a_channel_url_that_is_not_http_exits_2_naming_channel_and_key_without_the_secret(write_config, key, value):
    extra = {"url": 'type = "webhook"', "webhook_url": 'type = "slack"',
             "base_url": 'type = "slack"\nbot_token = "xoxb-1"\nchannel = "C1"'}[key]
    result = run_check(write_config(f'\n[[alerts.channels]]\nname = "hook"\n{extra}\n{key} = "{value}"\n'))
    assert result.exit_code == 2, result.output
    assert f"channel 'hook': {key} must be an http:// or https:// URL" in result.output
    assert "canary" not in result.output


MAIL = ('\n[[alerts.channels]]\nname = "mail"\ntype = "email"\nsmtp_host = "smtp.example.com"\n'
        'sender = "listener@lumora.example"\nrecipients = ["pr@lumora.example"]\n')


def test_quiet_hours_without_the_digest_exit_2_saying_to_enable_it_or_remove_them(write_config):
    """Alerts quiet hours held waited for a digest that never ran: nobody ever saw them."""
    channel = ('\n[[alerts.channels]]\nname = "team"\ntype = "console"\n'
               'quiet_hours = { start = "23:00", end = "07:00", timezone = "Europe/Madrid" }\n')
    result = run_check(write_config(channel))
    (write_config(channel).parent / "posts.jsonl").write_text("")  # config check builds the replay source
    assert result.exit_code == 2, result.output
    assert "'team' have quiet_hours" in result.output
    assert "set enabled = true in [digest], or remove quiet_hours" in result.output
    assert run_check(write_config(channel + MAIL + "\n[digest]\nenabled = true\n")).exit_code == 0


SLACK_BOT = '\n[[alerts.channels]]\nname = "team"\ntype = "slack"\nbot_token = "xoxb-1"\nchannel = "C1"\n'


@pytest.mark.parametrize("extra", ["\n[digest]\nenabled = true\n",
                                   SLACK_BOT + '\n[digest]\nenabled = true\nchannel = "team"\n'],
                         ids=["alone", "with a slack summary"])
def test_an_enabled_digest_without_an_email_channel_exits_2_saying_what_to_add(write_config, extra):
    """It passed, and the daily job then failed every day: the digest is emailed, Slack only gets a summary."""
    (write_config().parent / "posts.jsonl").write_text("")  # config check builds the replay source
    result = run_check(write_config(extra))
    assert result.exit_code == 2, result.output
    assert "digest.enabled = true emails the digest daily, and there is no email channel" in result.output
    assert "add an [[alerts.channels]] entry with type = 'email' (smtp_host, sender, recipients)" in result.output
    assert run_check(write_config(MAIL + extra)).exit_code == 0


def test_an_ack_reaction_written_as_slack_shows_it_loses_its_colons(write_config):
    """Slack's API names reactions without colons: ':white_check_mark:' matched no reaction, ever."""
    settings = load_settings(write_config(SLACK_BOT + 'ack_reaction = ":white_check_mark:"\n'))
    assert settings.alerts.channels[1].ack_reaction == "white_check_mark"


@pytest.mark.parametrize("reaction", ["white check mark", "✅", "White_Check_Mark", "+1::skin-tone-2", "::"])
def test_an_ack_reaction_that_is_no_slack_reaction_name_exits_2_saying_how_to_write_it(write_config, reaction):
    result = run_check(write_config(SLACK_BOT + f'ack_reaction = "{reaction}"\n'))
    assert result.exit_code == 2, result.output
    assert "alerts.channels.1.ack_reaction" in result.output and "is not a Slack reaction name" in result.output


def test_a_replay_file_that_is_not_there_exits_2_naming_it(write_config, tmp_path):
    path = write_config(replay="no-such-posts.jsonl")
    for command in (["run", "--once"], ["poll", "--once"], ["config", "check"]):  # the check as start-up checks
        result = CliRunner().invoke(main, [*command, "--config", str(path)])
        assert result.exit_code == 2, result.output
        assert f"sources.replay.path: {tmp_path / 'no-such-posts.jsonl'} is not a file" in result.output


def test_a_jsonl_channel_path_that_is_a_folder_exits_2_naming_the_channel(write_config, tmp_path):
    (tmp_path / "posts.jsonl").write_text("")
    path = write_config('\n[[alerts.channels]]\nname = "archive"\ntype = "jsonl"\npath = "."\n')
    result = CliRunner().invoke(main, ["run", "--once", "--config", str(path)])
    assert result.exit_code == 2, result.output
    assert "alert channel 'archive'" in result.output and "is a folder" in result.output


@pytest.mark.parametrize("command", [["run", "--once"], ["poll", "--once"]], ids=["run", "poll"])
@pytest.mark.parametrize("classifier, named", [
    (lambda tmp_path: f'model_path = "{tmp_path / "none"}"', "none"),
    (lambda tmp_path: 'languages = ["es", "xx"]', "no model for 'xx' (classifier.languages)"),
], ids=["missing weights", "unknown language"])
def test_a_model_that_is_not_there_exits_2_saying_how_to_get_it_before_any_poll(write_config, tmp_path, command,
                                                                                 classifier, named):
    posts = tmp_path / "posts.jsonl"
    posts.write_text('{"id": "1", "text": "Lumora sin internet", "created_at": "2026-11-19T10:00:00Z"}\n')
    path = write_config()
    path.write_text(path.read_text().replace('backend = "lexicon"', f'backend = "embedded"\n{classifier(tmp_path)}'))
    result = CliRunner().invoke(main, [*command, "--config", str(path)])
    assert result.exit_code == 2, result.output
    assert "config error: " in result.output and named in result.output and "Traceback" not in result.output
    with closing(Store.open(tmp_path / "listener.db")) as store:
        assert store.stats()["mentions"] == 0  # the post is still there to read once the model is


@pytest.mark.parametrize("command", [["stats"], ["alerts"], ["ack", "1"], ["digest"]])
def test_a_reading_command_never_creates_a_database(write_config, tmp_path, command):
    """A mistyped storage.path read as an empty database ("no alert with id 1") and left one behind."""
    path = write_config()
    path.write_text(path.read_text().replace('path = "listener.db"', 'path = "listner.db"'))
    result = CliRunner().invoke(main, [*command, "--config", str(path)])
    assert result.exit_code == 2, result.output
    assert f"there is no database at {tmp_path / 'listner.db'}" in result.output
    assert not (tmp_path / "listner.db").exists()


@pytest.mark.parametrize("command", [["stats"], ["alerts"], ["ack", "1"], ["digest"]])
def test_a_demo_command_in_a_folder_without_the_demo_database_does_not_send_the_user_to_the_wrong_command(
        monkeypatch, tmp_path, command):
    """It said "check the path (storage.path), or run 'listener run' or 'listener poll --once' first": no
    storage.path was the user's, and those commands without --demo stop for want of a config."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [*command, "--demo"])
    assert result.exit_code == 2, result.output
    assert (f"there is no demo database at {tmp_path / 'listener-demo.db'}; run 'listener run --demo --once'"
            in result.output)
    assert not (tmp_path / "listener-demo.db").exists()


@pytest.mark.parametrize("command", [["run", "--once"], ["poll", "--once"]])
def test_a_demo_run_on_a_demo_database_that_cannot_be_opened_does_not_print_a_traceback(monkeypatch, tmp_path,
                                                                                         command):
    """The demo's clock read the database first, unguarded: a StoreError traceback, where the same file named by
    storage.path is a config error."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "listener-demo.db").write_text("not a database, a text file of that name")
    result = CliRunner().invoke(main, [*command, "--demo"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert f"error: the database {tmp_path / 'listener-demo.db'} is damaged (file is not a database)" in result.output
    assert "config error" not in result.output


def test_a_complaint_band_given_high_end_first_exits_2_saying_which_end_comes_first(write_config):
    result = run_check(write_config(text="""
        [[brands]]
        name = "Lumora"

        [classifier]
        complaint_band = [0.75, 0.25]
        """))
    assert result.exit_code == 2
    assert "complaint_band [0.75, 0.25] must be [low, high], the low end first" in result.output


@pytest.mark.parametrize("phrases, key, says", [
    ('failure_phrases = ["no me deja pagar", " "]', "classifier.failure_phrases.1", "would match every post"),
    ('no_problem_phrases = ["nunca me han cobrado de m*"]', "classifier.no_problem_phrases.0",
     "'*' is not supported; list each form instead"),
])
def test_a_classifier_phrase_that_is_blank_or_has_a_wildcard_exits_2_naming_it(write_config, phrases, key, says):
    result = run_check(write_config(text=f"""
        [[brands]]
        name = "Lumora"

        [classifier]
        {phrases}
        """))
    assert result.exit_code == 2, result.output
    assert key in result.output and says in result.output, result.output


def test_a_complaint_threshold_of_false_is_none_so_keywords_alone_alert(write_config):
    path = write_config('\n[[alerts.rules]]\nname = "legal"\ncomplaint_threshold = false\n'
                        'default_keywords = ["legal"]\nchannels = ["file"]\n')
    assert load_settings(path).alerts.rules[1].complaint_threshold is None


def test_a_model_folder_beside_the_config_file_is_found_from_any_working_directory(write_config, tmp_path,
                                                                                   monkeypatch):
    path = write_config()
    path.write_text(path.read_text().replace('backend = "lexicon"', 'backend = "lexicon"\nmodel_path = "weights"\n'
                                             'complaint_model = "complaint-model"\n'
                                             'sentiment_model = "cardiffnlp/twitter-xlm-roberta-base-sentiment"'))
    (tmp_path / "complaint-model").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    classifier = load_settings(path).classifier
    assert classifier.model_path == str(tmp_path / "weights")
    assert classifier.complaint_model == str(tmp_path / "complaint-model")
    assert classifier.sentiment_model == "cardiffnlp/twitter-xlm-roberta-base-sentiment"  # a hub id stays one


@pytest.mark.parametrize("where", ["before", "after"])
def test_the_classifier_commands_take_config_before_or_after_their_name(write_config, where):
    path = write_config()  # backend = "lexicon"
    options = ["--config", str(path)]
    result = CliRunner().invoke(main, [*options, "classify", "hola"] if where == "before" else
                                ["classify", *options, "hola"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[-1])["model"] == "lexicon"


def test_config_check_loads_no_transformer_which_a_hub_id_would_fetch(write_config):
    path = write_config()
    path.write_text(path.read_text().replace(
        'backend = "lexicon"', 'backend = "transformers"\nsentiment_model = "cardiffnlp/twitter-xlm-roberta-base-sentiment"'))
    (path.parent / "posts.jsonl").write_text("")
    result = run_check(path)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", ["lumora", "LUMORA", "Lumóra"])
def test_two_brands_named_alike_but_for_case_or_accents_do_not_pass_the_check(write_config, name):
    """A second [[brands]] table "lumora" (a copy left as a competitor, say) passed: a rule written for
    brands = ["lumora"] then covered the competitor, and never alerted on Lumora's complaints."""
    result = run_check(write_config(f'\n[[brands]]\nname = "{name}"\ncompetitor = true\n'))
    assert result.exit_code == 2, result.output
    assert f"brand names 'Lumora' and '{name}' differ only in case or accents" in result.output


@pytest.mark.parametrize("extra, says", [
    ('\n[[alerts.rules]]\nname = "rival outages"\nbrands = ["Vireo Net"]\nchannels = ["file"]\n',
     "rule 'rival outages' names competitor(s) 'Vireo Net', whose mentions never alert"),
    ('\n[[alerts.rules]]\nname = "to sales"\nroutes = [{ brands = ["Vireo Net"], channels = ["file"] }]\n',
     "rule 'to sales' names competitor(s) 'Vireo Net', whose mentions never alert"),
    ('\n[[brands]]\nname = "Acme"\n\n[[alerts.rules]]\nname = "lumora"\nbrands = ["Lumora"]\nchannels = ["file"]\n'
     'routes = [{ brands = ["Acme"], channels = ["file"] }]\n',
     "rule 'lumora' has a route for brand(s) 'Acme', which the rule does not cover (its brands: 'Lumora')"),
], ids=["rule-for-a-competitor", "route-for-a-competitor", "route-for-a-brand-the-rule-leaves-out"])
def test_a_rule_or_route_that_could_never_send_does_not_pass_the_check(write_config, extra, says):
    """Each passed config check and then sent nothing, ever: competitors never alert, and a rule only
    sees the mentions of its own brands, so a route for another brand was never taken."""
    result = run_check(write_config(extra))
    assert result.exit_code == 2, result.output
    assert says in result.output, result.output


@pytest.mark.parametrize("extra, typo, said", [
    ('\n[[alerts.rules]]\nname = "legal"\ncomplaint_treshold = 0.7\nchannels = ["file"]\n',
     "alerts.rules.1.complaint_treshold", "did you mean 'complaint_threshold'?"),
    ('\n[[brands]]\nname = "Acme"\nlangauges = ["es"]\n', "brands.2.langauges", "did you mean 'languages'?"),
    ('\n[[alerts.rules]]\nname = "legal"\nchannels = ["file"]\ntreshold = 0.7\n', "alerts.rules.1.treshold",
     "did you mean 'reach_thresholds', 'negative_threshold' or 'complaint_threshold'?"),
    ('\n[[alerts.channels]]\nname = "night"\ntype = "console"\nquiet_hours = { start = "22:00", end = "07:00", '
     'timzone = "Europe/Madrid" }\n', "alerts.channels.1.quiet_hours.timzone", "did you mean 'timezone'?"),
    ('\n[digets]\nenabled = false\n', "digets", "did you mean 'digest'?"),
], ids=["threshold", "languages", "which-threshold", "inline-table", "table"])
def test_an_unknown_key_does_not_leave_its_line_and_what_was_meant_to_be_guessed(write_config, extra, typo, said):
    """"alerts.rules.1.complaint_treshold: unknown key; check its spelling against 'listener init' or the
    README's reference": no line, in a file of a hundred lines and several rules, and no word of the key meant."""
    path = write_config(extra)
    line = next(number for number, text in enumerate(path.read_text().splitlines(), 1)
                if typo.rsplit(".", 1)[-1] in text)
    result = run_check(path)
    assert result.exit_code == 2, result.output
    assert f"line {line}, {typo}: unknown key; {said}" in result.output, result.output


def test_a_missing_key_does_not_name_the_line_of_another_entry_that_has_it(write_config):
    """A route written on its own line without channels was reported at the line of the route before it, the
    one line that has the key: a missing key is written nowhere, so the line is its table's or array's."""
    path = write_config('\n[[alerts.rules]]\nname = "legal"\nchannels = ["file"]\nroutes = [\n'
                        '  { brands = ["Lumora"], channels = ["file"] },\n  { brands = ["Lumora"] },\n]\n')
    line = path.read_text().splitlines().index("routes = [") + 1
    result = run_check(path)
    assert result.exit_code == 2, result.output
    assert f"line {line}, alerts.rules.1.routes.1.channels: required key is missing" in result.output, result.output


def test_a_typo_in_a_rules_own_array_of_tables_does_not_leave_its_line_to_be_found(write_config):
    """Routes written as [[alerts.rules.routes]] tables were counted across every rule, not from 0 in each, so
    a typo in the second rule's route was given the line of the rule's header, however far above it was."""
    path = write_config('\n[[alerts.rules.routes]]\nchannels = ["file"]\n\n[[alerts.rules]]\nname = "legal"\n'
                        'channels = ["file"]\n\n[[alerts.rules.routes]]\nchannels = ["file"]\n\n'
                        '[[alerts.rules.routes]]\nchannels = ["file"]\nmin_severty = "high"\n')
    line = path.read_text().splitlines().index('min_severty = "high"') + 1
    result = run_check(path)
    assert result.exit_code == 2, result.output
    assert f"line {line}, alerts.rules.1.routes.1.min_severty: unknown key; did you mean 'min_severity'?" \
        in result.output, result.output


def test_a_brand_given_no_terms_for_a_source_does_not_pass_as_left_out_of_it(write_config):
    """terms = { reddit = ["Acme"], x = [] } passed, and X was searched for "Acme" all the same (an empty
    list falls back to the '*' terms, else the name), where the user meant Acme not to be searched there."""
    result = run_check(write_config('\n[[brands]]\nname = "Acme"\nterms = { reddit = ["Acme"], x = [] }\n'))
    assert result.exit_code == 2, result.output
    assert "brands.2.terms: Value error, no terms for 'x'; a source without terms of its own searches" in result.output


@pytest.mark.parametrize("handle", ["Lumora Ayuda", "https://x.com/lumora_ayuda", "lumora.ayuda"])
def test_an_own_or_ignored_account_that_is_no_handle_does_not_narrow_the_x_search(write_config, handle):
    """own_handles = ["Lumora Ayuda"] (the display name) made the X query '... -from:Lumora Ayuda ...', where
    "Ayuda" is a term every tweet must contain: the search found almost none of the brand's mentions."""
    for key in ("own_handles", "ignored_handles"):
        result = run_check(write_config(f'\n[[brands]]\nname = "Acme"\n{key} = ["acme", "{handle}"]\n'))
        assert result.exit_code == 2, result.output
        assert f"brands.2.{key}.1: Value error, '{handle}' is not an account handle" in result.output


@pytest.mark.parametrize("subreddits, says", [
    ('subreddits = []', "sources.reddit.subreddits: Value error, no subreddit to search"),
    ('comment_subreddits = ["r/askreddit", " "]', "sources.reddit.comment_subreddits: Value error, not subreddit "
                                                   "names: 'r/askreddit', ' '; write each name as it follows /r/"),
])
def test_subreddits_reddit_cannot_read_exit_2_and_do_not_fail_every_poll(write_config, subreddits, says):
    """An empty list passed and made every Reddit poll fail ("ValueError: An invalid value was specified for
    display_name"); "r/askreddit" was asked for as /r/r/askreddit, a 404 at every poll."""
    result = run_check(write_config(f'\n[sources.reddit]\n{subreddits}\n'))
    assert result.exit_code == 2, result.output
    assert says in result.output
