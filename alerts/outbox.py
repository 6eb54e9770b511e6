"""Delivery from the outbox: the one pipeline every channel shares.

Each round, per channel: quiet hours hold what may wait for the digest; alerts about something the
channel heard of within the grouping window become follow-ups of that message (one follow-up
message per group interval); the channel's rate limit batches whatever is over it into one message;
then each message is sent, with retries and exponential backoff with jitter.

Every message is recorded in the delivery log as ``attempting`` before its notifier is called and
as ``sent`` right after it returns. After a crash, a message still ``attempting`` had an unknown
outcome: a notifier that can look at its destination (:class:`~alerts.notifiers.DeliveryLookup`)
says whether it arrived; for any other channel, or when the destination cannot be asked (for good, or
for the give-up time), the message is marked ``unconfirmed`` and not sent again (at most once), and the
operator channel is told.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta, timezone

from alerts.notifiers import AlertMessage, DeliveryError, DeliveryLookup, Lookup, Notifier
from alerts.quiet_hours import QuietHours
from alerts.redact import Redactor
from listener.clock import Clock, system_clock
from listener.config import SEVERITIES
from listener.domain import INCIDENT_GROUP_MARK
from listener.logs import PersistingFailures
from listener.store import Delivery, StoredAlert, Store

log = logging.getLogger(__name__)

ProblemReporter = Callable[[str, str, str], object]
RATE_WINDOW = timedelta(minutes=1)
_EVER = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, giving up once an alert is older than ``give_up_after``."""

    first_delay: timedelta = timedelta(seconds=5)
    max_delay: timedelta = timedelta(minutes=15)
    give_up_after: timedelta = timedelta(hours=24)

    def delay(self, attempts: int, retry_after: float | None, rng: random.Random) -> timedelta:
        """How long to wait after the ``attempts``-th failure: the backoff, or the server's ``retry_after``
        seconds when longer; never more than ``max_delay``, so a server asking for days (or a bad header)
        does not hold the channel past the give-up time."""
        doublings = min(max(attempts - 1, 0), 60)  # beyond this the backoff is max_delay anyway
        backoff = min(self.first_delay.total_seconds() * 2.0 ** doublings, self.max_delay.total_seconds())
        jittered = backoff * (0.5 + rng.random() / 2)
        return timedelta(seconds=min(max(jittered, retry_after or 0.0), self.max_delay.total_seconds()))


@dataclass(frozen=True)
class ChannelPolicy:
    """What the pipeline does for one channel besides delivering: rate limit, quiet hours, grouping."""

    rate_limit_per_minute: int | None = None
    quiet_hours: QuietHours | None = None
    grouping: bool = False


@dataclass(frozen=True)
class GroupingPolicy:
    """Alerts of one group within ``window`` follow up the first; one follow-up per ``interval``."""

    window: timedelta = timedelta(minutes=30)
    interval: timedelta = timedelta(minutes=5)


