"""``listener doctor``: one cheap authenticated call per source that has credentials, and what it said."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from listener.config import Settings
from listener.sources import SourceAuthError, SourceUnavailable
from listener.sources.throttle import RetryPolicy, Throttle


@dataclass(frozen=True)
class SourceCheck:
    """Whether a source's credentials work, and why not."""

    source: str
    ok: bool
    detail: str


def check_sources(settings: Settings, *, reddit_options: Mapping[str, Any] | None = None) -> list[SourceCheck]:
    """Check every source that is enabled or has credentials, with one call each (no retries).

    ``reddit_options`` go to praw (tests point ``oauth_url`` at a local server). Messages never
    contain a credential. Example::

        >>> [(check.source, check.ok) for check in check_sources(load_settings("listener.toml"))]
        [('x', True), ('reddit', False)]
    """
    checks = []
    x, reddit = settings.sources.x, settings.sources.reddit
    if x.enabled or _present(x.bearer_token):
        checks.append(_check("x", lambda: _x_source(settings)))
    if reddit.enabled or (_present(reddit.client_id) and _present(reddit.client_secret)):
        checks.append(_check("reddit", lambda: _reddit_source(settings, reddit_options or {})))
    return checks


def _x_source(settings: Settings) -> Any:
    from listener.sources.x import XSource

    return XSource(settings.sources.x, settings.brands, throttle=_once("x"))


def _reddit_source(settings: Settings, options: Mapping[str, Any]) -> Any:
    from listener.sources.reddit import RedditSource, reddit_client

    config = settings.sources.reddit
    return RedditSource(config, settings.brands, reddit=reddit_client(config, **options), throttle=_once("reddit"))


def _once(service: str) -> Throttle:
    return Throttle(service, policy=RetryPolicy(attempts=1))


def _check(name: str, build: Any) -> SourceCheck:
    try:
        return SourceCheck(name, True, build().check())
    except (SourceAuthError, SourceUnavailable) as error:
        return SourceCheck(name, False, str(error))
    except Exception as error:  # a doctor reports every failure instead of dying on the first
        return SourceCheck(name, False, f"{name}: {type(error).__name__}: {error}")


def _present(secret: Any) -> bool:
    return secret is not None and bool(secret.get_secret_value())
