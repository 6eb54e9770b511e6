"""Being polite to a service: wait for a rate-limit reset, back off exponentially with jitter.

Shared by the sources that call a remote API. Time is injected (``sleep`` and ``clock``), so tests
assert the waits instead of sleeping them.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from listener.clock import Clock, system_clock
from listener.domain import utc
from listener.sources import SourceUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], object]


STOP_CHECK_SECONDS = 0.1
"""How often a call waiting for the service looks whether a stop was requested."""


class RateLimited(SourceUnavailable):
    """The service is not called before a time it gave (a spent rate-limit window, a long ``Retry-After``): the
    poll ends, whichever stream it was reading."""


def _stopping(what: str) -> SourceUnavailable:
    return SourceUnavailable(f"stopping: the {what} was cut short; the next start resumes from the saved cursor")


def interruptible_sleep(stop: threading.Event) -> Sleep:
    """A sleep that ends as soon as ``stop`` is set, so a long rate-limit wait never delays a shutdown.

    Cut short, it raises :class:`SourceUnavailable`: the poll ends without advancing its cursor.
    """

    def sleep(seconds: float) -> None:
        if stop.wait(seconds):
            raise _stopping("wait for the service")

    return sleep


def until_stopped(operation: Callable[[], T], stop: threading.Event, name: str) -> T:
    """``operation()``, run on a thread of its own (named ``name``) while this one waits for it or for ``stop``.

    A request the server never answers holds its caller for the whole timeout, and SIGTERM cannot cut a socket's
    wait short (systemd kills the listener 20 s after it). Once ``stop`` is set this raises
    :class:`SourceUnavailable` at once; the call is left to end on its own, its answer unused.
    """
    outcome: list[tuple[bool, Any]] = []
    finished = threading.Event()

    def run() -> None:
        try:
            outcome.append((True, operation()))
        except BaseException as error:  # handed to the caller, as if it had made the call itself
            outcome.append((False, error))
        finally:
            finished.set()

    if stop.is_set():
        raise _stopping("call to the service")
    threading.Thread(target=run, name=name, daemon=True).start()
    while not finished.wait(STOP_CHECK_SECONDS):
        if stop.is_set():
            raise _stopping("call to the service")
    succeeded, value = outcome[0]
    if succeeded:
        return value
    raise value


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a failing call within one poll.

    The n-th retry waits ``base_seconds * 2**n`` (at most ``max_seconds``), scaled by a random
    factor in [0.5, 1) so that many listeners do not retry in step. A wait for a server-given reset
    is capped at ``max_reset_wait_seconds`` (a little over X's 15-minute window).

    A wait longer than ``max_wait_in_poll_seconds`` (a rate-limit reset minutes away) is not slept:
    the poll ends, the service is not called before the wait is over, and the first poll after it
    resumes from the saved cursor. The daemon runs its jobs on one thread, so a poll that slept
    would hold back the delivery of alerts and the other sources.
    """

    attempts: int = 4
    base_seconds: float = 2.0
    max_seconds: float = 120.0
    max_reset_wait_seconds: float = 15 * 60 + 5
    max_wait_in_poll_seconds: float = 10.0

    def backoff(self, retry: int, jitter: float) -> float:
        """Seconds to wait before retry number ``retry`` (0-based), for ``jitter`` in [0, 1)."""
        return min(self.max_seconds, self.base_seconds * 2**retry) * (0.5 + jitter / 2)


@dataclass(frozen=True)
class Fault:
    """A failed attempt that may succeed later.

    The server may say when to come back: at ``reset_at`` (X's ``x-rate-limit-reset``) or after
    ``retry_after`` seconds (``Retry-After``); otherwise the policy's backoff applies. ``retried`` says that
    the client library has retried it already (prawcore, three tries): the poll gives up at once, where
    retrying it too multiplied the tries (12 timeouts of a Reddit that never answers, 3.6 minutes).
    """

    reason: str
    reset_at: datetime | None = None
    retry_after: float | None = None
    retried: bool = False


