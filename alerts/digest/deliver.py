"""Delivers a rendered digest: by email over SMTP, and a short summary to Slack.

The SMTP server and sender come from an ``[[alerts.channels]]`` entry of type ``email``
(``digest.email_channel``, else the first one); the recipients are ``digest.recipients``, else that
channel's. The Slack summary goes to the slack channel named by ``digest.channel``, if set: with a bot
token, as the comment on the digest page uploaded as an HTML file; through a webhook (which cannot
upload files), as a message on its own.
The email goes through the email notifier's SMTP delivery; the Slack summary through ``slack_sdk``.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from slack_sdk.errors import SlackApiError

from alerts.channels import email_notifier
from alerts.digest.render import RenderedDigest
from alerts.notifiers import DeliveryError
from alerts.notifiers.slack import web_client, webhook_client
from alerts.notifiers.slack_format import escape
from listener.config import ChannelConfig, Settings


class DigestDeliveryError(Exception):
    """The digest could not be sent; the message says where and what to check."""


class SlackSummaryFailed(DigestDeliveryError):
    """The digest was emailed, but its Slack summary could not be posted: sending again would email it twice."""


@dataclass(frozen=True)
class DeliveryReport:
    """Where a digest went: the email's Message-ID and recipients, and whether Slack got the summary."""

    message_id: str | None
    recipients: tuple[str, ...]
    slack: bool


def compose_email(digest: RenderedDigest, sender: str, recipients: list[str]) -> EmailMessage:
    """The digest as one email: the text part and, as its alternative, the HTML with its PNG charts inline.

    Structure: ``multipart/alternative`` of ``text/plain`` and ``multipart/related``
    (``text/html`` + one ``image/png`` per chart, referred to by ``cid:``).
    """
    email = EmailMessage()
    email["Subject"] = digest.subject
    email["From"] = sender
    email["To"] = ", ".join(recipients)
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="complaint-listener")
    email.set_content(digest.text)
    email.add_alternative(digest.email_html, subtype="html")
    html_part = email.get_payload()[1]
    for cid, png in digest.images.items():
        html_part.add_related(png, "image", "png", cid=f"<{cid}>", filename=f"{cid.split('@')[0]}.png",
                              disposition="inline")
    return email


def email_channel(settings: Settings) -> ChannelConfig:
    """The email channel whose SMTP server sends the digest."""
    emails = [channel for channel in settings.alerts.channels if channel.type == "email"]
    wanted = settings.digest.email_channel
    if wanted is not None:
        found = next((channel for channel in emails if channel.name == wanted), None)
        if found is None:
            raise DigestDeliveryError(f"digest.email_channel {wanted!r} is not an [[alerts.channels]] entry of type "
                                      f"'email'; email channels: {', '.join(c.name for c in emails) or 'none'}")
        return found
    if not emails:
        raise DigestDeliveryError("sending the digest needs an [[alerts.channels]] entry with type = 'email' "
                                  "(smtp_host, sender) for its SMTP server; add one, or save the page with --out")
    return emails[0]


def send_email(digest: RenderedDigest, settings: Settings) -> tuple[str, list[str]]:
    """Email ``digest`` through the email channel's SMTP server; returns its Message-ID and the recipients."""
    channel = email_channel(settings)
    recipients = settings.digest.recipients or channel.recipients
    if not recipients:
        raise DigestDeliveryError("the digest has no recipients: set digest.recipients (email addresses)")
    assert channel.sender  # checked by the config
    email = compose_email(digest, channel.sender, recipients)
    try:
        email_notifier(channel).deliver(email, to_addrs=recipients)
    except DeliveryError as error:
        raise DigestDeliveryError(f"{error} (channel {channel.name!r})") from None
    return email["Message-ID"], list(recipients)


def post_slack_summary(digest: RenderedDigest, settings: Settings) -> None:
    """Post the digest's short summary to the slack channel named by ``digest.channel``."""
    name = settings.digest.channel
    channel = next((c for c in settings.alerts.channels if c.name == name and c.type == "slack"), None)
    if channel is None:
        raise DigestDeliveryError(f"digest.channel {name!r} is not an [[alerts.channels]] entry of type 'slack'")
    text = escape(digest.summary)
    what = f"Slack channel {channel.name!r}"
    try:
        if channel.bot_token is not None and channel.channel:
            client = web_client(channel.bot_token.get_secret_value(), channel.base_url, channel.timeout_seconds)
            client.files_upload_v2(channel=channel.channel, content=digest.html, title=digest.subject,
                                   filename=f"digest-{digest.brand}-{digest.day.isoformat()}.html".replace(" ", "_"),
                                   initial_comment=text)
            return
        assert channel.webhook_url is not None  # checked by the config
        response = webhook_client(channel.webhook_url.get_secret_value(), channel.timeout_seconds).send(text=text)
    except SlackApiError as error:
        raise DigestDeliveryError(f"{what} refused the summary ({error.response.get('error')}); "
                                  "check the bot token, its files:write scope and the channel") from None
    except OSError as error:
        raise DigestDeliveryError(f"{what} could not be reached: {error}") from None
    except ValueError:  # urllib's "unknown url type" quotes the URL, which holds the webhook's secret
        raise DigestDeliveryError(f"{what}: its webhook_url or base_url is not an http(s) URL") from None
    if response.status_code != 200:
        raise DigestDeliveryError(f"{what}: the webhook answered HTTP {response.status_code}; check webhook_url")


def send_digest(digest: RenderedDigest, settings: Settings) -> DeliveryReport:
    """Email ``digest`` and, when ``digest.channel`` is set, post its summary to Slack.

    Raises :class:`DigestDeliveryError`; when the email went out and only the Slack summary failed,
    :class:`SlackSummaryFailed`, whose message says so, as sending again would email the digest a second time.
    """
    message_id, recipients = send_email(digest, settings)
    if settings.digest.channel:
        try:
            post_slack_summary(digest, settings)
        except DigestDeliveryError as error:
            emailed = f"emailed to {', '.join(recipients)}"
            raise SlackSummaryFailed(f"{emailed}; the Slack summary failed: {error}") from None
    return DeliveryReport(message_id, tuple(recipients), bool(settings.digest.channel))
