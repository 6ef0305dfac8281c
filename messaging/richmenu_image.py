"""The rich menus' images, drawn from their definitions (messaging/richmenu.py): PNG bytes out.

Drawn by the program rather than kept as designed files, so that a button's words and its tap
area come from one place and cannot drift apart. Pillow draws; the font is Sarabun (OFL 1.1,
the package fontpkg-sarabun), a Thai government-style typeface that is also clear at a glance.

Thai needs shaping: a tone mark over an upper vowel (the ้ of หนี้) must stand above the vowel,
not on it. Pillow shapes with libraqm, which its wheels carry, but raqm needs the system's
FriBiDi library at run time (libfribidi0 on Debian); without it Pillow falls back to its basic
layout, which puts each mark where the font's default puts it. So where raqm is missing, the
basic layout is used and a tone mark that follows an upper vowel is lifted above it here
(`_draw_basic`): the one correction our labels need (tests/test_richmenu.py compares it with
raqm's placement). Labels with marks on tall consonants (ป ฝ ฟ) would need more.

Everything is drawn at twice the size and scaled down (smooth edges on the shapes, which
Pillow's ImageDraw does not antialias), then reduced to a palette of 128 colours: flat tiles
compress well and the PNG stays far under LINE's 1 MB.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import fontpkg
from PIL import Image, ImageDraw, ImageFont, features

from messaging.richmenu import MAX_IMAGE_BYTES, Button, Menu

FONT_FAMILY = "Sarabun"
FONT_WEIGHT = 700
SCALE = 2                     # drawn at twice the size, then scaled down
BACKGROUND = "#ECEFF1"
INK = "#FFFFFF"
GAP = 14                      # between tiles, in final pixels
RADIUS = 36

# Thai marks (Unicode block U+0E00): the upper vowels and the tone marks that stack above them.
UPPER_VOWELS = frozenset("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e47\u0e4d")
TONE_MARKS = frozenset("\u0e48\u0e49\u0e4a\u0e4b\u0e4c")


def raqm_available() -> bool:
    """True when Pillow can shape text with libraqm (it needs the system's FriBiDi)."""
    return bool(features.check("raqm"))


@lru_cache(maxsize=32)
def font(size: int, basic: bool = False) -> ImageFont.FreeTypeFont:
    """Sarabun Bold at `size` px; `basic` forces Pillow's basic layout (no raqm)."""
    path = fontpkg.path(FONT_FAMILY, weight=FONT_WEIGHT)
    engine = ImageFont.Layout.BASIC if basic or not raqm_available() else ImageFont.Layout.RAQM
    return ImageFont.truetype(str(path), size, layout_engine=engine)


@dataclass(frozen=True)
class Drawn:
    """One menu's image: PNG bytes and its size."""

    png: bytes
    width: int
    height: int


def draw_menu(menu: Menu, *, basic: bool = False) -> Drawn:
    """The menu's image, exactly its size, as PNG (under 1 MB)."""
    width, height = menu.width * SCALE, menu.height * SCALE
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for button in menu.buttons:
        bounds = menu.bounds(button)
        box = tuple(v * SCALE for v in (bounds.x, bounds.y, bounds.x + bounds.width, bounds.y + bounds.height))
        _draw_tile(draw, box, button, basic)  # type: ignore[arg-type]
    final = image.resize((menu.width, menu.height), Image.Resampling.LANCZOS)
    final = final.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    final.save(out, format="PNG", optimize=True)
    png = out.getvalue()
    if len(png) > MAX_IMAGE_BYTES:
        raise ValueError(f"{menu.role} menu image is {len(png):,} bytes, over LINE's 1 MB")
    return Drawn(png, menu.width, menu.height)


# ---------------------------------------------------------------- one tile

Box = tuple[int, int, int, int]


def _draw_tile(draw: ImageDraw.ImageDraw, box: Box, button: Button, basic: bool) -> None:
    gap = GAP * SCALE // 2
    x0, y0, x1, y1 = box[0] + gap, box[1] + gap, box[2] - gap, box[3] - gap
    draw.rounded_rectangle((x0, y0, x1, y1), RADIUS * SCALE, fill=button.color)
    width, height = x1 - x0, y1 - y0
    icon = ICONS[button.icon]
    if width > 1.6 * height:
        # A wide, low tile (half a row): icon on the left, words beside it.
        side = int(height * 0.56)
        cy = (y0 + y1) // 2
        label_size = _fitting_size(button.label, int(width - side - height * 0.5), int(height * 0.30), basic)
        label_width = font(label_size, basic).getlength(button.label)
        left = x0 + (width - side - height * 0.12 - label_width) / 2
        icon(draw, int(left + side / 2), cy, side, button.color)
        _draw_text(draw, (left + side + height * 0.12 + label_width / 2, cy), button.label,
                   font(label_size, basic), basic)
    else:
        # Icon above, words below; a tile wider than tall (the compact menu) has room for larger words.
        wide = width > 1.3 * height
        side = int(min(width, height) * (0.38 if wide else 0.42))
        cx = (x0 + x1) // 2
        icon(draw, cx, int(y0 + height * (0.36 if wide else 0.40)), side, button.color)
        label_size = _fitting_size(button.label, int(width * 0.88), int(height * (0.2 if wide else 0.15)), basic)
        _draw_text(draw, (cx, y0 + height * 0.78), button.label, font(label_size, basic), basic)


def _fitting_size(text: str, max_width: int, size: int, basic: bool) -> int:
    """The largest font size up to `size` at which `text` fits in `max_width`."""
    while size > 10 and font(size, basic).getlength(text) > max_width:
        size -= 2
    return size


def _draw_text(draw: ImageDraw.ImageDraw, centre: tuple[float, float], text: str,
               face: ImageFont.FreeTypeFont, basic: bool) -> None:
    """Centre `text` on `centre` (middle of its line), Thai marks placed right with or without raqm."""
    if not basic and face.layout_engine == ImageFont.Layout.RAQM:
        draw.text(centre, text, font=face, fill=INK, anchor="mm")
        return
    _draw_basic(draw, centre, text, face)


def _draw_basic(draw: ImageDraw.ImageDraw, centre: tuple[float, float], text: str,
                face: ImageFont.FreeTypeFont) -> None:
    """Pillow's basic layout, with each tone mark that follows an upper vowel lifted above that vowel.

    The marks have no advance: the text is drawn without the lifted marks, and each of them is
    drawn alone at the pen position it had in the text, higher by the overlap of its outline with
    the vowel's (measured on this font) plus a small gap.
    """
    kept: list[str] = []
    lifted: list[tuple[int, str]] = []   # (index in `kept` after which the mark stands, mark)
    for i, char in enumerate(text):
        if char in TONE_MARKS and i > 0 and text[i - 1] in UPPER_VOWELS:
            lifted.append((len(kept), char))
        else:
            kept.append(char)
    plain = "".join(kept)
    left = centre[0] - face.getlength(plain) / 2
    # The baseline that puts the middle of the line (between ascender and descender) on centre.
    ascent, descent = face.getmetrics()
    baseline = centre[1] + (ascent - descent) / 2
    draw.text((left, baseline), plain, font=face, fill=INK, anchor="ls")
    for at, mark in lifted:
        lift = _ink_rows(face, mark)[1] - _ink_rows(face, plain[at - 1])[0] + face.size * 0.04
        draw.text((left + face.getlength(plain[:at]), baseline - lift), mark, font=face, fill=INK, anchor="ls")


@lru_cache(maxsize=64)
def _ink_rows(face: ImageFont.FreeTypeFont, char: str) -> tuple[int, int]:
    """The top and bottom of a character's ink, relative to the baseline (getbbox spans the line instead)."""
    size = int(face.size) * 3
    mask = Image.new("L", (size, size))
    ImageDraw.Draw(mask).text((size // 2, size * 2 // 3), char, font=face, fill=255, anchor="ls")
    box = mask.getbbox() or (0, size * 2 // 3, 0, size * 2 // 3)
    return box[1] - size * 2 // 3, box[3] - size * 2 // 3


# ---------------------------------------------------------------- icons: white line drawings, centred on (cx, cy)

Icon = Callable[[ImageDraw.ImageDraw, int, int, int, str], None]


def _stroke(side: int) -> int:
    return max(4, side // 11)


def _calendar(draw: ImageDraw.ImageDraw, cx: int, cy: int, side: int, bg: str) -> None:
    w = _stroke(side)
    x0, y0, x1, y1 = cx - side // 2, cy - side * 2 // 5, cx + side // 2, cy + side // 2
    draw.rounded_rectangle((x0, y0, x1, y1), side // 10, outline=INK, width=w)
    draw.rectangle((x0, y0 + w // 2, x1, y0 + side // 4), fill=INK)
    for rx in (x0 + side // 4, x1 - side // 4):
        draw.rounded_rectangle((rx - w // 2, y0 - side // 8, rx + w // 2, y0 + side // 10), w // 2, fill=INK)
    cell = side // 7
    for row in range(2):
        for col in range(3):
            gx = x0 + side // 6 + col * (side // 4) + cell // 2
            gy = y0 + side // 4 + side // 6 + row * (side // 5) + cell // 2
            draw.rectangle((gx - cell // 2, gy - cell // 2, gx + cell // 2, gy + cell // 2), fill=INK)


def _clock(draw: ImageDraw.ImageDraw, cx: int, cy: int, side: int, bg: str) -> None:
    w = _stroke(side)
    r = side // 2
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=INK, width=w)
    draw.line((cx, cy, cx, cy - r * 6 // 10), fill=INK, width=w)
    draw.line((cx, cy, cx + r * 5 // 10, cy + r * 2 // 10), fill=INK, width=w)
    draw.ellipse((cx - w, cy - w, cx + w, cy + w), fill=INK)
    # An exclamation badge: late.
    bx, by, br = cx + r * 3 // 4, cy - r * 3 // 4, side // 5
    draw.ellipse((bx - br, by - br, bx + br, by + br), fill=INK)
    draw.rounded_rectangle((bx - w // 2, by - br * 6 // 10, bx + w // 2, by + br * 2 // 10), w // 2, fill=bg)
    draw.ellipse((bx - w // 2, by + br * 4 // 10, bx + w // 2, by + br * 4 // 10 + w), fill=bg)


def _coin(draw: ImageDraw.ImageDraw, cx: int, cy: int, side: int, bg: str) -> None:
    # A banknote with the baht sign in a circle.
    w = _stroke(side)
    x0, y0, x1, y1 = cx - side // 2, cy - side * 3 // 10, cx + side // 2, cy + side * 3 // 10
    draw.rounded_rectangle((x0, y0, x1, y1), side // 14, outline=INK, width=w)
    inset = side // 9
    draw.rounded_rectangle((x0 + inset, y0 + inset, x1 - inset, y1 - inset), side // 20, outline=INK, width=w // 2)
    r = side * 2 // 10
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=INK)
    draw.text((cx, cy), "฿", font=font(int(r * 1.6), basic=True), fill=bg, anchor="mm")


def _search(draw: ImageDraw.ImageDraw, cx: int, cy: int, side: int, bg: str) -> None:
    w = _stroke(side) * 5 // 4
    r = side * 3 // 10
    lx, ly = cx - side // 10, cy - side // 10
    draw.ellipse((lx - r, ly - r, lx + r, ly + r), outline=INK, width=w)
    start = (lx + r * 0.72, ly + r * 0.72)
    end = (cx + side * 0.45, cy + side * 0.45)
    draw.line((start, end), fill=INK, width=w * 3 // 2)
    draw.ellipse((end[0] - w * 3 // 4, end[1] - w * 3 // 4, end[0] + w * 3 // 4, end[1] + w * 3 // 4), fill=INK)


def _chart(draw: ImageDraw.ImageDraw, cx: int, cy: int, side: int, bg: str) -> None:
    w = _stroke(side)
    bar, space = side // 5, side // 16
    left = cx - (4 * bar + 3 * space) // 2
    y1 = cy + side // 2
    for i, share in enumerate((0.45, 0.75, 0.6, 1.0)):
        bx = left + i * (bar + space)
        draw.rectangle((bx, y1 - int(side * 0.9 * share), bx + bar, y1 - w * 3 // 2), fill=INK)
    draw.rounded_rectangle((cx - side // 2 - w, y1 - w, cx + side // 2 + w, y1), w // 2, fill=INK)


def _checklist(draw: ImageDraw.ImageDraw, cx: int, cy: int, side: int, bg: str) -> None:
    w = _stroke(side)
    x0, y0, x1, y1 = cx - side * 4 // 10, cy - side // 2, cx + side * 4 // 10, cy + side // 2
    draw.rounded_rectangle((x0, y0 + side // 12, x1, y1), side // 12, outline=INK, width=w)
    draw.rounded_rectangle((cx - side // 6, y0, cx + side // 6, y0 + side // 6), w // 2, fill=INK)
    for i in range(3):
        ly = y0 + side * (32 + i * 22) // 100
        tick = ((x0 + side // 8, ly), (x0 + side // 5, ly + side // 14), (x0 + side * 33 // 100, ly - side // 14))
        draw.line(tick, fill=INK, width=w * 3 // 4, joint="curve")
        draw.line((x0 + side * 42 // 100, ly, x1 - side // 10, ly), fill=INK, width=w * 3 // 4)


def _menu(draw: ImageDraw.ImageDraw, cx: int, cy: int, side: int, bg: str) -> None:
    w = _stroke(side) * 3 // 2
    for dy in (-side // 3, 0, side // 3):
        draw.rounded_rectangle((cx - side * 4 // 10, cy + dy - w // 2, cx + side * 4 // 10, cy + dy + w // 2),
                               w // 2, fill=INK)


def _districts(draw: ImageDraw.ImageDraw, cx: int, cy: int, side: int, bg: str) -> None:
    # A map pin standing on the ground (one place among many).
    w = _stroke(side)
    r = side * 3 // 10
    py = cy - side // 5
    tip = (cx, cy + side * 4 // 10)
    draw.ellipse((cx - side // 2, tip[1] - side // 10, cx + side // 2, tip[1] + side // 10), outline=INK, width=w)
    draw.ellipse((cx - r, py - r, cx + r, py + r), fill=INK)
    draw.polygon([(cx - r * 0.87, py + r * 0.5), (cx + r * 0.87, py + r * 0.5), tip], fill=INK)
    hole = r * 4 // 10
    draw.ellipse((cx - hole, py - hole, cx + hole, py + hole), fill=bg)


def _register(draw: ImageDraw.ImageDraw, cx: int, cy: int, side: int, bg: str) -> None:
    # A person with a plus beside: "add me".
    hx, r = cx - side // 6, side // 5
    draw.ellipse((hx - r, cy - side // 2, hx + r, cy - side // 2 + 2 * r), fill=INK)
    draw.chord((hx - side * 4 // 10, cy, hx + side * 4 // 10, cy + side), 180, 360, fill=INK)
    w = _stroke(side) * 5 // 4
    px, py, arm = cx + side * 45 // 100, cy - side // 8, side // 6
    draw.rectangle((px - arm, py - w // 2, px + arm, py + w // 2), fill=INK)
    draw.rectangle((px - w // 2, py - arm, px + w // 2, py + arm), fill=INK)


def _help(draw: ImageDraw.ImageDraw, cx: int, cy: int, side: int, bg: str) -> None:
    w = _stroke(side)
    r = side // 2
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=INK, width=w)
    draw.text((cx, cy), "?", font=font(int(side * 0.7), basic=True), fill=INK, anchor="mm")


ICONS: dict[str, Icon] = {
    "calendar": _calendar, "clock": _clock, "coin": _coin, "search": _search, "chart": _chart,
    "checklist": _checklist, "menu": _menu, "districts": _districts, "register": _register, "help": _help,
}
