"""The studio sets every slide's type itself: bundled fonts, shaped text, fitting down to a floor, a scrim, checks.

`slide_render` lays the text out once and returns both the finished JPEG-ready image and the positioned lines, so
the PDF export puts real text at the same places over the same background (`SlideRender.base`).
"""

import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps, features

from slides.models import Layout

FONTS_DIR = settings.BASE_DIR / "static" / "fonts"
LAYOUT_ENGINE = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
MIN_TYPE_PX = 24  # the smallest type that reads on a phone at 1080 px wide
MAX_WORDS = 45
AA_NORMAL, AA_LARGE = 4.5, 3.0
LARGE_TEXT_PX = 48  # WCAG's 24 pt regular / 18.66 pt bold, at a 1080 px slide seen full-screen
WHITE, INK = (255, 255, 255), (17, 20, 28)

FONT_FILES = {
    "latin": {
        "display": "LeagueSpartan-Bold.otf",
        "strong": "Inter-Bold.otf",
        "body": "Inter-Regular.otf",
        "serif": "EBGaramond12-Italic.otf",
    },
    "arabic": {
        "display": "NotoSansArabic-Bold.ttf",
        "strong": "NotoSansArabic-Bold.ttf",
        "body": "NotoSansArabic-Regular.ttf",
        "serif": "NotoSansArabic-Regular.ttf",
    },
    "devanagari": {
        "display": "NotoSansDevanagari-Bold.ttf",
        "strong": "NotoSansDevanagari-Bold.ttf",
        "body": "NotoSansDevanagari-Regular.ttf",
        "serif": "NotoSansDevanagari-Regular.ttf",
    },
}
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_DEVANAGARI = re.compile(r"[\u0900-\u097F\uA8E0-\uA8FF]")


def script_of(text):
    if _ARABIC.search(text):
        return "arabic"
    if _DEVANAGARI.search(text):
        return "devanagari"
    return "latin"


def font_path(text, kind, style=None):
    """The font a block is set in: the brand kit's for its kind when the slide follows a kit, else the bundled one."""
    if style is not None:
        path, _family = style.font_for(kind)
        if path is not None:
            return path
    return FONTS_DIR / FONT_FILES[script_of(text)][kind]


def font_name(path):
    """How a Line names its font: a bundled font by file name, a brand font as brand/<sha256>.<ext>."""
    path = Path(path)
    return path.name if path.parent == FONTS_DIR else f"brand/{path.name}"


def font_location(name):
    """The local file of a Line's font; a brand font is fetched from storage again if the local copy is gone."""
    if not name.startswith("brand/"):
        return FONTS_DIR / name
    from slides.brand import FONT_CACHE, font_file
    from slides.models import BrandFont

    path = FONT_CACHE / name.removeprefix("brand/")
    if path.exists():
        return path
    font = BrandFont.objects.filter(sha256=path.stem).first()
    if font is None:
        raise FileNotFoundError(f"The brand font {path.stem[:12]} is no longer stored.")
    return font_file(font)


@functools.lru_cache(maxsize=256)
def _font(path, size):
    return ImageFont.truetype(str(path), size, layout_engine=LAYOUT_ENGINE)


@functools.lru_cache(maxsize=16)
def _cmap(path):
    return set(TTFont(str(path), lazy=True).getBestCmap())


def missing_glyphs(text, path):
    """The characters of `text` that the font at `path` has no glyph for (spaces and marks of layout aside)."""
    covered = _cmap(path)
    return sorted({char for char in text if not char.isspace() and ord(char) not in covered and ord(char) > 0x1F})


@dataclass(frozen=True)
class Block:
    role: str  # "headline" or "body"
    text: str
    kind: str  # a FONT_FILES key
    max_px: int
    min_px: int
    share: float  # of the safe area's height this block may take
    bullets: bool = False
    leading: float = 1.12


@dataclass
class Line:
    text: str
    font: str  # the font file's name in static/fonts
    size: int
    x: int  # the left of the line's box; the box is the safe area's width
    y: int  # the top of the line's box
    width: int
    height: int
    align: str  # "L", "C" or "R", as fpdf2 spells it
    colour: tuple


@dataclass
class SlideRender:
    image: Image.Image
    base: Image.Image  # the background with its scrim, before any text
    lines: list
    checks: list = field(default_factory=list)

    @property
    def ok(self):
        return all(check["ok"] for check in self.checks if check["blocking"])


def safe_area(width, height):
    """(left, top, right, bottom): 96 px sides; a story keeps clear of the app's own top bar and reply field."""
    side = round(width * 0.089)
    if height / width > 1.6:
        return side, round(height * 0.125), width - side, height - round(height * 0.175)
    return side, side, width - side, height - side


