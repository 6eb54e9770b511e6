"""Headless Chromium screenshots of a digest page, and a small PNG reader to look at their pixels."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

np = pytest.importorskip("numpy", reason="numpy reads the screenshot's pixels")

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars")


def chromium() -> str:
    """The Chromium binary, or skip the test saying how to get it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium is not installed (CI installs Debian's: apt-get install chromium)")
    return found


def screenshot(page: Path, out: Path, *, width: int = 1200, height: int = 3000) -> Path:
    """Render ``page`` in headless Chromium and save a ``width`` × ``height`` screenshot to ``out``."""
    command = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={out.parent / 'chromium-profile'}",
               f"--screenshot={out}", f"--window-size={width},{height}", page.resolve().as_uri()]
    subprocess.run(command, capture_output=True, timeout=90, check=False)
    if not out.exists():
        pytest.fail(f"chromium wrote no screenshot; command: {' '.join(command)}")
    return out


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def read_png(path: Path):
    """The pixels of an 8-bit RGB or RGBA PNG as a (height, width, 3) uint8 array."""
    data = path.read_bytes()
    position, idat = 8, b""
    while position < len(data):
        (length,), kind = struct.unpack(">I", data[position:position + 4]), data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), "only 8-bit RGB(A) screenshots are read"
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(idat)
    rows = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1)
        if kind == 0:
            row = line.copy()
        elif kind == 1:
            row = (np.cumsum(line.reshape(-1, bpp).astype(np.int64), axis=0) % 256).astype(np.uint8).ravel()
        elif kind == 2:
            row = line + previous
        else:
            row, up = bytearray(line.tobytes()), previous.tobytes()
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                corner = up[i - bpp] if i >= bpp else 0
                guess = (left + up[i]) // 2 if kind == 3 else _paeth(left, up[i], corner)
                row[i] = (row[i] + guess) & 0xFF
            row = np.frombuffer(bytes(row), np.uint8)
        rows[y] = previous = row
    return rows.reshape(height, width, bpp)[:, :, :3]


def colour_bands(image, hex_colour: str, *, gap: int = 20) -> list[tuple[int, int]]:
    """The vertical extents (top, bottom) of the groups of rows where ``hex_colour`` appears."""
    rgb = np.array(list(bytes.fromhex(hex_colour.lstrip("#"))), dtype=np.int16)
    present = np.nonzero((np.abs(image.astype(np.int16) - rgb).max(axis=2) <= 8).any(axis=1))[0]
    bands: list[tuple[int, int]] = []
    for y in present:
        if bands and y - bands[-1][1] <= gap:
            bands[-1] = (bands[-1][0], int(y))
        else:
            bands.append((int(y), int(y)))
    return bands


def non_white_share(image) -> float:
    """The share of pixels that are not (nearly) white or the page's background grey."""
    return float((image.min(axis=2) < 240).mean())
