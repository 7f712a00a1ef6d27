"""Original flat illustrations for the demo catalogue, drawn with Pillow.

Every picture is built from a handful of simple shapes in the brand palette so that it stays
small after re-encoding to WebP. Shapes are drawn at twice the target size and scaled down,
which gives smooth edges without any font files or external imagery.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

TEAL = (15, 76, 92)  # #0f4c5c
SAND = (233, 216, 166)  # #e9d8a6
OFF_WHITE = (251, 248, 241)  # #fbf8f1
GREEN = (95, 139, 110)  # #5f8b6e
AMBER = (201, 130, 43)  # #c9822b

SQUARE = (1200, 1200)
COVER = (1200, 675)
_SCALE = 2  # supersampling factor


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _canvas(
    size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int], bands: int = 8
) -> tuple[Image.Image, ImageDraw.ImageDraw, int, int]:
    """A calm vertical gradient made of a few soft bands (cheap to compress)."""
    w, h = size[0] * _SCALE, size[1] * _SCALE
    img = Image.new("RGB", (w, h), top)
    draw = ImageDraw.Draw(img)
    band_h = math.ceil(h / bands)
    for i in range(bands):
        colour = _mix(top, bottom, i / max(bands - 1, 1))
        draw.rectangle((0, i * band_h, w, (i + 1) * band_h), fill=colour)
    return img, draw, w, h


def _leaf(
    img: Image.Image,
    centre: tuple[float, float],
    length: int,
    angle_deg: float,
    colour: tuple[int, int, int],
) -> None:
    """Paste a flat leaf (a rotated ellipse) centred on *centre*."""
    mask = Image.new("L", (length, length * 3 // 7), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, mask.width - 1, mask.height - 1), fill=255)
    mask = mask.rotate(angle_deg, expand=True, resample=Image.Resampling.BICUBIC)
    box = (int(centre[0] - mask.width / 2), int(centre[1] - mask.height / 2))
    img.paste(colour, box + (box[0] + mask.width, box[1] + mask.height), mask)


def _finish(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    return img.resize(size, Image.Resampling.LANCZOS)


def _jar() -> Image.Image:
    img, d, w, h = _canvas(SQUARE, OFF_WHITE, SAND, bands=12)
    cx = w // 2
    # soft shadow
    d.ellipse((cx - 620, h - 640, cx + 620, h - 440), fill=_mix(SAND, TEAL, 0.18))
    # jar body
    body = (cx - 560, 1000, cx + 560, h - 540)
    d.rounded_rectangle(body, radius=150, fill=SAND, outline=TEAL, width=16)
    # lid
    d.rounded_rectangle((cx - 600, 700, cx + 600, 1020), radius=70, fill=TEAL)
    for x in range(cx - 520, cx + 521, 80):
        d.line((x, 740, x, 980), fill=_mix(TEAL, OFF_WHITE, 0.15), width=10)
    # label
    label = (cx - 460, 1260, cx + 460, 1880)
    d.rounded_rectangle(label, radius=40, fill=OFF_WHITE, outline=AMBER, width=10)
    # little crown mark above the word mark
    crown = [
        (cx - 110, 1470),
        (cx - 110, 1370),
        (cx - 55, 1420),
        (cx, 1340),
        (cx + 55, 1420),
        (cx + 110, 1370),
        (cx + 110, 1470),
    ]
    d.polygon(crown, fill=AMBER)
    font = ImageFont.load_default(size=100)
    text = "ROYAL WARRIOR+"
    left, top, right, bottom = d.textbbox((0, 0), text, font=font)
    d.text((cx - (right - left) // 2 - left, 1560 - top), text, font=font, fill=TEAL)
    small = ImageFont.load_default(size=64)
    sub = "MAGNESIUM CREAM"
    left, top, right, bottom = d.textbbox((0, 0), sub, font=small)
    d.text((cx - (right - left) // 2 - left, 1740 - top), sub, font=small, fill=GREEN)
    return _finish(img, SQUARE)


def _texture() -> Image.Image:
    img, d, w, h = _canvas(SQUARE, SAND, _mix(SAND, OFF_WHITE, 0.6))
    cx, cy = w // 2, h // 2
    # a soft dollop of cream drawn as a thick spiral ribbon
    d.ellipse((cx - 900, cy - 820, cx + 900, cy + 880), fill=OFF_WHITE)
    points = []
    turns = 3.2
    steps = 420
    for i in range(steps):
        t = i / (steps - 1)
        angle = t * turns * 2 * math.pi
        radius = 60 + 720 * t
        points.append((cx + radius * math.cos(angle), cy + 30 + radius * 0.9 * math.sin(angle)))
    d.line(points, fill=_mix(OFF_WHITE, SAND, 0.55), width=70, joint="curve")
    d.line(points, fill=_mix(OFF_WHITE, AMBER, 0.25), width=18, joint="curve")
    # a peak in the centre
    d.ellipse((cx - 90, cy - 60, cx + 90, cy + 120), fill=OFF_WHITE)
    # a few droplets of oil
    for x, y, r in ((380, 420, 46), (1980, 560, 36), (2080, 1900, 52), (420, 2000, 40)):
        d.ellipse((x - r, y - r, x + r, y + r), fill=GREEN)
    return _finish(img, SQUARE)


def _cover_back() -> Image.Image:
    """A stylised spine as a gentle curve of rounded vertebrae."""
    img, d, w, h = _canvas(COVER, _mix(TEAL, OFF_WHITE, 0.85), SAND)
    d.ellipse((w - 900, -300, w + 300, 900), fill=_mix(SAND, OFF_WHITE, 0.5))
    n = 11
    for i in range(n):
        t = i / (n - 1)
        y = 130 + t * (h - 260)
        x = w * 0.42 + 150 * math.sin(t * math.pi * 1.2 - 0.4)
        vw = 300 - 70 * abs(t - 0.6)
        vh = 72
        d.rounded_rectangle((x - vw / 2, y - vh / 2, x + vw / 2, y + vh / 2), radius=34, fill=TEAL)
        if i < n - 1:
            d.ellipse((x - 50, y + vh / 2 - 4, x + 50, y + vh / 2 + 40), fill=AMBER)
    # a small sprig: plants are where most dietary magnesium comes from
    d.line((w * 0.74, h * 0.86, w * 0.80, h * 0.30), fill=GREEN, width=14)
    _leaf(img, (w * 0.72, h * 0.56), 360, 35, GREEN)
    _leaf(img, (w * 0.86, h * 0.44), 360, -30, _mix(GREEN, TEAL, 0.35))
    _leaf(img, (w * 0.73, h * 0.34), 300, 50, _mix(GREEN, TEAL, 0.35))
    return _finish(img, COVER)


def _bone(d: ImageDraw.ImageDraw, x0: float, y0: float, x1: float, y1: float, r: float) -> None:
    """A horizontal cartoon bone between (x0, y0) and (x1, y1)."""
    d.rounded_rectangle((x0, y0 - r * 0.55, x1, y0 + r * 0.55), radius=r * 0.5, fill=OFF_WHITE)
    for x in (x0, x1):
        d.ellipse((x - r, y0 - r * 1.45, x + r * 0.6, y0 + r * 0.15), fill=OFF_WHITE)
        d.ellipse((x - r, y0 - r * 0.15, x + r * 0.6, y0 + r * 1.45), fill=OFF_WHITE)


def _cover_bones() -> Image.Image:
    """A sun rising over a stylised bone on a calm horizon."""
    img, d, w, h = _canvas(COVER, SAND, _mix(SAND, AMBER, 0.35))
    sx, sy = w * 0.5, h * 0.48
    for k in range(12):
        a = k * math.pi / 6
        d.line(
            (
                sx + 330 * math.cos(a),
                sy + 330 * math.sin(a),
                sx + 470 * math.cos(a),
                sy + 470 * math.sin(a),
            ),
            fill=AMBER,
            width=26,
        )
    d.ellipse((sx - 260, sy - 260, sx + 260, sy + 260), fill=AMBER)
    d.rectangle((0, h * 0.66, w, h), fill=TEAL)
    d.ellipse((-300, h * 0.58, w * 0.55, h * 1.2), fill=_mix(TEAL, GREEN, 0.45))
    _bone(d, w * 0.34, h * 0.80, w * 0.66, h * 0.80, 70)
    return _finish(img, COVER)


def _cover_food() -> Image.Image:
    """Leafy greens, a bowl and a scatter of seeds."""
    img, d, w, h = _canvas(COVER, OFF_WHITE, _mix(SAND, OFF_WHITE, 0.3))
    cx, cy = w * 0.5, h * 0.62
    # leaves fanning out behind the bowl
    for k, colour in enumerate((GREEN, _mix(GREEN, TEAL, 0.4), GREEN, _mix(GREEN, TEAL, 0.4))):
        a = math.radians(-150 + k * 40)
        centre = (cx + 420 * math.cos(a), cy - 40 + 420 * math.sin(a))
        _leaf(img, centre, 560, -math.degrees(a), colour)
    # bowl
    d.chord((cx - 520, cy - 330, cx + 520, cy + 330), start=0, end=180, fill=TEAL)
    d.rectangle((cx - 540, cy - 24, cx + 540, cy + 24), fill=_mix(TEAL, OFF_WHITE, 0.2))
    # seeds
    seeds = [
        (300, 1100),
        (420, 1180),
        (560, 1120),
        (1860, 1110),
        (1990, 1190),
        (2120, 1100),
        (240, 1230),
        (2200, 1230),
        (660, 1220),
        (1760, 1230),
    ]
    for x, y in seeds:
        d.ellipse((x - 34, y - 20, x + 34, y + 20), fill=AMBER)
    return _finish(img, COVER)


_DRAWERS: dict[str, Callable[[], Image.Image]] = {
    "royal-warrior-jar": _jar,
    "royal-warrior-texture": _texture,
    "cover-magnesium-for-back-pain": _cover_back,
    "cover-magnesium-vitamin-d-and-bones": _cover_bones,
    "cover-how-to-get-more-magnesium": _cover_food,
}

KEYS: list[str] = list(_DRAWERS)


def draw(key: str) -> Image.Image:
    """Return the RGB illustration for *key* (1200x1200 products, 1200x675 covers)."""
    try:
        drawer = _DRAWERS[key]
    except KeyError:
        raise KeyError(f"unknown artwork key: {key!r}") from None
    return drawer().convert("RGB")