def blocks_for(layout, headline, body):
    body = body.strip()
    if layout == Layout.TITLE:
        return [Block("headline", headline, "display", 132, 64, 0.55), Block("body", body, "body", 44, 30, 0.25)]
    if layout == Layout.QUOTE:
        return [
            Block("headline", f"“{headline.strip('“”"')}”", "serif", 96, 52, 0.6, leading=1.18),
            Block("body", body, "body", 36, 28, 0.2),
        ]
    if layout == Layout.LIST:
        return [
            Block("headline", headline, "display", 96, 56, 0.3),
            Block("body", body, "body", 48, 30, 0.55, bullets=True, leading=1.3),
        ]
    if layout == Layout.STATISTIC:
        return [Block("headline", headline, "display", 300, 96, 0.45), Block("body", body, "strong", 56, 32, 0.35)]
    if layout == Layout.CTA:
        return [Block("headline", headline, "display", 110, 60, 0.45), Block("body", body, "strong", 48, 30, 0.3)]
    return [Block("headline", headline, "display", 104, 56, 0.4), Block("body", body, "body", 44, 28, 0.35)]


ANCHORS = {
    Layout.TITLE: "top",
    Layout.CAPTION: "top",
    Layout.LIST: "top",
    Layout.QUOTE: "center",
    Layout.STATISTIC: "center",
    Layout.CTA: "center",
}


def _wrap(text, font, width, bullets):
    """Lines no wider than `width`, breaking between words; a list item keeps its own lines."""
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()] or [""]
    lines = []
    for paragraph in paragraphs:
        words, current = paragraph.split(), ""
        prefix = "• " if bullets else ""
        for word in words:
            trial = f"{current} {word}" if current else f"{prefix}{word}"
            if current and font.getlength(trial) > width:
                lines.append(current)
                current = ("   " if bullets else "") + word
            else:
                current = trial
        lines.append(current)
    return lines


def _fit(block, width, height, style=None):
    """(size, lines, fits): the largest size from max to min whose wrapped lines fit the box; never below min."""
    path = font_path(block.text, block.kind, style)
    for size in range(block.max_px, block.min_px - 1, -2):
        font = _font(path, size)
        lines = _wrap(block.text, font, width, block.bullets)
        wide = max((font.getlength(line) for line in lines), default=0)
        if len(lines) * size * block.leading <= height and wide <= width:
            return size, lines, True
    size = block.min_px
    return size, _wrap(block.text, _font(path, size), width, block.bullets), False


def neutral_background(width, height, seed, style=None):
    """The gradient a slide shows before its background exists: calm, dark, varied by carousel (or the kit's)."""
    if style is not None:
        top, bottom = style.primary, style.secondary
        gradient = Image.linear_gradient("L").resize((width, height))
        return Image.composite(
            Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), gradient
        )
    hue = int(hashlib.sha256(str(seed).encode()).hexdigest()[:2], 16)
    top = (28 + hue % 20, 32 + hue % 14, 48 + hue % 30)
    bottom = (70 + hue % 40, 60 + hue % 25, 110 + hue % 50)
    gradient = Image.linear_gradient("L").resize((width, height))
    return Image.composite(Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), gradient)


_srgb = np.arange(256) / 255.0
_LINEAR = np.where(_srgb <= 0.04045, _srgb / 12.92, ((_srgb + 0.055) / 1.055) ** 2.4).astype(np.float32)


def luminance(pixels):
    """WCAG relative luminance of an RGB uint8 array, per pixel."""
    lin = _LINEAR[pixels]
    return 0.2126 * lin[..., 0] + 0.7152 * lin[..., 1] + 0.0722 * lin[..., 2]


def contrast_ratio(a, b):
    high, low = max(a, b), min(a, b)
    return (high + 0.05) / (low + 0.05)


def text_contrast(image, boxes, colour):
    """The worst contrast (at the 95th percentile of pixels) between `colour` and the pixels behind the boxes."""
    text_l = float(luminance(np.array([[colour]], dtype=np.uint8))[0, 0])
    samples = []
    for left, top, right, bottom in boxes:
        region = image.crop((left, top, right, bottom))
        if region.width > 8 and region.height > 8:
            region = region.reduce(2)
        samples.append(luminance(np.asarray(region.convert("RGB"))).ravel())
    if not samples:
        return 21.0
    values = np.concatenate(samples)
    behind = float(np.percentile(values, 95 if text_l > 0.5 else 5))
    return contrast_ratio(text_l, behind)


