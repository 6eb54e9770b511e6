"""Bar charts as inline SVG: mentions as pale bars with the complaints among them drawn over them.

Hand-built rather than a plotting library: two bar charts are a few dozen rectangles, and the markup
needs no fonts, scripts or remote images, so the standalone page renders the same anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

MENTIONS_COLOUR = "#9ecae1"
COMPLAINTS_COLOUR = "#c0392b"
WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 24, 28


@dataclass(frozen=True)
class ChartBar:
    """One bar: its axis label, all mentions, and how many of them were complaints."""

    label: str
    mentions: int
    complaints: int


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10ⁿ at or above ``value`` (at least 1), for a readable axis."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def bar_chart_svg(bars: Sequence[ChartBar], title: str, *, label_every: int = 1) -> Markup:
    """An SVG bar chart of ``bars``; ``label_every`` thins the axis labels when there are many bars.

    Example::

        >>> svg = bar_chart_svg([ChartBar("09", 12, 3), ChartBar("10", 20, 9)], "Mentions per hour")
        >>> svg.startswith("<svg")
        True
    """
    top = _nice_ceiling(max((bar.mentions for bar in bars), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(bars), 1)
    bar_w = max(slot * 0.7, 1)

    def y(value: int) -> float:
        return TOP + plot_h - plot_h * value / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" style="max-width:100%;height:auto;font-family:sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="14" font-size="12" fill="#333">{escape(title)}</text>',
    ]
    for value in (0, top // 2, top) if top > 1 else (0, top):
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     f'stroke="#ddd" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y(value) + 4:.1f}" font-size="10" text-anchor="end" '
                     f'fill="#666">{value}</text>')
    for index, bar in enumerate(bars):
        x = LEFT + index * slot + (slot - bar_w) / 2
        for value, colour, what in ((bar.mentions, MENTIONS_COLOUR, "mentions"),
                                    (bar.complaints, COMPLAINTS_COLOUR, "complaints")):
            if value:
                parts.append(f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar_w:.1f}" '
                             f'height="{y(0) - y(value):.1f}" fill="{colour}">'
                             f"<title>{escape(bar.label)}: {value} {what}</title></rect>")
        if index % label_every == 0:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" '
                         f'text-anchor="middle" fill="#666">{escape(bar.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
