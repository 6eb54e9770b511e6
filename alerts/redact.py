"""Keeps secrets out of logs, the database and alerts: every error text passes through a Redactor."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

REDACTED = "[redacted]"

# Secret-shaped strings, also when they are not in the config (e.g. echoed back by a library).
_PATTERNS = (
    re.compile(r"https://hooks\.slack(?:-gov)?\.com/\S+"),
    re.compile(r"\bxox[abposre]-[A-Za-z0-9-]+"),
    re.compile(r"\bxapp-[A-Za-z0-9-]+"),
)


class Redactor:
    """Replaces the configured secret values (also escaped, or line by line), and anything shaped like a
    Slack secret, in a text.

    Example::

        >>> Redactor(["s3cret"])("login failed for s3cret at https://hooks.slack.com/services/T/B/X")
        'login failed for [redacted] at [redacted]'
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret containing another is replaced whole.
        parts = {part for secret in secrets for part in _quoted_forms(secret)}
        self._secrets = sorted({part for part in parts if len(part) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        """``text`` with every secret replaced by ``[redacted]``."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for pattern in _PATTERNS:
            text = pattern.sub(REDACTED, text)
        return text


def _quoted_forms(secret: str) -> list[str]:
    """The ways an error may quote ``secret``: whole; escaped as ``repr`` writes it (requests quotes a header
    value it refuses so: ``'Bearer abc\\ndef'``); each of its lines (a traceback prints them apart); and
    the parts of a secret URL."""
    return [secret, repr(secret)[1:-1], *secret.splitlines(), *_url_parts(secret)]


def _url_parts(secret: str) -> list[str]:
    """The parts of a secret URL that a server's error may quote alone: its path (a webhook's path is
    its token), its long path segments and its query values."""
    parsed = urlsplit(secret)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return []
    parts = [parsed.path] if len(parsed.path) >= 8 else []
    parts += [segment for segment in parsed.path.split("/") if len(segment) >= 16]
    parts += [value for values in parse_qs(parsed.query).values() for value in values]
    return parts
