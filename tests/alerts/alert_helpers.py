"""Local stand-ins for the places alerts go (a Slack/webhook HTTP server, a real SMTP server) and test data."""

from __future__ import annotations

import json
import resource
import signal
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import pytest
from aiosmtpd.controller import Controller

from listener.domain import Classification, Mention
from listener.store import Store


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = datetime(2026, 11, 19, 12, 0, tzinfo=timezone.utc)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    data: dict[str, Any]


@dataclass
class FakeSlack:
    """Records Slack webhook posts, Web API calls and generic webhooks; answers queued failures first."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    reactions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    on_post: Callable[[], None] | None = None
    ts_counter: int = 0
    posting: threading.Lock = field(default_factory=threading.Lock)
    refuse_blocks: str | None = None  # the error Slack answers a message with blocks, e.g. "invalid_blocks"
    clock: Callable[[], datetime] | None = None  # Slack's own time: when set, it stamps posts and history
    # honours oldest/latest, as Slack does; otherwise posts get fixed stamps and every one is listed

    def posts(self, path: str) -> list[Received]:
        return [request for request in self.requests if request.path == path]

    def handle(self, path: str, headers: dict[str, str], body: bytes, query: dict[str, str]) -> tuple[int, dict, Any]:
        data: dict[str, Any] = dict(query)
        if body:
            if headers.get("content-type", "").startswith("application/json"):
                data.update(json.loads(body))
            else:
                data.update({k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()})
        if path in ("/api/conversations.history", "/api/conversations.replies"):
            # Newest first, a page of ``limit`` at a time, as Slack pages them.
            self.requests.append(Received(path, headers, body, data))
            messages = [{"ts": r.data["ts"], "text": r.data.get("text"), "metadata": r.data.get("metadata")}
                        for r in reversed(self.posts("/api/chat.postMessage"))]
            if self.clock is not None:
                oldest, latest = float(data.get("oldest") or 0), float(data.get("latest") or "inf")
                messages = [m for m in messages if oldest <= float(m["ts"]) <= latest]
            start, limit = int(data.get("cursor") or 0), int(data.get("limit") or 100)
            more = start + limit < len(messages)
            return 200, {}, {"ok": True, "messages": messages[start:start + limit], "has_more": more,
                             "response_metadata": {"next_cursor": str(start + limit) if more else ""}}
        if path == "/api/reactions.get":
            return 200, {}, {"ok": True, "message": {"ts": data["timestamp"],
                                                     "reactions": self.reactions.get(data["timestamp"], [])}}
        if self.refuse_blocks and "blocks" in data and path in ("/api/chat.postMessage", "/webhook"):
            self.requests.append(Received(path + "#refused", headers, body, data))
            if path == "/webhook":  # a webhook answers 400 and the error as text
                return 400, {}, self.refuse_blocks
            return 200, {}, {"ok": False, "error": self.refuse_blocks}
        if self.failures:
            status, extra = self.failures.pop(0)
            self.requests.append(Received(path + "#failed", headers, body, data))
            return status, extra, {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"}
        if path == "/api/chat.postMessage":
            stamp = int(self.clock().timestamp()) if self.clock is not None else 1763553600
            with self.posting:  # the outbox posts to each channel from a thread of its own
                self.ts_counter += 1
                data["ts"] = f"{stamp}.{self.ts_counter:06d}"
                self.requests.append(Received(path, headers, body, data))
            if self.on_post:
                self.on_post()
            return 200, {}, {"ok": True, "channel": "C0ALERTS", "ts": data["ts"]}
        self.requests.append(Received(path, headers, body, data))
        return 200, {}, "ok"


@pytest.fixture
def slack_server():
    """A local HTTP server standing in for Slack (webhook + Web API) and for generic webhooks."""
    fake = FakeSlack()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if len(body) < length:  # the client was killed mid-request: no message reaches Slack
                self.close_connection = True
                return
            headers = {key.lower(): value for key, value in self.headers.items()}
            query = {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query).items()}
            status, extra, answer = fake.handle(parsed.path, headers, body, query)
            payload = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if isinstance(answer, str) else "application/json")
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            try:
                self.wfile.write(payload)
            except OSError:
                pass

        do_GET = do_POST = _serve

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


class SmtpRecorder:
    """An aiosmtpd handler keeping every message; answers queued SMTP codes to DATA first, 550 to the
    recipients in ``refused``, and ``quit_reply`` (when set) to QUIT."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.failures: list[str] = []
        self.refused: set[str] = set()
        self.quit_reply: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        return self.quit_reply or "221 Bye"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.failures:
            return self.failures.pop(0)
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 (no TLS); yields (recorder, port)."""
    recorder = SmtpRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    yield recorder, port
    controller.stop()


@contextmanager
def disk_full_beyond(size: int) -> Iterator[None]:
    """Writes past ``size`` bytes of any file fail with EFBIG, as on a full disk (RLIMIT_FSIZE, this process)."""
    ignored = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the kernel's signal ends the process
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, ignored)


def free_port() -> int:
    """A TCP port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


HOSTILE = ("<!channel> <!here> @here <@U123> <!subteam^S1|@team> <http://evil.example|your bank> "
           "a & b *bold* ```code``` <script>alert(1)</script>\r\nBcc: victim@example.com")


def add_mention(store: Store, text: str = HOSTILE, *, external_id: str = "1", handle: str = "angry",
                reach: int | None = 1200, complaint: float = 0.9, cues: tuple[str, ...] = ("sin internet",),
                conversation: str | None = None, lang: str = "es") -> int:
    """Store one classified mention of Lumora; returns its id."""
    mention = Mention(source="x", external_id=external_id, text=text,
                      created_at=datetime(2026, 11, 19, 11, 0, tzinfo=timezone.utc), brand="Lumora",
                      url=f"https://x.com/{handle}/status/{external_id}", author_handle=handle,
                      author_name="Ana", author_reach=reach, lang=lang, conversation_id=conversation)
    store.save_batch("x", [mention])
    stored = store.mention_by_key("x", external_id)
    assert stored is not None
    store.save_classifications([(stored.id, Classification(lang, "negative", (0.8, 0.15, 0.05), complaint, cues,
                                                           "fixed"))])
    return stored.id
