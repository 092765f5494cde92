"""Min plan's icons, drawn here with nothing but zlib and struct: our own work, no third-party art.

A white sheet with a ticked line and two more lines, on the app's blue. Shapes
are signed distance functions, so edges are smooth at any size.

    python -m patient_app.pwa_icons        # writes patient_app/static/icons/*.png

The generated PNGs are committed; tests/views/test_pwa.py checks their sizes.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

ICONS = Path(__file__).resolve().parent / "static" / "icons"

BLUE = (0x0B, 0x53, 0x94)
WHITE = (0xFF, 0xFF, 0xFF)


# --- Shapes: signed distance (negative inside), in units of the icon's side --------------


def rounded_rect(x, y, cx, cy, half_w, half_h, radius):
    qx = abs(x - cx) - half_w + radius
    qy = abs(y - cy) - half_h + radius
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


def capsule(x, y, ax, ay, bx, by, radius):
    abx, aby = bx - ax, by - ay
    t = max(0.0, min(1.0, ((x - ax) * abx + (y - ay) * aby) / (abx * abx + aby * aby)))
    return math.hypot(x - ax - abx * t, y - ay - aby * t) - radius


def glyph_holes(x, y):
    """The ticked first line and two plain lines, cut out of the sheet."""
    tick = min(
        capsule(x, y, 0.300, 0.385, 0.328, 0.413, 0.019),
        capsule(x, y, 0.328, 0.413, 0.378, 0.352, 0.019),
    )
    lines = min(
        capsule(x, y, 0.44, 0.385, 0.665, 0.385, 0.024),
        capsule(x, y, 0.335, 0.505, 0.665, 0.505, 0.024),
        capsule(x, y, 0.335, 0.625, 0.585, 0.625, 0.024),
    )
    return min(tick, lines)


def sheet(x, y):
    return rounded_rect(x, y, 0.5, 0.505, 0.255, 0.305, 0.045)


# --- Drawing ---------------------------------------------------------------------


def coverage(distance, pixel):
    return max(0.0, min(1.0, 0.5 - distance / pixel))


def draw(size: int, *, maskable: bool = False, badge: bool = False) -> bytes:
    """RGBA rows for one icon.

    maskable: full-bleed blue, glyph inside the central safe circle (80 %).
    badge: white glyph on transparent (Android shows only the alpha).
    """
    pixel = 1.0 / size
    scale = 0.78 if maskable else 1.0
    rows = []
    for j in range(size):
        row = bytearray()
        for i in range(size):
            u, v = (i + 0.5) * pixel, (j + 0.5) * pixel
            # The glyph is drawn in its own coordinates, scaled about the centre.
            x, y = 0.5 + (u - 0.5) / scale, 0.5 + (v - 0.5) / scale
            glyph_pixel = pixel / scale
            paper = coverage(sheet(x, y), glyph_pixel)
            ink = coverage(glyph_holes(x, y), glyph_pixel)
            if badge:
                alpha = paper * (1.0 - ink)
                row += bytes((255, 255, 255, round(alpha * 255)))
                continue
            background = 1.0 if maskable else coverage(rounded_rect(u, v, 0.5, 0.5, 0.5, 0.5, 0.2), pixel)
            white = paper * (1.0 - ink)
            colour = [BLUE[k] * (1.0 - white) + WHITE[k] * white for k in range(3)]
            alpha = max(background, white)
            row += bytes((*(round(c) for c in colour), round(alpha * 255)))
        rows.append(bytes(row))
    return png(size, size, rows)


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    """A minimal PNG: 8-bit RGBA, no filtering, one IDAT."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


ICON_SET = {
    "icon-192.png": dict(size=192),
    "icon-512.png": dict(size=512),
    "maskable-192.png": dict(size=192, maskable=True),
    "maskable-512.png": dict(size=512, maskable=True),
    # iOS rounds the corners itself and shows transparency as black: full bleed.
    "apple-touch-icon.png": dict(size=180, maskable=True),
    "badge-96.png": dict(size=96, badge=True),
}


def write_all(folder: Path = ICONS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, options in ICON_SET.items():
        options = dict(options)
        path = folder / name
        path.write_bytes(draw(options.pop("size"), **options))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}: {path.stat().st_size} bytes")
