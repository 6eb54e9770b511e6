"""Bar charts of mentions (pale) with the complaints among them drawn over them: SVG and PNG.

The standalone page embeds SVG. Mail clients such as Gmail strip inline SVG, so the email carries the
same chart as a PNG attached inline (``cid:``), drawn here with a tiny digit font: two bar charts are a
few dozen rectangles, which does not justify an imaging library. Both formats share one layout.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

MENTIONS_COLOUR = "#9ecae1"
COMPLAINTS_COLOUR = "#c0392b"
GRID_COLOUR = "#dddddd"
TEXT_COLOUR = "#666666"
WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 24, 28

# 3×5 pixel digits, one string of 15 bits per digit, read row by row.
DIGITS = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111", "3": "111001111001111",
    "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001001001001",
    "8": "111101111101111", "9": "111101111001111",
}
DIGIT_SCALE = 2


@dataclass(frozen=True)
class ChartBar:
    """One bar: its label, a digits-only tick for the PNG axis, all mentions, and the complaints among them."""

    label: str
    tick: str
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


@dataclass(frozen=True)
class _Layout:
    """Where the bars, grid lines and labels of one chart go, in pixels from the top left."""

    bars: Sequence[ChartBar]
    label_every: int

    @property
    def top(self) -> int:
        return _nice_ceiling(max((bar.mentions for bar in self.bars), default=0))

    def y(self, value: int) -> float:
        plot_h = HEIGHT - TOP - BOTTOM
        return TOP + plot_h - plot_h * value / self.top

    def grid(self) -> list[int]:
        return [0, self.top // 2, self.top] if self.top > 1 else [0, self.top]

    def slot(self) -> float:
        return (WIDTH - LEFT - RIGHT) / max(len(self.bars), 1)

    def bar_x(self, index: int) -> tuple[float, float]:
        """Left edge and width of bar ``index``."""
        width = max(self.slot() * 0.7, 1)
        return LEFT + index * self.slot() + (self.slot() - width) / 2, width

    def labelled(self, index: int) -> bool:
        return index % self.label_every == 0


def bar_chart_svg(bars: Sequence[ChartBar], title: str, *, label_every: int = 1) -> Markup:
    """An SVG bar chart of ``bars``; ``label_every`` thins the axis labels when there are many bars.

    Example::

        >>> svg = bar_chart_svg([ChartBar("09", "09", 12, 3), ChartBar("10", "10", 20, 9)], "Per hour")
        >>> svg.startswith("<svg")
        True
    """
    layout = _Layout(bars, label_every)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" style="max-width:100%;height:auto;font-family:sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="14" font-size="12" fill="#333">{escape(title)}</text>',
    ]
    for value in layout.grid():
        y = layout.y(value)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end" '
                     f'fill="{TEXT_COLOUR}">{value}</text>')
    for index, bar in enumerate(bars):
        x, width = layout.bar_x(index)
        for value, colour, what in ((bar.mentions, MENTIONS_COLOUR, "mentions"),
                                    (bar.complaints, COMPLAINTS_COLOUR, "complaints")):
            if value:
                parts.append(f'<rect x="{x:.1f}" y="{layout.y(value):.1f}" width="{width:.1f}" '
                             f'height="{layout.y(0) - layout.y(value):.1f}" fill="{colour}">'
                             f"<title>{escape(bar.label)}: {value} {what}</title></rect>")
        if layout.labelled(index):
            parts.append(f'<text x="{x + width / 2:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" '
                         f'text-anchor="middle" fill="{TEXT_COLOUR}">{escape(bar.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


class _Canvas:
    """An RGB pixel buffer that fills rectangles, writes digits and encodes itself as PNG."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(b"\xff" * (width * height * 3))

    def fill(self, x0: float, y0: float, x1: float, y1: float, colour: str) -> None:
        rgb = bytes.fromhex(colour.lstrip("#"))
        left, right = max(round(x0), 0), min(round(x1), self.width)
        for row in range(max(round(y0), 0), min(round(y1), self.height)):
            start = (row * self.width + left) * 3
            self.pixels[start:start + (right - left) * 3] = rgb * (right - left)

    def digits(self, text: str, x: float, y: float, colour: str, anchor: str = "middle") -> None:
        """Write the digits of ``text`` with their top at ``y``, centred on ``x`` or ending at it."""
        glyph_w = 4 * DIGIT_SCALE
        shown = [ch for ch in text if ch in DIGITS]
        left = x - len(shown) * glyph_w / (2 if anchor == "middle" else 1)
        for n, ch in enumerate(shown):
            for bit, on in enumerate(DIGITS[ch]):
                if on == "1":
                    px, py = left + n * glyph_w + (bit % 3) * DIGIT_SCALE, y + (bit // 3) * DIGIT_SCALE
                    self.fill(px, py, px + DIGIT_SCALE, py + DIGIT_SCALE, colour)

    def png(self) -> bytes:
        stride = self.width * 3
        raw = b"".join(b"\x00" + bytes(self.pixels[row * stride:(row + 1) * stride]) for row in range(self.height))

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def bar_chart_png(bars: Sequence[ChartBar], *, label_every: int = 1) -> bytes:
    """The same chart as :func:`bar_chart_svg` as PNG bytes, with digit ticks and no title."""
    layout = _Layout(bars, label_every)
    canvas = _Canvas(WIDTH, HEIGHT)
    for value in layout.grid():
        y = layout.y(value)
        canvas.fill(LEFT, y, WIDTH - RIGHT, y + 1, GRID_COLOUR)
        canvas.digits(str(value), LEFT - 4, y - 5, TEXT_COLOUR, anchor="end")
    for index, bar in enumerate(bars):
        x, width = layout.bar_x(index)
        for value, colour in ((bar.mentions, MENTIONS_COLOUR), (bar.complaints, COMPLAINTS_COLOUR)):
            if value:
                canvas.fill(x, layout.y(value), x + width, layout.y(0), colour)
        if layout.labelled(index):
            canvas.digits(bar.tick, x + width / 2, HEIGHT - BOTTOM + 6, TEXT_COLOUR)
    return canvas.png()