class Throttle:
    """Runs calls to one service: waits out an exhausted rate-limit window and retries faults.

    Example::

        >>> throttle = Throttle("x", sleep=fake_sleep, clock=fake_clock)
        >>> throttle.call(lambda: client.search_recent_tweets("lumora"), classify=x_fault)
    """

    def __init__(
        self,
        service: str,
        *,
        policy: RetryPolicy = RetryPolicy(),
        sleep: Sleep | None = None,
        clock: Clock = system_clock,
        jitter: Callable[[], float] = random.random,
        stop: threading.Event | None = None,
    ) -> None:
        """Setting ``stop`` cuts short a wait for the service and a call in flight (see :func:`until_stopped`);
        ``sleep`` is how to wait (by default ``time.sleep``, cut short by ``stop`` when given)."""
        self.service = service
        self.policy = policy
        self._stop = stop
        self._sleep = sleep or (interruptible_sleep(stop) if stop is not None else time.sleep)
        self._clock = clock
        self._jitter = jitter
        self._exhausted_until: datetime | None = None

    def observe(self, remaining: str | None, reset: str | None, *, reset_in_seconds: bool = False) -> None:
        """Record the rate-limit headers of a response: ``remaining`` calls left until ``reset``, an epoch
        time (X's ``x-rate-limit-reset``) or, with ``reset_in_seconds``, seconds from now (Reddit's)."""
        if remaining is None or reset is None:
            return
        try:
            exhausted = float(remaining) <= 0
            reset_at = (self._clock() + timedelta(seconds=float(reset)) if reset_in_seconds
                        else datetime.fromtimestamp(int(reset), timezone.utc))
        except (ValueError, OverflowError):
            return
        self._exhausted_until = reset_at if exhausted else None

    def call(self, operation: Callable[[], T], classify: Callable[[Exception], Fault | None]) -> T:
        """Run ``operation``; retry the errors ``classify`` calls faults; re-raise the others.

        Raises :class:`SourceUnavailable` when the attempts run out, or when the next attempt is
        further away than the policy's ``max_wait_in_poll_seconds`` (then it says when).
        """
        for attempt in range(self.policy.attempts):
            self._wait_for_window()
            try:
                return operation() if self._stop is None else until_stopped(operation, self._stop, f"{self.service} call")
            except Exception as error:
                fault = classify(error)
                if fault is None:
                    raise
            if fault.retried:
                raise SourceUnavailable(f"{self.service}: gave up ({fault.reason}); nothing was lost, the next poll "
                                        "resumes from the saved cursor")
            if attempt + 1 == self.policy.attempts:
                break
            wait = self._wait_for(fault, attempt)
            if wait > self.policy.max_wait_in_poll_seconds:
                raise self._not_before(wait, fault.reason)
            log.warning("source call failed, retrying", extra={
                "source": self.service, "reason": fault.reason, "attempt": attempt + 1,
                "wait_seconds": round(wait, 1),
            })
            self._sleep(wait)
        raise SourceUnavailable(
            f"{self.service}: gave up after {self.policy.attempts} attempts ({fault.reason}); "
            "nothing was lost, the next poll resumes from the saved cursor"
        )

    def _wait_for(self, fault: Fault, attempt: int) -> float:
        if fault.reset_at is not None:
            return self._until(fault.reset_at)
        if fault.retry_after is not None:
            return max(0.0, min(fault.retry_after, self.policy.max_reset_wait_seconds))
        return self.policy.backoff(attempt, self._jitter())

    def _wait_for_window(self) -> None:
        if self._exhausted_until is None:
            return
        wait = self._until(self._exhausted_until)
        if wait > self.policy.max_wait_in_poll_seconds:
            raise self._not_before(wait, "rate limit reached")
        self._exhausted_until = None
        if wait > 0:
            log.info("rate limit reached, waiting for the reset",
                     extra={"source": self.service, "wait_seconds": round(wait, 1)})
            self._sleep(wait)

    def _not_before(self, wait: float, reason: str) -> RateLimited:
        """Keep the service uncalled for ``wait`` seconds (less if a known reset comes sooner); the error
        that ends the poll till then."""
        until = self._clock() + timedelta(seconds=wait)
        if self._exhausted_until is None or until < self._exhausted_until:
            self._exhausted_until = until
        return RateLimited(
            f"{self.service}: {reason}; not called again before {utc(self._exhausted_until):%Y-%m-%d %H:%M:%S} UTC. "
            "Nothing was lost: the first poll after that resumes from the saved cursor"
        )

    def _until(self, moment: datetime) -> float:
        """Seconds until ``moment`` plus one (the reset is whole seconds), within the policy's cap."""
        seconds = (moment - self._clock()).total_seconds() + 1
        return max(0.0, min(seconds, self.policy.max_reset_wait_seconds))
