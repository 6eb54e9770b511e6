"""The Slack notifiers, through ``slack_sdk``: an incoming webhook, or ``chat.postMessage`` with a bot token.

The bot can do what a webhook cannot: thread follow-ups under the first message, find a message it
already posted (each carries its idempotency key as message metadata, so a send whose outcome a crash
made unknown is looked up with ``conversations.history`` instead of sent again), and read the
reactions that acknowledge an alert (``reactions.get``). Bot scopes: ``chat:write``,
``channels:history`` (``groups:history`` for a private channel) and ``reactions:read``.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from alerts.message import AlertSummary
from alerts.notifiers import AlertMessage, DeliveryError, Lookup
from alerts.notifiers.http_errors import error_for_exception, error_for_status, retry_after_seconds
from alerts.notifiers.slack_format import blocks, fallback_text, plain_text

log = logging.getLogger(__name__)
METADATA_EVENT = "complaint_listener_alert"
# Slack API errors that mean "try again later" although the HTTP status was 200.
_TRANSIENT_API_ERRORS = {"ratelimited", "service_unavailable", "internal_error", "fatal_error", "request_timeout"}
# How far the listener's clock may have been off Slack's when it recorded a send (a hardware clock kept
# in local time is hours off): a message is looked up this far either side of the recorded time.
CLOCK_MARGIN = timedelta(days=1)
# Slack's answers refusing a message for its blocks: it goes out again as text alone, the same facts.
REFUSED_SHAPE_ERRORS = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_too_long"})
# slack_sdk's own log lines can quote the webhook URL; this logger keeps them out of ours.
_SDK_LOG = logging.getLogger("alerts.notifiers.slack.sdk")
_SDK_LOG.setLevel(logging.CRITICAL)
_SDK_LOG.propagate = False


# Both clients are given ``timeout`` as it is: slack_sdk annotates it ``int`` but hands it to urllib's
# urlopen, which takes seconds as a float (int() made 0.5 a 0, a non-blocking socket: every send failed).


def webhook_client(webhook_url: str, timeout: float) -> WebhookClient:
    """A webhook client that neither logs (its lines quote the URL) nor retries on its own."""
    return WebhookClient(webhook_url, timeout=timeout, logger=_SDK_LOG, retry_handlers=[])  # type: ignore[arg-type]


def web_client(token: str, base_url: str | None, timeout: float) -> WebClient:
    """A Web API client that neither logs nor retries on its own."""
    return WebClient(token=token, base_url=base_url or "https://slack.com/api/",
                     timeout=timeout, logger=_SDK_LOG, retry_handlers=[])  # type: ignore[arg-type]


def _network_error(what: str, error: Exception) -> DeliveryError:
    return error_for_exception(what, error) or DeliveryError(f"{what} failed ({type(error).__name__})")


class SlackWebhookNotifier:
    """Posts each alert to a Slack incoming webhook.

    A webhook answers only "ok": it cannot thread, be searched or be reacted to through the API.
    """

    def __init__(self, name: str, webhook_url: str, *, timeout: float = 10) -> None:
        self.name = name
        self._client = webhook_client(webhook_url, timeout)

    def send(self, message: AlertMessage) -> str | None:
        """Post ``message``; returns ``None`` (a webhook gives no reference back)."""
        summary = AlertSummary.of(message)
        response = self._post(text=fallback_text(summary), blocks=blocks(summary, None))
        if response.status_code == 400 and (response.body or "").strip() in REFUSED_SHAPE_ERRORS:
            _sent_as_text(message)
            response = self._post(text=plain_text(summary, None))
        if response.status_code != 200:
            headers = {key.lower(): value for key, value in (response.headers or {}).items()}
            detail = response.body if len(response.body or "") < 100 else ""
            raise error_for_status("the Slack webhook", response.status_code, _first(headers.get("retry-after")),
                                   detail)
        return None

    def _post(self, **content: Any) -> Any:
        try:
            return self._client.send(**content, unfurl_links=False, unfurl_media=False)
        except Exception as error:  # urllib's failures: refused, timeout, DNS, TLS
            raise _network_error("the Slack webhook", error) from None


class SlackBotNotifier:
    """Posts each alert with ``chat.postMessage`` as a bot; follow-ups go in the first message's thread.

    ``channel`` should be the channel's ID (``C0123…``): looking messages up needs it.
    The reference returned for a message is ``"<channel id>:<ts>"``.
    """

    def __init__(self, name: str, token: str, channel: str, *, base_url: str | None = None,
                 timeout: float = 10, ack_reaction: str = "white_check_mark") -> None:
        self.name = name
        self.channel = channel
        self.ack_reaction = ack_reaction
        self._client = web_client(token, base_url, timeout)

    def send(self, message: AlertMessage) -> str | None:
        """Post ``message`` (in its thread, if it follows one up); returns ``"<channel>:<ts>"``."""
        summary = AlertSummary.of(message)
        thread_ts = message.thread.split(":", 1)[1] if message.thread and ":" in message.thread else None
        arguments = {"channel": self.channel, "thread_ts": thread_ts, "unfurl_links": False, "unfurl_media": False,
                     "link_names": False, "metadata": {"event_type": METADATA_EVENT,
                                                       "event_payload": {"key": message.key,
                                                                         "alert_id": message.alert_id}}}
        response = self._call("chat.postMessage", self._client.chat_postMessage, gone=REFUSED_SHAPE_ERRORS,
                              text=fallback_text(summary), blocks=blocks(summary, self.ack_reaction), **arguments)
        if response is None:  # refused for its blocks: nothing was posted, so the text alone goes now
            _sent_as_text(message)
            response = self._call("chat.postMessage", self._client.chat_postMessage,
                                  text=plain_text(summary, self.ack_reaction), **arguments)
        return f"{response['channel']}:{response['ts']}"

    def lookup(self, key: str, since: datetime, thread: str | None = None) -> Lookup:
        """Find the message posted under ``key`` around ``since`` (in ``thread`` for a follow-up), paging
        through everything posted within :data:`CLOCK_MARGIN` of it, however busy the channel has been.

        ``since`` is the listener's clock and a message's ``ts`` Slack's: a clock that ran ahead when the
        message was sent (and was set right before the restart) recorded a time after Slack's stamp."""
        oldest, latest = (f"{(since + offset).timestamp():.6f}" for offset in (-CLOCK_MARGIN, CLOCK_MARGIN))
        if thread and ":" in thread:
            channel, ts = thread.split(":", 1)
            method, call, where = "conversations.replies", self._client.conversations_replies, {"ts": ts}
        else:
            channel = self.channel
            method, call, where = "conversations.history", self._client.conversations_history, {}
        cursor = None
        while True:
            response = self._call(method, call, channel=channel, oldest=oldest, latest=latest,
                                  include_all_metadata=True, limit=200, cursor=cursor, **where)
            for posted in response.get("messages", []):
                metadata = posted.get("metadata") or {}
                if metadata.get("event_type") == METADATA_EVENT and metadata.get("event_payload", {}).get("key") == key:
                    return Lookup(found=True, ref=f"{channel}:{posted['ts']}")
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                return Lookup(found=False)

    def reacted_by(self, ref: str) -> str | None:
        """Who put the acknowledgement reaction on the message ``ref``, or ``None`` if nobody has."""
        channel, ts = ref.split(":", 1)
        response = self._call("reactions.get", self._client.reactions_get, channel=channel, timestamp=ts, full=True,
                              gone={"message_not_found"})
        if response is None:  # the message was deleted: nobody can react to it any more
            return None
        for reaction in (response.get("message") or {}).get("reactions", []):
            name = reaction.get("name", "")
            if (name == self.ack_reaction or name.startswith(f"{self.ack_reaction}::")) and reaction.get("users"):
                return reaction["users"][0]
        return None

    def _call(self, method: str, call: Any, *, gone: Collection[str] = (), **arguments: Any) -> Any:
        """``call(**arguments)``'s response; ``None`` for an error in ``gone`` (what was asked about is no
        more, or was refused in a way the caller mends); any other failure a :class:`DeliveryError` saying
        whether to try again."""
        what = f"Slack {method}"
        try:
            return call(**arguments)
        except SlackApiError as error:
            response = error.response
            code = response.get("error", "") if isinstance(response.data, dict) else ""
            headers = {key.lower(): value for key, value in (response.headers or {}).items()}
            if response.status_code == 200 and code in gone:
                return None
            if response.status_code != 200:
                raise error_for_status(what, response.status_code, _first(headers.get("retry-after")), code) from None
            if code in _TRANSIENT_API_ERRORS:
                raise DeliveryError(f"{what} failed: {code}", retry_after=retry_after_seconds(_first(headers.get("retry-after"))))
            raise DeliveryError(f"{what} failed: {code}; check the bot token, its scopes and the channel",
                                retryable=False) from None
        except Exception as error:
            raise _network_error(what, error) from None


def _sent_as_text(message: AlertMessage) -> None:
    log.warning("Slack refused the message's blocks (invalid_blocks or msg_too_long); sending it as text", extra={
        "key": message.key, "alerts": [message.alert_id, *(other.alert_id for other in message.more)]})


def _first(value: Any) -> str | None:
    """A header's value (slack_sdk gives some headers as lists)."""
    if isinstance(value, (list, tuple)):
        return str(value[0]) if value else None
    return None if value is None else str(value)