def _scrim(image, box, colour, alpha):
    """A soft band of `colour` behind the text box, full width so it reads as design rather than a patch."""
    mask = Image.new("L", image.size, 0)
    left, top, right, bottom = box
    ImageDraw.Draw(mask).rectangle((0, max(0, top - 48), image.width, min(image.height, bottom + 48)), fill=alpha)
    mask = mask.filter(ImageFilter.GaussianBlur(32))
    return Image.composite(Image.new("RGB", image.size, colour), image, mask)


LOGO_EDGE_GAP = 40  # px between a logo and the slide's edges, and between a logo and the text


def logo_box(style, size):
    """(left, top, right, bottom) of the kit's logo on a slide of `size`, or None without one."""
    if style is None or style.logo is None or style.logo_placement == "none":
        return None
    width, height = size
    logo_w = round(width * style.logo_size / 100)
    logo_h = max(1, round(logo_w * style.logo.height / style.logo.width))
    limit = round(height * 0.12)  # a tall logo is held to an eighth of the slide's height
    if logo_h > limit:
        logo_w, logo_h = max(1, round(logo_w * limit / logo_h)), limit
    vertical, horizontal = style.logo_placement.split("-")
    x = LOGO_EDGE_GAP if horizontal == "left" else width - LOGO_EDGE_GAP - logo_w
    y = LOGO_EDGE_GAP if vertical == "top" else height - LOGO_EDGE_GAP - logo_h
    return x, y, x + logo_w, y + logo_h


def _stamp_logo(image, style, box):
    logo = style.logo.resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.LANCZOS)
    image.paste(logo, box[:2], logo)
    return image


