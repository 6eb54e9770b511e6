"""The alerting side of a listener, assembled from the config: outbox, operator notices, acks, escalation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from alerts.acks import ReactionAcks
from alerts.channels import build_notifiers, build_policies, secrets_redactor
from alerts.escalation import Escalator
from alerts.notifiers.console import ACK_COMMAND
from alerts.notifiers.slack import SlackBotNotifier
from alerts.operator import OperatorNotices
from alerts.outbox import GroupingPolicy, Outbox, RetryPolicy
from alerts.rules import RuleEngine
from listener.clock import Clock, system_clock
from listener.config import Settings
from listener.store import Store


@dataclass(frozen=True)
class Alerting:
    """Everything that turns evaluated mentions into messages people act on."""

    rules: RuleEngine
    outbox: Outbox
    notices: OperatorNotices
    acks: ReactionAcks
    escalator: Escalator


def build_alerting(settings: Settings, store: Store, clock: Clock = system_clock, *,
                   should_stop: Callable[[], bool] = lambda: False, ack_command: str = ACK_COMMAND) -> Alerting:
    """Build the alerting pipeline that ``settings`` describe, on ``store``; delivery and the reading of
    reactions stop between messages once ``should_stop`` says so; a console channel prints ``ack_command``.

    Example::

        >>> alerting = build_alerting(settings, store)
        >>> alerting.outbox.deliver_due().sent
        2
    """
    config = settings.alerts
    redact = secrets_redactor(config.channels)
    notices = OperatorNotices(store, config.operator_channel, clock=clock,
                              window=timedelta(minutes=config.operator_notice_minutes), redact=redact)
    notifiers = build_notifiers(config.channels, clock, ack_command=ack_command)
    outbox = Outbox(
        store, notifiers, clock=clock,
        policy=RetryPolicy(give_up_after=timedelta(hours=config.give_up_after_hours)),
        policies=build_policies(config.channels),
        grouping=GroupingPolicy(window=timedelta(minutes=config.grouping_window_minutes),
                                interval=timedelta(minutes=config.group_interval_minutes)),
        redact=redact,
        report_problem=notices.report,
        should_stop=should_stop,
    )
    readers = {name: notifier for name, notifier in notifiers.items() if isinstance(notifier, SlackBotNotifier)}
    return Alerting(
        rules=RuleEngine(config.rules, settings.brands, ack_sla=timedelta(minutes=config.ack_sla_minutes)),
        outbox=outbox,
        notices=notices,
        acks=ReactionAcks(store, readers, clock=clock, lookback=timedelta(hours=config.ack_lookback_hours),
                          should_stop=should_stop),
        escalator=Escalator(store, config.escalation_channel),
    )
