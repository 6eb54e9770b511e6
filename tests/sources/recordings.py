"""The recorded API responses in ../shared/fixtures, read in place, and fake time for throttles.

The recordings are never copied into the repo; a test that needs one skips, saying why, when the
shared folder is absent.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any
from urllib.parse import urlparse

import pytest

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
BEARER = "AAAAAAAAAAAAAAAAAAAAAtest-bearer-value-do-not-log"
NOW = datetime(2021, 7, 4, 13, 0, 0, tzinfo=timezone.utc)


def fixture_path(relative: str) -> Path:
    """A recording in the shared fixtures folder; skips the test when the folder is not there."""
    path = FIXTURES / relative
    if not path.exists():
        pytest.skip(f"recorded API responses not found at {path} (the shared fixtures folder beside the repo)")
    return path


@dataclass
class Recorded:
    """One recorded HTTP response, ready to be served again."""

    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        """The body, parsed."""
        return json.loads(self.body)


def replayable(headers: dict[str, str]) -> dict[str, str]:
    """Headers fit to serve again: the stored bodies are decoded and their lengths changed (fixtures README)."""
    return {key: value for key, value in headers.items() if key.lower() not in {"content-encoding", "content-length",
                                                                                "transfer-encoding", "connection"}}


def x_recording(name: str) -> Recorded:
    """An X response from ``x/``: a derived httptest recording, or a bare body (with no headers)."""
    document = json.loads(fixture_path(f"x/{name}").read_text(encoding="utf-8"))
    if "response" in document:
        response = document["response"]
        return Recorded(response["status_code"], replayable(response["headers"]), response["body"])
    return Recorded(200, {"content-type": "application/json"}, json.dumps(document))


@dataclass
class FakeTime:
    """A clock that only moves when the code under test sleeps; the sleeps are recorded."""

    now: datetime = NOW
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> datetime:
        """The current fake time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record the wait and move the clock on."""
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)


class CassetteServer:
    """A local HTTP server that answers like Reddit did in a vcrpy JSON cassette (praw/prawcore's).

    Requests are matched by method and path (the query is ignored: the client may ask with other
    parameters than the recording did); the recorded responses for a path are served in order, the
    last one repeating. ``routes`` can be extended to serve other recordings or built faults.

    Example::

        >>> with CassetteServer.of("reddit/TestSubreddit.test_search.json") as server:
        ...     praw.Reddit(..., oauth_url=server.url, reddit_url=server.url)
    """

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Recorded]] = {}
        self.requests: list[tuple[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    @classmethod
    def of(cls, *cassettes: str) -> "CassetteServer":
        """A server answering with the interactions of ``cassettes`` (paths under the fixtures folder)."""
        server = cls()
        for cassette in cassettes:
            server.load(cassette)
        return server

    def load(self, cassette: str) -> None:
        """Add a cassette's interactions to the routes."""
        document = json.loads(fixture_path(cassette).read_text(encoding="utf-8"))
        for interaction in document["interactions"]:
            request, response = interaction["request"], interaction["response"]
            headers = replayable({key: values[0] for key, values in response["headers"].items()})
            self.add(request["method"], urlparse(request["uri"]).path,
                     Recorded(response["status"]["code"], headers, response["body"]["string"]))

    def add(self, method: str, path: str, response: Recorded) -> None:
        """Serve ``response`` (after those already added) for ``method path``."""
        self.routes.setdefault((method, path.rstrip("/")), []).append(response)

    def replace(self, method: str, path: str, *responses: Recorded) -> None:
        """Serve ``responses`` instead of what was recorded for ``method path``."""
        self.routes[(method, path.rstrip("/"))] = list(responses)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                path = urlparse(self.path).path.rstrip("/")
                server.requests.append((self.command, self.path))
                queue = server.routes.get((self.command, path))
                if not queue:
                    self.send_error(404, f"no recording for {self.command} {path}")
                    return
                response = queue.pop(0) if len(queue) > 1 else queue[0]
                body = response.body.encode("utf-8")
                self.send_response(response.status)
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the tests assert on ``server.requests``."""

        return Handler

    def __enter__(self) -> "CassetteServer":
        Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class SilentServer:
    """A server that accepts connections and never answers (a hung proxy, a Reddit that stalls); counts them.

    Example::

        >>> with SilentServer() as server:
        ...     praw.Reddit(..., oauth_url=server.url, reddit_url=server.url)
    """

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self.connections: list[socket.socket] = []

    def _accept(self) -> None:
        try:
            while True:
                self.connections.append(self._socket.accept()[0])
        except OSError:  # closed
            return

    def __enter__(self) -> "SilentServer":
        Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._socket.close()
        for connection in self.connections:
            connection.close()