def slide_render(*, layout, headline, body, size, background=None, seed=0, scrim=True, style=None):
    """The slide at exactly `size` with its text set, the positioned lines, and its checks.

    `style` (slides.brand.BrandStyle) sets it in a brand kit's fonts and colours and stamps the kit's logo, keeping
    the text clear of the logo's corner.
    """
    width, height = size
    left, top, right, bottom = safe_area(width, height)
    logo_at = logo_box(style, size)
    if logo_at is not None:
        if logo_at[1] < height / 2:
            top = max(top, logo_at[3] + LOGO_EDGE_GAP)
        else:
            bottom = min(bottom, logo_at[1] - LOGO_EDGE_GAP)
    area_w, area_h = right - left, bottom - top
    if background is not None:
        source_size = background.size
        base = ImageOps.fit(background.convert("RGB"), size, Image.Resampling.LANCZOS)
    else:
        source_size = size
        base = neutral_background(width, height, seed, style)

    blocks = [block for block in blocks_for(layout, headline, body) if block.text.strip()]
    fitted = [(block, *_fit(block, area_w, round(area_h * block.share), style)) for block in blocks]
    gap = 36
    total = sum(len(lines) * round(size_px * block.leading) for block, size_px, lines, _ in fitted)
    total += gap * max(0, len(fitted) - 1)
    anchor = ANCHORS.get(layout, "top")
    y = top if anchor == "top" else top + max(0, (area_h - total) // 2)

    placed = []  # (block, size, [Line]) with colours decided below
    for block, size_px, lines, _fits in fitted:
        path = font_path(block.text, block.kind, style)
        rtl = script_of(block.text) == "arabic"
        align = "R" if rtl else ("C" if anchor == "center" and not block.bullets else "L")
        step = round(size_px * block.leading)
        out = []
        font = _font(path, size_px)
        for text in lines:
            # A line that overflows (its text fails the fit check) keeps its start in view rather than its middle.
            line_align = align if font.getlength(text) <= area_w else ("R" if rtl else "L")
            out.append(Line(text, font_name(path), size_px, left, y, area_w, step, line_align, WHITE))
            y += step
        placed.append((block, size_px, out))
        y += gap

    def boxes(lines):
        result = []
        for line in lines:
            font = _font(font_location(line.font), line.size)
            length = font.getlength(line.text)
            x0 = {"L": line.x, "C": line.x + (line.width - length) / 2, "R": line.x + line.width - length}[line.align]
            result.append(
                (int(x0), max(0, line.y), int(min(width, x0 + length + 1)), int(min(height, line.y + line.height)))
            )
        return result

    checks, lines_all = [], []
    for block, size_px, lines in placed:
        target = AA_LARGE if size_px >= LARGE_TEXT_PX else AA_NORMAL
        block_boxes = boxes(lines)
        if style is not None:  # the kit's text colour, over a scrim of the kit's background colour where needed
            colour, ratio = style.text, text_contrast(base, block_boxes, style.text)
        else:
            light, dark = text_contrast(base, block_boxes, WHITE), text_contrast(base, block_boxes, INK)
            colour, ratio = (WHITE, light) if light >= dark else (INK, dark)
        if scrim and ratio < target and block_boxes:
            union = (
                min(b[0] for b in block_boxes),
                min(b[1] for b in block_boxes),
                max(b[2] for b in block_boxes),
                max(b[3] for b in block_boxes),
            )
            shade = (0, 0, 0) if colour == WHITE else (255, 255, 255)
            if style is not None:
                shade = style.background
            for alpha in (110, 150, 190, 225):
                shaded = _scrim(base, union, shade, alpha)
                ratio = text_contrast(shaded, block_boxes, colour)
                if ratio >= target:
                    break
            base = shaded
        for line in lines:
            line.colour = colour
        lines_all.extend(lines)
        checks.append(_contrast_check(block.role, ratio, target))

    checks = (
        _layout_checks(fitted, lines_all, boxes(lines_all), (left, top, right, bottom), size, source_size, style)
        + checks
    )
    if logo_at is not None:
        base = _stamp_logo(base, style, logo_at)
    image = base.copy()
    draw = ImageDraw.Draw(image)
    for line in lines_all:
        font = _font(font_location(line.font), line.size)
        x = {"L": line.x, "C": line.x + line.width / 2, "R": line.x + line.width}[line.align]
        anchor_code = {"L": "ls", "C": "ms", "R": "rs"}[line.align]
        draw.text((x, baseline(line)), line.text, font=font, fill=line.colour, anchor=anchor_code)
    return SlideRender(image=image, base=base, lines=lines_all, checks=checks)


def baseline(line):
    """Where fpdf2's cell() puts the baseline in a box of this height: the raster and the PDF agree."""
    return line.y + 0.5 * line.height + 0.3 * line.size


def _check(name, ok, message, blocking=True):
    return {"name": name, "ok": bool(ok), "message": message, "blocking": blocking}


def _contrast_check(role, ratio, target):
    if ratio >= target:
        return _check("contrast", True, f"The {role} has {ratio:.1f}:1 contrast with the pixels behind it.")
    return _check(
        "contrast",
        False,
        f"The {role} has only {ratio:.1f}:1 contrast with the pixels behind it; WCAG AA asks for {target:g}:1.",
    )


def _layout_checks(fitted, lines, line_boxes, safe, size, source_size, style=None):
    checks = []
    too_big = [(block, size_px) for block, size_px, _lines, fits in fitted if not fits]
    if too_big:
        block, size_px = too_big[0]
        checks.append(
            _check(
                "fit",
                False,
                f"The {block.role} does not fit, even at the minimum {size_px} px: shorten it.",
            )
        )
    smallest = min((line.size for line in lines), default=MIN_TYPE_PX)
    checks.append(
        _check(
            "type_size",
            smallest >= MIN_TYPE_PX,
            f"The smallest type is {smallest} px at 1080 px wide (minimum {MIN_TYPE_PX} px).",
        )
    )
    left, top, right, bottom = safe
    outside = [box for box in line_boxes if box[0] < left - 1 or box[2] > right + 1 or box[1] < top or box[3] > bottom]
    checks.append(
        _check(
            "margins",
            not outside,
            "All text is inside the safe margins." if not outside else "Some text runs into the safe margins.",
        )
    )
    words = sum(len(block.text.split()) for block, *_ in fitted)
    checks.append(
        _check(
            "words",
            words <= MAX_WORDS,
            f"{words} words on the slide" + ("." if words <= MAX_WORDS else f"; keep it to {MAX_WORDS} or fewer."),
            blocking=False,
        )
    )
    checks.extend(_glyph_checks(fitted, style))
    width, height = size
    same = abs(source_size[0] / source_size[1] - width / height) < 0.02
    checks.append(
        _check(
            "aspect",
            same,
            f"{width} × {height}, the preset's aspect."
            if same
            else f"The background ({source_size[0]} × {source_size[1]}) was cropped to {width} × {height}.",
            blocking=False,
        )
    )
    return checks


def _glyph_checks(fitted, style):
    """One failed check per font that cannot set some of the slide's characters, naming them: "Rubik lacks: ā, ğ"."""
    missing_by_font = {}
    for block, *_ in fitted:
        path = font_path(block.text, block.kind, style)
        brand_family = ""
        if style is not None:
            kit_path, family = style.font_for(block.kind)
            brand_family = family if kit_path == path else ""
        label = brand_family or "The bundled font"
        found = missing_by_font.setdefault(label, [])
        for char in missing_glyphs(block.text, path):
            if char not in found:
                found.append(char)
    checks = []
    for label, missing in missing_by_font.items():
        if missing:
            checks.append(
                _check(
                    "glyphs",
                    False,
                    f"{label} lacks: {', '.join(missing)}. Replace these characters or choose a font that has them.",
                )
            )
    return checks
