"""The email notifier: one multipart (text + HTML) message per alert over SMTP, STARTTLS or SSL, with auth.

Bodies come from the Jinja2 templates in ``alerts/templates`` (HTML autoescaped). Headers are built
from single-line text only, so a post cannot add a header. The Message-ID is derived from the
alert's idempotency key, and a follow-up carries ``In-Reply-To`` so mail clients thread it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from alerts.message import AlertSummary
from alerts.notifiers import AlertMessage, DeliveryError
from alerts.notifiers.http_errors import error_for_exception

log = logging.getLogger(__name__)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")  # all that str.splitlines() splits on
SUBJECT_LIMIT = 150
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parents[1] / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def quote_lines(text: str) -> str:
    """``text`` with every line marked ``> ``, so no line of a post reads as a line of the email's own."""
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines() or [""])


def one_line(text: str) -> str:
    """``text`` on one line: a list entry that a post's line breaks cannot split into lines of their own."""
    return _CONTROL.sub(" ", text).strip()


_TEMPLATES.filters.update(quote_lines=quote_lines, one_line=one_line)


def header_text(text: str, limit: int = SUBJECT_LIMIT) -> str:
    """``text`` on one line (CR, LF and other control characters become spaces), at most ``limit`` long."""
    single = _CONTROL.sub(" ", text).strip()
    return single if len(single) <= limit else single[: limit - 1] + "…"


def message_id(key: str, domain: str = "complaint-listener") -> str:
    """The Message-ID of the message sent under ``key``: the same key always gives the same ID."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def render(message: AlertMessage, sender: str, recipients: list[str]) -> EmailMessage:
    """The email for ``message``: subject, threading headers, text and HTML parts."""
    summary = AlertSummary.of(message)
    link = summary.url if summary.url and re.match(r"https?://", summary.url, re.IGNORECASE) else None
    email = EmailMessage()
    email["Subject"] = header_text(f"[{summary.severity}] {summary.headline}")
    email["From"] = sender
    email["To"] = ", ".join(recipients)
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message_id(message.key)
    if message.thread:
        email["In-Reply-To"] = message.thread
        email["References"] = message.thread
    email.set_content(_TEMPLATES.get_template("alert.txt").render(s=summary, link=link))
    email.add_alternative(_TEMPLATES.get_template("alert.html").render(s=summary, link=link), subtype="html")
    return email


class EmailNotifier:
    """Sends alerts by SMTP. ``security`` is ``starttls`` (port 587), ``ssl`` (port 465) or ``none``."""

    def __init__(self, name: str, *, host: str, port: int | None, sender: str, recipients: list[str],
                 security: str = "starttls", user: str | None = None, password: str | None = None,
                 timeout: float = 10, ssl_context: ssl.SSLContext | None = None) -> None:
        self.name = name
        self._host = host
        self._port = port or {"ssl": 465, "starttls": 587}.get(security, 25)
        self._sender = sender
        self._recipients = list(recipients)
        self._security = security
        self._user = user
        self._password = password
        self._timeout = timeout
        self._ssl = ssl_context or ssl.create_default_context()

    def send(self, message: AlertMessage) -> str | None:
        """Send ``message``; returns its Message-ID (follow-ups reply to it)."""
        email = render(message, self._sender, self._recipients)
        self.deliver(email)
        return email["Message-ID"]

    def deliver(self, email: EmailMessage, to_addrs: list[str] | None = None) -> None:
        """Hand ``email`` to the SMTP server (to ``to_addrs``, else its To header).

        Raises :class:`DeliveryError` saying whether trying again may help.
        """
        what = f"the SMTP server {self._host}:{self._port}"
        try:
            smtp = self._connect()
            try:
                self._start_session(smtp, what)
                refused = smtp.send_message(email, to_addrs=to_addrs)
            except BaseException:
                smtp.close()
                raise
            _quit(smtp)  # the server has the message: an error saying goodbye is no failure to deliver it
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryError(f"{what} rejected the login (SMTP {error.smtp_code}); check smtp_user and "
                                f"smtp_password", retryable=False) from None
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _ in error.recipients.values()})
            raise DeliveryError(f"{what} refused the recipients (SMTP {codes})",
                                retryable=all(400 <= code < 500 for code in codes)) from None
        except smtplib.SMTPResponseException as error:
            transient = 400 <= error.smtp_code < 500
            raise DeliveryError(f"{what} answered SMTP {error.smtp_code}"
                                + ("" if transient else "; check the sender, recipients and server settings"),
                                retryable=transient) from None
        except smtplib.SMTPException as error:
            raise DeliveryError(f"{what} failed ({type(error).__name__})") from None
        except OSError as error:
            raise (error_for_exception(what, error) or DeliveryError(f"{what} failed")) from None
        if refused:  # the others have it, so it is not sent again; the refused addresses need fixing
            log.error("the SMTP server refused some recipients", extra={
                "server": f"{self._host}:{self._port}", "refused": sorted(refused),
                "codes": sorted({code for code, _ in refused.values()})})

    def _start_session(self, smtp: smtplib.SMTP, what: str) -> None:
        """STARTTLS, then the login, as configured; a server that does not offer the one asked for is a
        :class:`DeliveryError` saying which, not retried."""
        if self._security == "starttls":
            try:
                smtp.starttls(context=self._ssl)
            except smtplib.SMTPNotSupportedError:
                raise DeliveryError(f"{what} does not offer STARTTLS; set smtp_security to \"ssl\" (port 465) or, "
                                    f"on a trusted network, \"none\"", retryable=False) from None
        if self._user:
            try:
                smtp.login(self._user, self._password or "")
            except smtplib.SMTPNotSupportedError:
                tls = "" if self._security != "none" else (
                    ", or, if it offers one only over TLS, set smtp_security to \"starttls\" (port 587) or \"ssl\" "
                    "(port 465)")
                raise DeliveryError(f"{what} does not offer a login (no SMTP AUTH); remove smtp_user and "
                                    f"smtp_password if it takes mail without one{tls}", retryable=False) from None

    def _connect(self) -> smtplib.SMTP:
        if self._security == "ssl":
            return smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=self._ssl)
        return smtplib.SMTP(self._host, self._port, timeout=self._timeout)


def _quit(smtp: smtplib.SMTP) -> None:
    """End the session; a server that answers QUIT with an error (or hangs up) has the message already."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
