"""Draw the app icon (static/icons/icon-192.png, icon-512.png) without an imaging library.

The icon is the SVG in static/icons/icon.svg drawn by hand: a rounded square in the site's
accent colour with a white tick. Pillow is not a dependency, so the PNGs are rasterised here
(distance to each shape, one pixel of soft edge) and written with zlib. Run it again after
changing the shapes: `.venv/bin/python scripts/make_pwa_icons.py`.
"""

import math
import struct
import zlib
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "static" / "icons"
ACCENT = (0x24, 0x59, 0xC2)  # --accent in static/css/site.css (light theme)
WHITE = (0xFF, 0xFF, 0xFF)
# Shapes on a 100-unit canvas, the same numbers as icon.svg.
CORNER_RADIUS = 22
TICK = ((27, 52), (43, 68), (74, 34))
TICK_HALF_WIDTH = 7


def _segment_distance(x: float, y: float, start, end) -> float:
    (ax, ay), (bx, by) = start, end
    dx, dy = bx - ax, by - ay
    along = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (ax + along * dx), y - (ay + along * dy))


def _rounded_square_distance(x: float, y: float) -> float:
    """Signed distance to the edge of the 100x100 rounded square (negative inside)."""
    inner = 50 - CORNER_RADIUS
    qx, qy = abs(x - 50) - inner, abs(y - 50) - inner
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - CORNER_RADIUS


def _coverage(distance: float, pixel: float) -> float:
    """How much of a pixel a shape covers, from the signed distance to its edge."""
    return max(0.0, min(1.0, 0.5 - distance / pixel))


def render(size: int) -> bytes:
    pixel = 100 / size
    rows = []
    for row in range(size):
        line = bytearray([0])  # PNG filter type 0 for each scanline
        y = (row + 0.5) * pixel
        for column in range(size):
            x = (column + 0.5) * pixel
            square = _coverage(_rounded_square_distance(x, y), pixel)
            tick_distance = min(
                _segment_distance(x, y, TICK[0], TICK[1]),
                _segment_distance(x, y, TICK[1], TICK[2]),
            )
            tick = _coverage(tick_distance - TICK_HALF_WIDTH, pixel)
            colour = [round(a + (w - a) * tick) for a, w in zip(ACCENT, WHITE, strict=True)]
            line += bytes([*colour, round(255 * square)])
        rows.append(bytes(line))
    return _png(size, b"".join(rows))


def _png(size: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    for size in (192, 512):
        path = ICONS / f"icon-{size}.png"
        path.write_bytes(render(size))
        print(f"wrote {path} ({path.stat().st_size} bytes)")
