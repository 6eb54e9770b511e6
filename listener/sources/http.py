"""The HTTP session the API clients (tweepy, praw) send their requests through."""

from __future__ import annotations

from typing import Any

import requests


class TimeoutSession(requests.Session):
    """A session whose every request waits at most ``timeout`` seconds for the server, whatever the client library
    asks for: tweepy passes no timeout (a hung socket hung the poll), prawcore its own 16 s."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs["timeout"] = self.timeout
        return super().request(*args, **kwargs)
