"""The reliability tests' configs: Lumora, replayed from ``posts.jsonl`` and classified by the lexicon,
every complaint alerting on the channels given, and the TOML of the channels they use."""

from __future__ import annotations

from pathlib import Path

ONE_MESSAGE_PER_ALERT = "rate_limit_per_minute = 100000\ngrouping = false\n"


def slack_bot(api_url: str, token: str = "${SLACK_BOT_TOKEN}") -> str:
    """A Slack bot channel posting to C0ALERTS through the Web API at ``api_url``."""
    return f'type = "slack"\nbot_token = "{token}"\nchannel = "C0ALERTS"\nbase_url = "{api_url}/api/"\n'


def smtp(port: int) -> str:
    """An email channel to pr@example.com through the plain SMTP server on 127.0.0.1:``port``."""
    return (f'type = "email"\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_security = "none"\n'
            'sender = "listener@example.com"\nrecipients = ["pr@example.com"]\n')


def write_lumora_config(folder: Path, channels: dict[str, str], *, replay: str = "", sources: str = "",
                        alerts: str = "") -> Path:
    """Write ``folder/listener.toml``; ``channels`` maps each channel's name to its keys (``slack_bot(...)``).

    ``replay``, ``sources`` and ``alerts`` add keys to ``[sources.replay]``, more source tables, and keys
    to ``[alerts]``.
    """
    tables = "".join(f'[[alerts.channels]]\nname = "{name}"\n{keys}' for name, keys in channels.items())
    names = ", ".join(f'"{name}"' for name in channels)
    config = folder / "listener.toml"
    config.write_text(
        '[[brands]]\nname = "Lumora"\nterms = { "*" = ["Lumora", "@lumora"] }\n'
        f'[sources.replay]\nenabled = true\npath = "posts.jsonl"\n{replay}{sources}'
        '[classifier]\nbackend = "lexicon"\n'
        f'[alerts]\n{alerts}{tables}'
        f'[[alerts.rules]]\nname = "complaints"\ncomplaint_threshold = 0.5\nchannels = [{names}]\n'
        '[storage]\npath = "listener.db"\nretention_days = 36500\n', encoding="utf-8")  # posts of fixed dates
    return config
