"""Email alerts over STARTTLS and over SSL, with a login, to a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from alerts.notifiers import DeliveryError
from alerts.notifiers.email import EmailNotifier
from listener.store import Store
from alert_helpers import SmtpRecorder, free_port
from test_escaping import message

USER, PASSWORD = "listener@example.com", "s3cret-smtp-password"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return key, cert


def authenticate(server, session, envelope, mechanism: str, auth_data: object) -> AuthResult:
    good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(), PASSWORD.encode())
    return AuthResult(success=good)


def tls_server(certificate: tuple[Path, Path], *, implicit: bool) -> Iterator[tuple[SmtpRecorder, int]]:
    key, cert = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    recorder, port = SmtpRecorder(), free_port()
    # aiosmtpd only offers AUTH after STARTTLS when auth_require_tls is set; on an SSL socket it is TLS already.
    tls = ({"ssl_context": server_context, "auth_require_tls": False} if implicit
           else {"tls_context": server_context, "require_starttls": True, "auth_require_tls": True})
    controller = Controller(recorder, hostname="127.0.0.1", port=port, authenticator=authenticate,
                            auth_required=True, **tls)
    controller.start()
    yield recorder, port
    controller.stop()


@pytest.fixture
def starttls_server(certificate) -> Iterator[tuple[SmtpRecorder, int]]:
    yield from tls_server(certificate, implicit=False)


@pytest.fixture
def ssl_server(certificate) -> Iterator[tuple[SmtpRecorder, int]]:
    yield from tls_server(certificate, implicit=True)


def notifier(port: int, security: str, certificate: tuple[Path, Path], password: str = PASSWORD) -> EmailNotifier:
    trusting = ssl.create_default_context(cafile=str(certificate[1]))
    return EmailNotifier("email", host="127.0.0.1", port=port, sender=USER, recipients=["pr@example.com"],
                         security=security, user=USER, password=password, ssl_context=trusting)


# aiosmtpd warns of AUTH without STARTTLS on the SSL server, not knowing that its socket is TLS already.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_an_alert_is_delivered_over_tls_after_logging_in(security, request, certificate, tmp_path):
    recorder, port = request.getfixturevalue(f"{security}_server")
    reference = notifier(port, security, certificate).send(message(Store.open(tmp_path / "l.db")))
    [envelope] = recorder.messages
    assert envelope.rcpt_tos == ["pr@example.com"]
    assert reference is not None and reference.encode() in envelope.content


def test_a_server_certificate_that_is_not_trusted_is_refused(starttls_server, tmp_path):
    recorder, port = starttls_server
    untrusting = EmailNotifier("email", host="127.0.0.1", port=port, sender=USER, recipients=["pr@example.com"],
                               security="starttls", user=USER, password=PASSWORD)
    with pytest.raises(DeliveryError):
        untrusting.send(message(Store.open(tmp_path / "l.db")))
    assert recorder.messages == []
