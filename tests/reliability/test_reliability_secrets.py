"""Canary secrets set in the environment never leak: not in logs, the database (WAL included), what the
servers receive (beyond where a secret must go), alert files, or error texts, through 401s and refusals."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import responses

from bench.traffic import synthetic_posts, write_jsonl
from listener.app import Listener
from listener.config import load_settings
from listener.logs import KeyValueFormatter
from reliability_config import slack_bot, smtp, write_lumora_config
from tests.alerts.alert_helpers import FakeClock, free_port

CANARIES = {
    "X_BEARER_TOKEN": "AAAAcanaryXbearer7f3a9c",
    "SLACK_WEBHOOK_URL": "canary-webhook-path-51d0e2",  # completed with the server's address below
    "SLACK_BOT_TOKEN": "bot-canary-token-9e8d7c",  # not xoxb-shaped: only the config knows it is secret
    "SMTP_PASSWORD": "canary-smtp-password-4b2a",
    "WEBHOOK_SECRET": "canary-hmac-secret-c0ffee",
}
SEARCH = "https://api.twitter.com/2/tweets/search/recent"


def leaky_config(folder: Path, slack_url: str, smtp_port: int) -> Path:
    """Every secret-bearing source and channel, each pointed at a place that refuses or rejects it."""
    return write_lumora_config(folder, {
        "ops": 'type = "jsonl"\npath = "ops.jsonl"\n',
        "slack-webhook": 'type = "slack"\nwebhook_url = "${SLACK_WEBHOOK_URL}"\n',
        "slack-bot": slack_bot(f"http://127.0.0.1:{free_port()}"),
        "email": smtp(smtp_port) + 'smtp_user = "listener"\nsmtp_password = "${SMTP_PASSWORD}"\n',
        "hook": f'type = "webhook"\nurl = "{slack_url}/hook"\nsecret = "${{WEBHOOK_SECRET}}"\n',
    }, sources='[sources.x]\nenabled = true\nbearer_token = "${X_BEARER_TOKEN}"\n', alerts='operator_channel = "ops"\n')


def test_canary_secrets_stay_out_of_logs_database_payloads_and_errors_through_401s_and_refusals(
        tmp_path, slack_server, switchable_smtp):
    environ = {**CANARIES, "SLACK_WEBHOOK_URL": f"{slack_server.url}/services/T0/B0/{CANARIES['SLACK_WEBHOOK_URL']}"}
    write_jsonl(tmp_path / "posts.jsonl", synthetic_posts(5, complaint_every=1))
    settings = load_settings(leaky_config(tmp_path, slack_server.url, switchable_smtp.port), environ=environ)
    slack_server.failures = [(401, {})] * 20  # the webhook and the generic webhook reject every post
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(KeyValueFormatter())
    traceback_handler = logging.StreamHandler(lines)  # and full tracebacks, as a developer's handler shows them
    traceback_handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.addHandler(traceback_handler)
    previous_level = root.level
    root.setLevel(logging.DEBUG)
    clock = FakeClock()
    errors: list[str] = []
    try:
        with responses.RequestsMock() as x_api, Listener(settings, clock=clock) as app:
            x_api.add(responses.GET, SEARCH, status=401, json={
                "title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
            for _ in range(3):
                app.poll_once()
                clock.advance(minutes=20)
            errors = [row.last_error or "" for row in app.store.alerts()]
            sent = {(row.alert.channel, row.alert.rule) for row in app.store.alerts() if row.status == "sent"}
            assert app.sources[0].disabled_reason is not None
            errors.append(app.sources[0].disabled_reason)
    finally:
        root.removeHandler(handler)
        root.removeHandler(traceback_handler)
        root.setLevel(previous_level)

    assert ("ops", "operator") in sent, "the operator heard of the failures"
    assert {channel for channel, _ in sent} == {"ops"}, "every other channel failed"
    received = [(request.path, {k: v for k, v in request.headers.items() if k != "authorization"}, request.body)
                for request in slack_server.requests]
    places = {
        "logs": lines.getvalue(),
        "error texts": "\n".join(errors),
        "database": b"".join(path.read_bytes() for path in tmp_path.glob("listener.db*")).decode("utf-8", "replace"),
        "alert files": "".join(path.read_text() for path in tmp_path.glob("*.jsonl") if path.name != "posts.jsonl"),
        "what servers received": repr([entry for entry in received
                                       if not entry[0].startswith("/services/")]),  # the webhook URL is its path
        "email": repr([envelope.content for envelope in switchable_smtp.recorder.messages]),
    }
    for name, canary in CANARIES.items():
        for place, content in places.items():
            assert canary not in content, f"{name} leaked into {place}"


def test_a_secret_with_quotes_or_backslashes_is_redacted_before_the_log_line_quotes_it():
    """Quoting escapes the quote and the backslash: redacting only the finished line missed the escaped secret."""
    from alerts.redact import Redactor

    secret = 'pa"ss\\word-canary'
    formatter = KeyValueFormatter()
    formatter.redact = Redactor([secret])
    record = logging.LogRecord("listener", logging.ERROR, __file__, 1, "login failed", None, None)
    record.reason = f"server said: bad password {secret}"
    line = formatter.format(record)
    assert "canary" not in line and "[redacted]" in line
