"""Builds, from the config, one notifier per alert channel and the pipeline's policy for each."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from alerts.notifiers import Notifier
from alerts.notifiers.console import ACK_COMMAND, ConsoleNotifier
from alerts.notifiers.email import EmailNotifier
from alerts.notifiers.jsonl import JsonlNotifier
from alerts.notifiers.slack import SlackBotNotifier, SlackWebhookNotifier
from alerts.notifiers.webhook import WebhookNotifier
from alerts.outbox import ChannelPolicy
from alerts.quiet_hours import QuietHours
from alerts.redact import Redactor
from listener.clock import Clock, system_clock
from listener.config import ChannelConfig, secret_values


class ChannelUnavailable(Exception):
    """A configured channel type cannot be used by this installation."""


def _secret(value) -> str | None:
    return value.get_secret_value() if value is not None else None


def _jsonl(channel: ChannelConfig, clock: Clock) -> Notifier:
    assert channel.path is not None  # checked by the config
    if channel.path.is_dir():
        raise ChannelUnavailable(f"alert channel {channel.name!r}: path {channel.path} is a folder; "
                                 "give the file the alerts are appended to")
    return JsonlNotifier(channel.name, channel.path, clock)


def _slack(channel: ChannelConfig) -> Notifier:
    if channel.bot_token is not None and channel.channel:
        return SlackBotNotifier(channel.name, _secret(channel.bot_token) or "", channel.channel,
                                base_url=channel.base_url, timeout=channel.timeout_seconds,
                                ack_reaction=channel.ack_reaction)
    return SlackWebhookNotifier(channel.name, _secret(channel.webhook_url) or "", timeout=channel.timeout_seconds)


def email_notifier(channel: ChannelConfig) -> EmailNotifier:
    """The notifier of an email channel: its SMTP server, sender and credentials."""
    assert channel.smtp_host and channel.sender  # checked by the config
    return EmailNotifier(channel.name, host=channel.smtp_host, port=channel.smtp_port, sender=channel.sender,
                         recipients=channel.recipients, security=channel.smtp_security, user=channel.smtp_user,
                         password=_secret(channel.smtp_password), timeout=channel.timeout_seconds)


def _webhook(channel: ChannelConfig) -> Notifier:
    assert channel.url is not None  # checked by the config
    return WebhookNotifier(channel.name, channel.url, secret=_secret(channel.secret), timeout=channel.timeout_seconds)


BUILDERS: dict[str, Callable[[ChannelConfig], Notifier]] = {
    "slack": _slack,
    "email": email_notifier,
    "webhook": _webhook,
}


def build_notifiers(channels: Sequence[ChannelConfig], clock: Clock = system_clock, *,
                    ack_command: str = ACK_COMMAND) -> dict[str, Notifier]:
    """A notifier for every channel, by channel name.

    A console prints ``ack_command`` to acknowledge; a JSONL file's lines say when they were written on ``clock``.
    """
    builders = {**BUILDERS, "console": lambda channel: ConsoleNotifier(channel.name, ack_command=ack_command),
                "jsonl": lambda channel: _jsonl(channel, clock)}
    notifiers = {}
    for channel in channels:
        builder = builders.get(channel.type)
        if builder is None:
            raise ChannelUnavailable(f"alert channel {channel.name!r}: type {channel.type!r} is not available yet")
        notifiers[channel.name] = builder(channel)
    return notifiers


# Channels people read get grouping and a rate limit by default; files and terminals get everything.
PEOPLES_CHANNELS = frozenset({"slack", "email", "webhook"})
DEFAULT_RATE_LIMIT = 10


def build_policies(channels: Sequence[ChannelConfig]) -> dict[str, ChannelPolicy]:
    """Each channel's rate limit, quiet hours and grouping, by channel name."""
    policies = {}
    for channel in channels:
        for_people = channel.type in PEOPLES_CHANNELS
        rate_limit = channel.rate_limit_per_minute or (DEFAULT_RATE_LIMIT if for_people else None)
        policies[channel.name] = ChannelPolicy(
            rate_limit_per_minute=rate_limit,
            quiet_hours=QuietHours(channel.quiet_hours) if channel.quiet_hours else None,
            grouping=for_people if channel.grouping is None else channel.grouping,
        )
    return policies


def secrets_redactor(channels: Sequence[ChannelConfig]) -> Redactor:
    """A :class:`Redactor` for every secret in the channels' config (URLs and tokens included)."""
    return Redactor(secret_values(channels))
