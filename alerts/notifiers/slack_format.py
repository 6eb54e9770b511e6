"""Slack message formatting: untrusted text made inert, and the Block Kit layout of an alert.

Slack's docs ("Formatting text for app surfaces") say ``&``, ``<`` and ``>`` must be escaped as
``&amp;``, ``&lt;`` and ``&gt;``; with them escaped, ``<!channel>``, ``<@U123>``, ``<!subteam^…>`` and
``<http://evil|your bank>`` are shown as typed and do nothing. Bare ``@channel``/``@here``/``@everyone``
get a word joiner after the ``@`` so no client or legacy ``link_names`` parsing turns them into pings,
and a code fence cannot swallow the rest of the message. Texts are cut to Block Kit's limits after
escaping, never inside an entity.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from alerts.message import AlertSummary

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
FALLBACK_LIMIT = 3000
PLAIN_POST_LIMIT = 1500
MORE_SHOWN = 10
WORD_JOINER = "\u2060"
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_SEVERITY_EMOJI = {"low": ":white_circle:", "normal": ":large_blue_circle:", "high": ":large_orange_circle:",
                   "critical": ":red_circle:"}


def escape(text: str) -> str:
    """``text`` made inert for Slack mrkdwn: no pings, no links, no broken markup."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _BROADCAST.sub(lambda match: f"@{WORD_JOINER}{match.group(1)}", text)
    return text.replace("```", "`\u200b`\u200b`")


