"""How HTTP answers and network failures become :class:`DeliveryError`, the same for every HTTP notifier."""

from __future__ import annotations

import math
import socket
import ssl
import urllib.error

from alerts.notifiers import DeliveryError


def error_for_status(what: str, status: int, retry_after: str | None = None, detail: str = "") -> DeliveryError:
    """The error for an unsuccessful HTTP ``status`` from ``what``: 429, 408 and 5xx are retried."""
    suffix = f" ({detail})" if detail else ""
    if status == 429:
        return DeliveryError(f"{what} is rate limiting (HTTP 429){suffix}", retry_after=retry_after_seconds(retry_after))
    if status == 408 or status >= 500:
        return DeliveryError(f"{what} answered HTTP {status}{suffix}", retry_after=retry_after_seconds(retry_after))
    if 300 <= status < 400:
        return DeliveryError(f"{what} answered HTTP {status}, a redirect, which is not followed (it would lose the "
                             f"message){suffix}; set the channel's URL to the address it redirects to", retryable=False)
    hint = "check the channel's URL and credentials" if status in (401, 403, 404) else "check the channel's config"
    return DeliveryError(f"{what} refused the message with HTTP {status}{suffix}; {hint}", retryable=False)


def error_for_exception(what: str, error: BaseException) -> DeliveryError | None:
    """The error for a network failure reaching ``what``, or ``None`` if ``error`` is not one.

    Only the failure's kind is kept: library messages may quote the URL, which can hold a secret.
    """
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return DeliveryError(f"{what} timed out", maybe_delivered=True)
    if isinstance(reason, ConnectionRefusedError):
        return DeliveryError(f"{what} refused the connection")
    if isinstance(reason, ssl.SSLError):
        return DeliveryError(f"TLS with {what} failed ({type(reason).__name__}); check its certificate")
    if isinstance(reason, OSError):
        return DeliveryError(f"cannot reach {what} ({type(reason).__name__})")
    return None


def retry_after_seconds(header: str | None) -> float | None:
    """The seconds in a ``Retry-After`` header, or ``None`` when absent or not a finite number."""
    try:
        seconds = float(header) if header is not None else None
    except ValueError:
        return None
    return max(seconds, 0.0) if seconds is not None and math.isfinite(seconds) else None