@dataclass
class DeliveryReport:
    """What one delivery round did."""

    sent: int = 0
    retrying: int = 0
    given_up: int = 0
    held: int = 0
    unconfirmed: int = 0

    def __add__(self, other: "DeliveryReport") -> "DeliveryReport":
        return DeliveryReport(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


@dataclass(frozen=True)
class _Plan:
    """One message to send: the alerts it carries (lead first), its key, what it follows up, and whether
    the rate limit batched them."""

    alerts: list[StoredAlert]
    key: str
    thread: str | None = None
    lead_id: int | None = None
    batched: bool = False


class Outbox:
    """Delivers due alerts through the notifier of each alert's channel.

    Example::

        >>> outbox = Outbox(store, {"slack": SlackNotifier(...)}, policies={"slack": ChannelPolicy(5)})
        >>> outbox.deliver_due()
        DeliveryReport(sent=3, retrying=0, given_up=0, held=0, unconfirmed=0)
    """

    def __init__(
        self,
        store: Store,
        notifiers: Mapping[str, Notifier],
        *,
        clock: Clock = system_clock,
        policy: RetryPolicy = RetryPolicy(),
        policies: Mapping[str, ChannelPolicy] | None = None,
        grouping: GroupingPolicy = GroupingPolicy(),
        redact: Callable[[str], str] = Redactor(),
        report_problem: ProblemReporter | None = None,
        rng: random.Random | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self._store = store
        self._notifiers = dict(notifiers)
        self._clock = clock
        self._policy = policy
        self._policies = dict(policies or {})
        self._grouping = grouping
        self._redact = redact
        self._report_problem = report_problem
        self._rng = rng or random.Random()
        self._should_stop = should_stop
        self._reconciled = False
        self._unchecked = PersistingFailures(log)  # a destination down for hours: a line an hour, not a round

    def deliver_due(self, page: int = 100) -> DeliveryReport:
        """Reconcile what a crash left unfinished (once), then deliver every due alert, ``page`` at a time,
        until a stop is requested (what is left waits in the outbox for the next start)."""
        report = DeliveryReport()
        if not self._reconciled:
            self._reconciled = self._reconcile(report)
        after_id = 0
        try:
            while not self._should_stop() and (due := self._store.due_alerts(self._policy.max_delay, page, after_id)):
                self._deliver_page(due, report)
                after_id = due[-1].id
        except Exception:
            # A write that failed after a send (a full disk) leaves its delivery attempting, as a crash would;
            # without this it stayed so, never retried nor recorded as sent, until the listener restarted.
            self._reconciled = False
            raise
        return report

    def _deliver_page(self, due_alerts: list[StoredAlert], report: DeliveryReport) -> None:
        """Deliver a page of due alerts, each channel's on a thread of its own: a channel whose server never
        answers holds only its own alerts for its timeout, not the other channels' (the store serialises the
        writes)."""
        now = self._clock()
        by_channel: dict[str, list[StoredAlert]] = {}
        for stored in due_alerts:
            by_channel.setdefault(stored.alert.channel, []).append(stored)
        with ThreadPoolExecutor(max_workers=len(by_channel), thread_name_prefix="deliver") as pool:
            rounds = [pool.submit(self._deliver_channel, channel, due, now) for channel, due in by_channel.items()]
        for done in rounds:
            part = done.result()  # a channel's error (a write failing) is raised once every channel is done
            for name in (f.name for f in fields(report)):
                setattr(report, name, getattr(report, name) + getattr(part, name))

    def _deliver_channel(self, channel: str, due: list[StoredAlert], now: datetime) -> DeliveryReport:
        """Deliver ``channel``'s due alerts in order, until one fails (the rest waits behind its retry)."""
        report = DeliveryReport()
        policy = self._policies.get(channel, ChannelPolicy())
        due = self._hold_in_quiet_hours(channel, due, policy, now, report)
        if policy.grouping:
            due = self._attach_to_groups(channel, due, now)
        for plan in self._plan(channel, due, policy, now):
            if self._should_stop() or not self._send(channel, plan, report):
                break  # a stop, or the channel is failing: the rest waits behind this retry, in order
        return report

    # -- the stages ---------------------------------------------------------------------------

    def _hold_in_quiet_hours(self, channel: str, due: list[StoredAlert], policy: ChannelPolicy, now: datetime,
                             report: DeliveryReport) -> list[StoredAlert]:
        if policy.quiet_hours is None:
            return due
        held = [stored for stored in due if policy.quiet_hours.holds(now, stored.alert.severity)]
        if held:
            self._store.hold(stored.id for stored in held)
            report.held += len(held)
            log.info("alerts held for the digest", extra={"channel": channel, "alerts": _ids(held),
                                                          "reason": "quiet hours"})
        return [stored for stored in due if stored not in held]

    def _attach_to_groups(self, channel: str, due: list[StoredAlert], now: datetime) -> list[StoredAlert]:
        """Make each alert whose group the channel heard of within the window a follow-up of that message."""
        if self._grouping.window <= timedelta(0):
            return due
        leads: dict[str, int] = {}
        attached = []
        for stored in due:
            group = stored.alert.group
            if stored.lead_id is None and group is not None:
                lead_id = leads.get(group)
                if lead_id is None:
                    lead = self._store.group_lead(channel, group, self._lead_since(group, now))
                    lead_id = lead.id if lead is not None else None
                if lead_id is None:
                    leads[group] = stored.id
                else:
                    self._store.attach_to_lead(stored.id, lead_id)
                    stored = replace(stored, lead_id=lead_id)
            attached.append(stored)
        return attached

    def _lead_since(self, group: str, now: datetime) -> datetime:
        """Since when a message of ``group`` leads its later alerts: the grouping window, or, for an incident,
        ever (an incident's growth goes to its first message's thread however long the incident lasts)."""
        return _EVER if INCIDENT_GROUP_MARK in group else now - self._grouping.window

    def _plan(self, channel: str, due: list[StoredAlert], policy: ChannelPolicy, now: datetime) -> list[_Plan]:
        """The messages to send now: singles and follow-ups, then whatever is over the rate limit as one."""
        followers: dict[int, list[StoredAlert]] = {}
        plans = []
        for stored in due:
            if stored.lead_id is None:
                plans.append(_Plan([stored], stored.alert.key))
            else:
                followers.setdefault(stored.lead_id, []).append(stored)
        for lead_id, group in followers.items():
            plan = self._follow_up(lead_id, group, now)
            if plan is not None:
                plans.append(plan)
        plans.sort(key=lambda plan: plan.alerts[0].id)
        if policy.rate_limit_per_minute is None:
            return plans
        budget = policy.rate_limit_per_minute - self._store.messages_since(channel, now - RATE_WINDOW)
        if len(plans) <= budget:
            return plans
        if budget <= 0:
            log.info("channel rate limit reached", extra={"channel": channel, "waiting": len(due)})
            return []
        # The most severe go on their own; the rest are batched, most severe first (the batch's lead).
        by_urgency = sorted(plans, key=lambda plan: (-max(_urgency(stored) for stored in plan.alerts), plan.alerts[0].id))
        kept = sorted(by_urgency[: budget - 1], key=lambda plan: plan.alerts[0].id)
        batched = sorted((stored for plan in by_urgency[budget - 1:] for stored in plan.alerts),
                         key=lambda stored: (-_urgency(stored), stored.id))
        log.info("alerts batched by rate limit", extra={"channel": channel, "alerts": _ids(batched)})
        return [*kept, _Plan(batched, f"batch:{channel}:{batched[0].id}:{len(batched)}", batched=True)]

    def _follow_up(self, lead_id: int, group: list[StoredAlert], now: datetime) -> _Plan | None:
        """One follow-up message for ``group`` once the lead's last message is an interval old."""
        lead = self._store.alert(lead_id)
        key = f"followup:{lead_id}:{group[0].id}"
        if lead is None or lead.status not in ("sent", "pending", "sending"):
            return _Plan(group, key)  # nothing to follow up: the lead was held or failed
        last = self._store.last_message_about(lead_id)
        # A last message later than now was timed on a clock since set back: it holds nothing back.
        if lead.status != "sent" or last is None or timedelta(0) <= now - last < self._grouping.interval:
            return None
        return _Plan(group, key, thread=lead.delivery_ref, lead_id=lead_id)

    def _send(self, channel: str, plan: _Plan, report: DeliveryReport) -> bool:
        """Send one planned message; returns ``False`` when it failed and will be retried."""
        messages = [AlertMessage(stored.id, stored.alert, self._mention(stored)) for stored in plan.alerts]
        message = replace(messages[0], key=plan.key, more=tuple(messages[1:]), thread=plan.thread,
                          batched=plan.batched)
        delivery = self._store.begin_delivery(plan.key, channel, _ids(plan.alerts), plan.lead_id)
        notifier = self._notifiers.get(channel)
        try:
            if notifier is None:
                raise DeliveryError(f"no channel named {channel!r} is configured", retryable=False)
            reference = notifier.send(message)
        except Exception as error:  # a notifier bug must not stop the other channels
            failure = error if isinstance(error, DeliveryError) else DeliveryError(
                f"unexpected {type(error).__name__}: {error}")
            found = self._arrived_anyway(notifier, plan, delivery, failure)
            if not found.found:
                return not self._failed(channel, plan, delivery, failure, report)
            reference = found.ref
        self._store.finish_delivery(delivery.id, reference)
        report.sent += len(plan.alerts)
        log.info("alert sent", extra={"alerts": _ids(plan.alerts), "channel": channel, "key": plan.key,
                                      "mentions": [stored.alert.mention_id for stored in plan.alerts]})
        return True

    def _arrived_anyway(self, notifier: Notifier | None, plan: _Plan, delivery: Delivery,
                        error: DeliveryError) -> Lookup:
        """Look for a message whose send failed but may have arrived (the answer timed out) at its destination;
        without this its retry posted it a second time. ``found=False`` when the notifier cannot look, the
        look fails or it is not there: the send is then retried as any failure."""
        if not (error.maybe_delivered and isinstance(notifier, DeliveryLookup)):
            return Lookup(found=False)
        try:
            found = notifier.lookup(delivery.key, delivery.started_at, plan.thread)
        except DeliveryError:
            return Lookup(found=False)
        if found.found:
            log.info("timed-out send found at its destination", extra={"key": delivery.key,
                                                                       "channel": delivery.channel})
        return found

    def _failed(self, channel: str, plan: _Plan, delivery: Delivery, error: DeliveryError,
                report: DeliveryReport) -> bool:
        """Record a failed send; returns whether it will be retried."""
        reason = self._redact(str(error))
        attempts = max(stored.attempts for stored in plan.alerts) + 1
        oldest = min((stored.alert.created_at for stored in plan.alerts if stored.alert.created_at),
                     default=None)
        retry_at = self._retry_at(attempts, oldest, error)
        self._store.fail_delivery(delivery.id, reason, retry_at)
        fields = {"alerts": _ids(plan.alerts), "channel": channel, "reason": reason, "attempts": attempts}
        if retry_at is not None:
            report.retrying += len(plan.alerts)
            log.warning("alert delivery failed", extra={**fields, "retry_at": retry_at.isoformat()})
            return True
        report.given_up += len(plan.alerts)
        log.error("alert given up", extra=fields)
        if all(stored.alert.rule != "operator" for stored in plan.alerts):  # never loop on the operator channel
            self._problem("delivery-failed", channel,
                          f"gave up delivering alert(s) {', '.join(f'#{i}' for i in _ids(plan.alerts))} to "
                          f"{channel} after {attempts} attempt(s): {reason}")
        return False

    def _retry_at(self, attempts: int, created_at: datetime | None, error: DeliveryError) -> datetime | None:
        now = self._clock()
        if not error.retryable or (created_at is not None and now - created_at >= self._policy.give_up_after):
            return None
        return now + self._policy.delay(attempts, error.retry_after, self._rng)

    # -- after a crash --------------------------------------------------------------------------

    def _reconcile(self, report: DeliveryReport) -> bool:
        """Settle every message a crash left ``attempting``; returns whether all were settled."""
        settled = True
        for delivery in self._store.unfinished_deliveries():
            notifier = self._notifiers.get(delivery.channel)
            alerts = self._store.delivery_alerts(delivery.id)
            if not isinstance(notifier, DeliveryLookup):
                self._unconfirm(delivery, alerts, report, "the listener stopped while sending")
                continue
            lead = self._store.alert(delivery.lead_id) if delivery.lead_id is not None else None
            try:
                found: Lookup | None = notifier.lookup(delivery.key, delivery.started_at,
                                                       lead.delivery_ref if lead else None)
            except DeliveryError as error:
                reason = self._redact(str(error))
                if error.retryable and self._clock() - delivery.started_at < self._policy.give_up_after:
                    settled = False
                    self._unchecked.failed(delivery.key, "cannot check an unfinished delivery yet", logging.WARNING,
                                           key=delivery.key, channel=delivery.channel, reason=reason)
                    continue
                found = None
            self._unchecked.cleared(delivery.key, "unfinished delivery checked", key=delivery.key,
                                    channel=delivery.channel)
            if found is None:
                # Asking again would not help (a missing scope, a deleted channel) or has failed for the
                # give-up time: without this the alert stayed 'sending' for ever, and nobody was told.
                self._unconfirm(delivery, alerts, report, f"the listener stopped while sending, and "
                                f"{delivery.channel} cannot be asked whether it arrived ({reason})")
            elif found.found:
                self._store.finish_delivery(delivery.id, found.ref)
                report.sent += len(alerts)
                log.info("delivery confirmed after restart", extra={"key": delivery.key,
                                                                    "channel": delivery.channel})
            else:
                self._store.fail_delivery(delivery.id, "not delivered before a restart", self._clock())
                log.info("delivery retried after restart", extra={"key": delivery.key,
                                                                  "channel": delivery.channel})
        return settled

    def _unconfirm(self, delivery: Delivery, alerts: list[StoredAlert], report: DeliveryReport, why: str) -> None:
        """Mark a message whose outcome is unknown ``unconfirmed`` (not sent again) and tell the operator ``why``."""
        self._store.unconfirm_delivery(delivery.id, f"{why}; not sent again (at most once)")
        report.unconfirmed += len(alerts)
        log.error("delivery unconfirmed", extra={"key": delivery.key, "channel": delivery.channel,
                                                 "alerts": _ids(alerts), "reason": why})
        self._problem("delivery-unconfirmed", delivery.channel,
                      f"alert(s) {', '.join(f'#{i}' for i in _ids(alerts))} may or may not have reached "
                      f"{delivery.channel}: {why}. They are not sent again; "
                      f"check the channel, and see them with 'listener alerts'.")

    def _mention(self, stored: StoredAlert):
        return self._store.mention(stored.alert.mention_id) if stored.alert.mention_id else None

    def _problem(self, kind: str, subject: str, message: str) -> None:
        if self._report_problem is not None:
            self._report_problem(kind, subject, message)


def _urgency(stored: StoredAlert) -> int:
    return SEVERITIES.index(stored.alert.severity)


def _ids(alerts: Sequence[StoredAlert]) -> list[int]:
    return [stored.id for stored in alerts]
