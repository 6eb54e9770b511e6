"""Canary secrets set in the environment never leak: not in logs, the database (WAL included), what the
servers receive (beyond where a secret must go), alert files, or error texts, through 401s and refusals."""

from __future__ import annotations

import io
import logging
import textwrap
from pathlib import Path

import responses

from bench.traffic import synthetic_posts, write_jsonl
from listener.app import Listener
from listener.config import load_settings
from listener.logs import KeyValueFormatter
from tests.alerts.alert_helpers import FakeClock, free_port

CANARIES = {
    "X_BEARER_TOKEN": "AAAAcanaryXbearer7f3a9c",
    "SLACK_WEBHOOK_URL": "canary-webhook-path-51d0e2",  # completed with the server's address below
    "SLACK_BOT_TOKEN": "bot-canary-token-9e8d7c",  # not xoxb-shaped: only the config knows it is secret
    "SMTP_PASSWORD": "canary-smtp-password-4b2a",
    "WEBHOOK_SECRET": "canary-hmac-secret-c0ffee",
}
SEARCH = "https://api.twitter.com/2/tweets/search/recent"


def leaky_config(tmp_path: Path, slack_url: str, smtp_port: int) -> Path:
    """Every secret-bearing source and channel, each pointed at a place that refuses or rejects it."""
    config = tmp_path / "listener.toml"
    config.write_text(textwrap.dedent(f"""
        [[brands]]
        name = "Lumora"
        terms = {{ "*" = ["Lumora"] }}
        [sources.x]
        enabled = true
        bearer_token = "${{X_BEARER_TOKEN}}"
        [sources.replay]
        enabled = true
        path = "posts.jsonl"
        [classifier]
        backend = "lexicon"
        [alerts]
        operator_channel = "ops"
        [[alerts.channels]]
        name = "ops"
        type = "jsonl"
        path = "ops.jsonl"
        [[alerts.channels]]
        name = "slack-webhook"
        type = "slack"
        webhook_url = "${{SLACK_WEBHOOK_URL}}"
        [[alerts.channels]]
        name = "slack-bot"
        type = "slack"
        bot_token = "${{SLACK_BOT_TOKEN}}"
        channel = "C0ALERTS"
        base_url = "http://127.0.0.1:{free_port()}/api/"
        [[alerts.channels]]
        name = "email"
        type = "email"
        smtp_host = "127.0.0.1"
        smtp_port = {smtp_port}
        smtp_security = "none"
        smtp_user = "listener"
        smtp_password = "${{SMTP_PASSWORD}}"
        sender = "listener@example.com"
        recipients = ["pr@example.com"]
        [[alerts.channels]]
        name = "hook"
        type = "webhook"
        url = "{slack_url}/hook"
        secret = "${{WEBHOOK_SECRET}}"
        [[alerts.rules]]
        name = "complaints"
        complaint_threshold = 0.5
        channels = ["slack-webhook", "slack-bot", "email", "hook"]
        [storage]
        path = "listener.db"
        """), encoding="utf-8")
    return config


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
            statuses = {row.alert.channel: row.status for row in app.store.alerts()}
            assert app.sources[0].disabled_reason is not None
            errors.append(app.sources[0].disabled_reason)
    finally:
        root.removeHandler(handler)
        root.removeHandler(traceback_handler)
        root.setLevel(previous_level)

    assert statuses["ops"] == "sent", "the operator heard of the failures"
    assert [channel for channel, status in statuses.items() if status == "sent"] == ["ops"], "every other one failed"
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
