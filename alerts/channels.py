"""Builds one notifier per configured alert channel."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from alerts.notifiers import Notifier
from alerts.notifiers.console import ConsoleNotifier
from alerts.notifiers.jsonl import JsonlNotifier
from listener.config import ChannelConfig


class ChannelUnavailable(Exception):
    """A configured channel type cannot be used by this installation."""


def _console(channel: ChannelConfig) -> Notifier:
    return ConsoleNotifier(channel.name)


def _jsonl(channel: ChannelConfig) -> Notifier:
    assert channel.path is not None  # checked by the config
    return JsonlNotifier(channel.name, channel.path)


BUILDERS: dict[str, Callable[[ChannelConfig], Notifier]] = {
    "console": _console,
    "jsonl": _jsonl,
}


def build_notifiers(channels: Sequence[ChannelConfig]) -> dict[str, Notifier]:
    """A notifier for every channel, by channel name."""
    notifiers = {}
    for channel in channels:
        builder = BUILDERS.get(channel.type)
        if builder is None:
            raise ChannelUnavailable(f"alert channel {channel.name!r}: type {channel.type!r} is not available yet")
        notifiers[channel.name] = builder(channel)
    return notifiers