def fit(text: str, limit: int) -> str:
    """``escape(text)``, cut with an ellipsis so that it is at most ``limit`` characters long."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    keep = min(len(text), limit - 1)
    while keep > 0 and len(escape(text[:keep])) > limit - 1:
        excess = len(escape(text[:keep])) - (limit - 1)
        keep -= -(-excess // 5)  # an escaped character is at most five long ("&amp;")
    return escape(text[:keep]) + "…"


def link(url: str | None, label: str) -> str:
    """A Slack link to an http(s) ``url`` labelled ``label``, or the escaped label without a link."""
    if not url or not re.match(r"https?://", url, re.IGNORECASE):
        return escape(label)
    safe_url = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{safe_url}|{escape(label)}>"


def quote(text: str, limit: int = SECTION_LIMIT) -> str:
    """The post's text as a Slack block quote, escaped and within ``limit``."""
    # Each line gets a ">": a body of n characters has at most n + 1 lines, hence the half for many lines.
    body = fit(text, max(limit - text.count("\n") - 1, (limit - 1) // 2))
    return "\n".join(f">{line}" for line in body.split("\n"))


def fallback_text(summary: AlertSummary) -> str:
    """The notification text (shown in pushes and by clients without Block Kit)."""
    detail = summary.text if summary.has_post else "; ".join(summary.reasons)
    return fit(f"[{summary.severity}] {summary.headline}: {detail}", FALLBACK_LIMIT)


def blocks(summary: AlertSummary, ack_reaction: str | None) -> list[dict[str, Any]]:
    """The Block Kit blocks of one alert message."""
    emoji = _SEVERITY_EMOJI.get(summary.severity, "")
    result = [_section(f"{emoji} *{fit(summary.headline, 200)}*")]
    if summary.has_post:
        result += _post(summary)
    else:  # an operator notice: what happened, no post to quote
        result.append(_section(fit("; ".join(summary.reasons), SECTION_LIMIT)))
    if summary.more:
        result.append(_section(_more(summary)))
    result.append({"type": "context", "elements": [_mrkdwn(_ack_hint(summary, ack_reaction))]})
    return result


def plain_text(summary: AlertSummary, ack_reaction: str | None) -> str:
    """The alert as one mrkdwn text without blocks, for a message whose blocks Slack refused
    (``invalid_blocks``, ``msg_too_long``): the same post, reach, reasons and way to acknowledge."""
    emoji = _SEVERITY_EMOJI.get(summary.severity, "")
    lines = [f"{emoji} *{fit(summary.headline, 200)}*"]
    if summary.has_post:
        source = link(summary.url, summary.source or "post")
        lines += [quote(summary.text, PLAIN_POST_LIMIT),
                  f"{fit(summary.author, 300)} · reach {_reach(summary)} · {source} · {summary.posted} · "
                  f"{fit(summary.lang, 20)} · {_scores(summary)} · {summary.severity}",
                  f"*Why flagged:* {fit('; '.join(summary.reasons), PLAIN_POST_LIMIT)}"]
    else:
        lines.append(fit("; ".join(summary.reasons), PLAIN_POST_LIMIT))
    if summary.more:
        lines.append(_more(summary))
    return "\n".join([*lines, _ack_hint(summary, ack_reaction)])


def _more(summary: AlertSummary) -> str:
    """The further alerts a message carries, as many as fit in a section."""
    lines = [f"• {_item(other, batch=summary.thread is None)}" for other in summary.more[:MORE_SHOWN]]
    return fit_lines(f"*+{len(summary.more)} more:*", lines, len(summary.more))


def _ack_hint(summary: AlertSummary, ack_reaction: str | None) -> str:
    hint = f"React with :{ack_reaction}: to acknowledge, or run " if ack_reaction else "Acknowledge with "
    return f"{hint}`listener ack {summary.alert_id}` · alert #{summary.alert_id}"


def _reach(summary: AlertSummary) -> str:
    return f"{summary.reach:,} {summary.reach_label}" if summary.reach is not None else "unknown"


def _scores(summary: AlertSummary) -> str:
    score = f"{summary.complaint_prob:.0%}" if summary.complaint_prob is not None else "?"
    return f"complaint {score} · {fit(summary.sentiment, 20)}"


def _post(summary: AlertSummary) -> list[dict[str, Any]]:
    """The blocks that show the post: its text quoted, who wrote it where and when, and why it was flagged."""
    return [
        _section(quote(summary.text)),
        {"type": "section", "fields": [
            _mrkdwn(f"*Author*\n{fit(summary.author, 300)}"),
            _mrkdwn(f"*Reach*\n{_reach(summary)}"),
            _mrkdwn(f"*Source*\n{link(summary.url, summary.source or 'post')}"),
            _mrkdwn(f"*Posted*\n{_local_time(summary)}"),
            _mrkdwn(f"*Language*\n{fit(summary.lang, 20)}"),
            _mrkdwn(f"*Scores*\n{_scores(summary)}"),
            _mrkdwn(f"*Severity*\n{summary.severity}"),
        ]},
        _section(f"*Why flagged:* {fit('; '.join(summary.reasons), SECTION_LIMIT - 20)}"),
    ]


def _item(other: AlertSummary, batch: bool) -> str:
    """One more alert a message carries: in a batch its severity and title too (they differ)."""
    what = f"*{other.severity}* {fit(other.title, 150)} (#{other.alert_id}) · " if batch else ""
    if not other.has_post:
        return what + fit("; ".join(other.reasons), 200)
    return f"{what}{fit(other.author, 100)}: {fit(other.text, 200)}"


def _local_time(summary: AlertSummary) -> str:
    """When the post was written, which Slack shows in each reader's own time zone (UTC as fallback)."""
    if not summary.posted_at:
        return "unknown"
    epoch = int(datetime.fromisoformat(summary.posted_at).timestamp())
    return f"<!date^{epoch}^{{date_short_pretty}} {{time}}|{summary.posted}>"


def fit_lines(title: str, lines: list[str], total: int) -> str:
    """``title`` and as many already-escaped ``lines`` (of ``total``) as fit in one section, then a line
    saying how many are not shown, for which room is kept."""
    shown = list(lines)
    while True:
        rest = total - len(shown)
        tail = [f"… and {rest} more (see `listener alerts`)"] if rest else []
        text = "\n".join([title, *shown, *tail])
        if len(text) <= SECTION_LIMIT or not shown:
            return text
        shown.pop()


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text, SECTION_LIMIT)}


def _mrkdwn(text: str, limit: int = FIELD_LIMIT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text[:limit]}
