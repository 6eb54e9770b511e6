"""The generic webhook notifier: the alert as plain JSON, POSTed with an HMAC-SHA256 signature.

Headers: ``X-Listener-Timestamp`` (Unix seconds), ``X-Listener-Signature: sha256=<hex>`` where hex is
HMAC-SHA256 with the channel's ``secret`` over ``"<timestamp>." + raw body``, and ``Idempotency-Key``
(the message's key; the same alert always sends the same key). To verify, recompute the HMAC over
the raw body as received, compare with :func:`hmac.compare_digest`, and reject timestamps more than
five minutes old.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import urllib.error
import urllib.request

from alerts.message import AlertSummary
from alerts.notifiers import AlertMessage, DeliveryError
from alerts.notifiers.http_errors import error_for_exception, error_for_status
from listener.clock import Clock, system_clock

SIGNATURE_HEADER = "X-Listener-Signature"
TIMESTAMP_HEADER = "X-Listener-Timestamp"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Follows no redirect: urllib turns a POST answered 301, 302 or 303 into a bodiless GET of the new address,
    which answered 200 and had the alert recorded as sent though it never arrived."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Listener-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def payload(message: AlertMessage) -> bytes:
    """The JSON body: the alert's fields (untrusted text as plain JSON strings) and what it carries."""
    record = {"channel": message.alert.channel, **dataclasses.asdict(AlertSummary.of(message))}
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


class WebhookNotifier:
    """POSTs each alert as JSON to ``url``, signed when a ``secret`` is configured."""

    def __init__(self, name: str, url: str, *, secret: str | None = None, timeout: float = 10,
                 clock: Clock = system_clock) -> None:
        self.name = name
        self._url = url
        self._secret = secret
        self._timeout = timeout
        self._clock = clock

    def send(self, message: AlertMessage) -> str | None:
        """POST ``message``; returns its idempotency key."""
        body = payload(message)
        timestamp = str(int(self._clock().timestamp()))
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": message.key,
                   TIMESTAMP_HEADER: timestamp, "User-Agent": "complaint-listener"}
        if self._secret:
            headers[SIGNATURE_HEADER] = signature(self._secret, timestamp, body)
        request = urllib.request.Request(self._url, data=body, headers=headers, method="POST")
        try:
            with _OPENER.open(request, timeout=self._timeout):
                pass
        except urllib.error.HTTPError as error:
            raise error_for_status(f"webhook {self.name}", error.code, error.headers.get("Retry-After")) from None
        except OSError as error:
            raise (error_for_exception(f"webhook {self.name}", error)
                   or DeliveryError(f"webhook {self.name} failed")) from None
        return message.key
