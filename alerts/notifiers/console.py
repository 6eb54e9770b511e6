"""The console notifier: prints each alert as a short readable block on standard output."""

from __future__ import annotations

import sys
from typing import TextIO

from alerts.message import AlertSummary
from alerts.notifiers import AlertMessage


def _printable(text: str) -> str:
    """The text with control characters (terminal escape sequences included) made visible."""
    return "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in text)


ACK_COMMAND = "listener ack"


def _item(other: AlertSummary, batch: bool) -> str:
    """One more alert a message carries: in a batch its severity, title and id too (they differ)."""
    what = f"[{other.severity}] {other.title} (#{other.alert_id}) · " if batch else ""
    return what + (f"{other.author}: {other.text}" if other.has_post else "; ".join(other.reasons))


class ConsoleNotifier:
    """Writes alerts to a terminal (or any text stream). ``ack_command`` is the command it prints to
    acknowledge one, as it works in the shell the listener was started from (``listener ack --demo``)."""

    def __init__(self, name: str = "console", stream: TextIO | None = None, *, ack_command: str = ACK_COMMAND) -> None:
        self.name = name
        self._stream = stream
        self._ack_command = ack_command

    def send(self, message: AlertMessage) -> str | None:
        """Print ``message``; nothing to refer back to, so returns ``None``."""
        summary = AlertSummary.of(message)
        stream = self._stream or sys.stdout
        reach = f"{summary.reach:,} {summary.reach_label}" if summary.reach is not None else "reach unknown"
        score = f"complaint {summary.complaint_prob:.0%}" if summary.complaint_prob is not None else ""
        lines = [f"[ALERT #{summary.alert_id} {summary.severity.upper()}] {_printable(summary.headline)}"]
        if summary.has_post:
            lines += [f"  {_printable(summary.author)} · {reach} · {summary.source} · {summary.posted} · {summary.lang} · "
                      f"{summary.sentiment} {score}",
                      f"  “{_printable(summary.text)}”"]
        lines.append(f"  {'why: ' if summary.has_post else ''}{_printable('; '.join(summary.reasons))}")
        if summary.url:
            lines.append(f"  {_printable(summary.url)}")
        if summary.more:
            lines.append(f"  +{len(summary.more)} more:")
            lines += [f"  - {_printable(_item(other, batch=summary.thread is None))}" for other in summary.more]
        lines.append(f"  acknowledge: {self._ack_command} {summary.alert_id}")
        stream.write("\n".join(lines) + "\n")
        stream.flush()
        return None
