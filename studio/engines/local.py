"""The offline draft engine (local:draft): deterministic abstract drafts drawn with Pillow, no network, no AI.

It stands in wherever no provider key is set (a new install, the demo, the tests) and is labelled
"Offline draft engine" everywhere: it never pretends to be an AI model. What it honours:

- Determinism: the same prompt, seed and parameters give byte-identical output; image i of n uses seed + i.
- Size and quality: low is a few flat shapes (fast); medium/auto adds a gradient, translucent shapes and a
  soft glow; high adds more shapes, fine line work, a vignette and a noise texture.
- Quoted text in the prompt ("Summer sale") is set large, centred and wrapped on a dark panel in Inter
  Bold, so a draft shows where the words go and that they read.
- References give the palette and a soft, blurred composition; a refinement (the parent image as the
  first reference, with role "parent" or a previous_response_id; see registry.refinement_request) is
  "parent plus edit": the parent stays recognisable under a tint, a few new shapes and the new text.
- Masks: the edit is composited through the mask onto the first image, so every pixel whose mask alpha is
  255 is the source's exactly; a masked edit keeps the source's size.
- Markup (strokes, arrows, boxes and labels drawn over Image 1): a guided edit of Image 1. The draft keeps
  Image 1, puts its new shapes inside what the markup outlines, washed in the markup's own colour, and shows
  the strokes themselves faintly on top, so the draft says what the markup asked for.
- Thinking (complexity): a planned layout: shapes sit on a thirds grid instead of falling anywhere, more so
  at higher levels. xhigh and max quality draw as high does, with more shapes.
- Transparent background (alpha), PNG / JPEG / WebP with compression.
- Partial frames, coarse to fine, before the full-size image is drawn: the same draft (same seed, so the
  same composition) drawn at 1/16, 1/8 and 1/4 of the output's long edge (the last `partial_images` of those)
  and blown up, blocky, to a preview size, so the first frame costs milliseconds at any size and quality and
  each later one is visibly finer; as JPEG unless the background is transparent. Then Final with a
  deterministic response id.
"""

import colorsys
import hashlib
import io
import json
import math
import random
import re

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from studio.engines.capabilities import capabilities
from studio.engines.compositing import composite_images, encode_lossless
from studio.engines.fonts import font
from studio.engines.sizes import nearest_size, parse_size
from studio.engines.types import EngineError, Final, PartialFrame
from studio.engines.validation import validate_request

ENGINE_LABEL = "Offline draft engine"
PARTIAL_SCALES = (16, 8, 4)  # coarse to fine: each frame is drawn at 1/scale of the output's long edge
FRAME_EDGE = 1024  # partial frames are shown at most this long (an integer reduction of the output)
FRAME_QUALITY = 80  # JPEG quality of partial frames
DEFAULT_SIZE = (1024, 1024)
QUOTED_TEXT = re.compile(r'"([^"]+)"|“([^”]+)”|«([^»]+)»')
MAX_TEXT_CHARS = 280
DETAIL = {"low": 0, "medium": 1, "auto": 1, "high": 2, "xhigh": 2, "max": 2}
SHAPE_COUNT = (5, 10, 18)  # by detail
EXTRA_SHAPES = {"xhigh": 4, "max": 8}
# How strongly thinking pulls shapes onto the thirds grid (0: anywhere, 1: exactly on it).
PLANNING = {None: 0.0, "low": 0.5, "medium": 0.75, "high": 1.0}
MARKUP_WASH_ALPHA = 96
MARKUP_STROKE_OPACITY = 0.55
TEXT_PANEL = (17, 19, 24)
TEXT_INK = (250, 250, 250)

COLOUR_WORDS = {
    "red": (214, 48, 49),
    "orange": (243, 129, 38),
    "yellow": (250, 204, 21),
    "gold": (212, 164, 55),
    "green": (46, 160, 67),
    "mint": (152, 222, 190),
    "teal": (20, 145, 150),
    "turquoise": (64, 200, 200),
    "cyan": (34, 211, 238),
    "blue": (37, 99, 235),
    "navy": (23, 37, 84),
    "purple": (126, 58, 196),
    "violet": (139, 92, 246),
    "lavender": (196, 181, 253),
    "pink": (236, 72, 153),
    "magenta": (200, 30, 160),
    "coral": (255, 127, 102),
    "brown": (120, 72, 40),
    "beige": (230, 214, 185),
    "cream": (250, 243, 224),
    "white": (245, 245, 242),
    "black": (18, 18, 20),
    "gray": (128, 130, 136),
    "grey": (128, 130, 136),
    "silver": (192, 196, 204),
}


class LocalDraftEngine:
    """Engine for local:draft; see the module docstring for what it honours."""

    label = ENGINE_LABEL

    def run(self, request, *, api_key=None):
        errors = validate_request(request)
        if errors:
            field, message = next(iter(errors.items()))
            raise EngineError(EngineError.USER, message, param=field)

        references = [_open(reference.data) for reference in request.references]
        mask = _open(request.mask) if request.mask else None
        markup = _open(request.markup) if request.markup else None
        size = references[0].size if mask or markup else _output_size(request, references)
        # Frames first, each drawn small and cheaply, so a large high-quality draft shows progress at once.
        yield from _partial_frames(request, references, mask, size, markup=markup)
        images = []
        for number in range(request.n):
            picture = _draw(request, references, mask, size, request.seed + number, markup=markup)
            if mask:
                picture = composite_images(references[0], picture, mask)
            images.append(_encode(picture, request, exact=mask is not None))

        yield Final(
            images=tuple(images),
            usage={
                "engine": "local",
                "model": request.model_id,
                "images": len(images),
                "size": f"{size[0]}x{size[1]}",
                "quality": request.quality,
                "seed": request.seed,
            },
            response_id=draft_response_id(request),
            output_format=request.output_format,
        )


def draft_response_id(request):
    """A stable id for a draft result: the same request always answers the same id."""
    return "draft_" + _fingerprint(request, request.seed, with_output=True)[:24]


def quoted_text(prompt):
    """The "quoted" phrases of a prompt, in order: what the draft sets as type."""
    return [next(group for group in match.groups() if group).strip() for match in QUOTED_TEXT.finditer(prompt)]


def _fingerprint(request, seed, *, with_output=False):
    fields = {
        "prompt": request.prompt,
        "seed": seed,
        "size": request.size,
        "quality": request.quality,
        "background": request.background,
        "references": [hashlib.sha256(reference.data).hexdigest() for reference in request.references],
        "mask": hashlib.sha256(request.mask).hexdigest() if request.mask else None,
        "markup": hashlib.sha256(request.markup).hexdigest() if request.markup else None,
        "complexity": request.complexity,
        "previous_response_id": request.previous_response_id,
    }
    if with_output:
        fields.update(n=request.n, output_format=request.output_format, compression=request.output_compression)
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def _open(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _output_size(request, references):
    if request.size != "auto":
        return parse_size(request.size)
    if references:
        first = references[0]
        return parse_size(nearest_size(capabilities(request.model_id).id, first.width / first.height, "1K"))
    return DEFAULT_SIZE


def _draw(request, references, mask, size, seed, *, markup=None):
    rng = random.Random(int(_fingerprint(request, seed), 16))
    detail = DETAIL[request.quality]
    transparent = request.background == "transparent"
    palette = _palette(request.prompt, references, rng)
    parent_role = bool(request.references) and request.references[0].role == "parent"
    refining = bool(references) and bool(request.previous_response_id or request.mask or parent_role)
    planning = PLANNING.get(request.complexity, 0.0)

    if markup is not None and references:
        canvas = _markup_edit(references[0], markup, size, rng, palette, detail, transparent)
        texts = quoted_text(request.prompt)
        if texts:
            canvas = _set_text(canvas, texts, _markup_box(markup, size))
        return canvas
    if refining:
        # Parent plus edit: keep the parent (or masked source) recognisable, then tint and add to it.
        base = _cover(references[0], size, "RGBA" if transparent else "RGB")
        if request.mask:
            base = base.filter(ImageFilter.GaussianBlur(6))
        canvas = _tint(base, palette[0], 0.22)
        region = _edit_box(mask, size) if mask else (0, 0, *size)
        _shapes(canvas, rng, palette, 2 + 2 * detail, alpha=(110, 170), region=region)
    else:
        canvas = _background(size, palette, rng, detail, transparent)
        if references:
            canvas = _soft_composition(canvas, references[0], rng)
        identity = bool(request.references) and request.references[0].role == "identity"
        # Opaque shapes on a transparent background give a clean cut-out; elsewhere they overlap softly.
        alpha = (255, 255) if detail == 0 or transparent else (150, 230)
        count = SHAPE_COUNT[detail] + EXTRA_SHAPES.get(request.quality, 0)
        _shapes(canvas, rng, palette, count, alpha=alpha, planning=planning)
        if detail >= 1:
            canvas = _glow(canvas, rng, palette)
        if detail >= 2:
            _line_work(canvas, rng, palette)
            canvas = _vignette(canvas)
            canvas = _noise(canvas, rng)
        if identity:
            # An identity reference is the person the scene is about: they stand in it unchanged, so a draft
            # series keeps the same face (and the drift check has a real face to score).
            canvas = _subject(canvas, references[0], rng)

    texts = quoted_text(request.prompt)
    if texts:
        box = _edit_box(mask, size) if mask else (0, 0, *size)
        canvas = _set_text(canvas, texts, box)
    return canvas


def _palette(prompt, references, rng):
    named = [colour for word, colour in COLOUR_WORDS.items() if re.search(rf"\b{word}\b", prompt, re.IGNORECASE)]
    sampled = []
    for reference in references[:4]:
        thumb = reference.convert("RGB").resize((48, 48), Image.Resampling.BOX)
        quantized = thumb.quantize(colors=5, method=Image.Quantize.MEDIANCUT)
        flat = quantized.getpalette()
        for _count, index in sorted(quantized.getcolors(), reverse=True):
            sampled.append(tuple(flat[index * 3 : index * 3 + 3]))
    base_hue = rng.random()
    harmony = rng.choice((0.08, 0.33, 0.5, 0.6))  # analogous, triadic, complementary, split
    generated = []
    for step in range(6):
        hue = (base_hue + harmony * (step % 3) + rng.uniform(-0.04, 0.04)) % 1.0
        saturation = rng.uniform(0.35, 0.85)
        value = rng.uniform(0.35, 0.97)
        generated.append(tuple(round(channel * 255) for channel in colorsys.hsv_to_rgb(hue, saturation, value)))
    return (named + sampled + generated)[:8]


def _background(size, palette, rng, detail, transparent):
    if transparent:
        return Image.new("RGBA", size, (0, 0, 0, 0))
    if detail == 0:
        return Image.new("RGB", size, palette[0])
    gradient = Image.linear_gradient("L").rotate(rng.choice((0, 45, 90, 135)), expand=False, fillcolor=128)
    gradient = gradient.resize(size, Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", size, palette[1]), Image.new("RGB", size, palette[0]), gradient)


def _cover(image, size, mode):
    """The image scaled and centre-cropped to fill `size`."""
    image = image.convert(mode)
    scale = max(size[0] / image.width, size[1] / image.height)
    scaled = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    left, top = (scaled.width - size[0]) // 2, (scaled.height - size[1]) // 2
    return scaled.crop((left, top, left + size[0], top + size[1]))


def _tint(image, colour, amount):
    if image.mode == "RGBA":
        rgb = Image.blend(image.convert("RGB"), Image.new("RGB", image.size, colour), amount)
        rgb.putalpha(image.getchannel("A"))
        return rgb
    return Image.blend(image, Image.new("RGB", image.size, colour), amount)


def _subject(canvas, reference, rng):
    """The reference placed whole (scaled to fit, never cropped or squashed) in the scene's lower middle."""
    box_w, box_h = int(canvas.width * rng.uniform(0.55, 0.7)), int(canvas.height * rng.uniform(0.7, 0.85))
    scale = min(box_w / reference.width, box_h / reference.height)
    subject = reference.convert("RGB").resize(
        (max(1, round(reference.width * scale)), max(1, round(reference.height * scale))), Image.Resampling.LANCZOS
    )
    left = (canvas.width - subject.width) // 2 + int(canvas.width * rng.uniform(-0.08, 0.08))
    left = min(max(0, left), canvas.width - subject.width)
    top = canvas.height - subject.height - int(canvas.height * 0.04)
    shadow = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(shadow).rectangle(
        (left + 8, top + 12, left + subject.width + 8, top + subject.height + 12), fill=120
    )
    shadow = shadow.filter(ImageFilter.GaussianBlur(14))
    mode = canvas.mode
    canvas = canvas.convert("RGBA")
    canvas = Image.alpha_composite(canvas, Image.merge("RGBA", (*Image.new("RGB", canvas.size).split(), shadow)))
    canvas.paste(subject, (left, max(0, top)))
    return canvas if mode == "RGBA" else canvas.convert(mode)


def _soft_composition(canvas, reference, rng):
    small = (max(1, canvas.width // 16), max(1, canvas.height // 16))
    soft = _cover(reference, small, "RGB").filter(ImageFilter.GaussianBlur(1.5))
    soft = soft.resize(canvas.size, Image.Resampling.BILINEAR)
    if canvas.mode == "RGBA":
        soft = soft.convert("RGBA")
        soft.putalpha(160)
        return Image.alpha_composite(canvas, soft)
    return Image.blend(canvas, soft, rng.uniform(0.45, 0.6))


def _shapes(canvas, rng, palette, count, *, alpha, region=None, planning=0.0):
    """Circles, rings, rounded cards, triangles, bands and blobs in palette colours, centred within `region`.

    With `planning` (thinking), each centre is pulled that far towards the nearest point of the thirds grid.
    """
    left, top, right, bottom = region or (0, 0, *canvas.size)
    layer = Image.new("RGBA", canvas.size, (0, 0, 0, 0)) if canvas.mode == "RGBA" else None
    draw = ImageDraw.Draw(layer) if layer else ImageDraw.Draw(canvas, "RGBA")
    unit = min(right - left, bottom - top)
    for _ in range(count):
        colour = (*rng.choice(palette[1:] or palette), rng.randint(*alpha))
        kind = rng.choice(("circle", "ring", "card", "triangle", "band", "blob"))
        cx, cy = rng.uniform(left, right), rng.uniform(top, bottom)
        if planning:
            gx = min((left + (right - left) / 3, left + (right - left) * 2 / 3), key=lambda x: abs(x - cx))
            gy = min((top + (bottom - top) / 3, top + (bottom - top) * 2 / 3), key=lambda y: abs(y - cy))
            cx, cy = cx + (gx - cx) * planning, cy + (gy - cy) * planning
        radius = rng.uniform(0.08, 0.32) * unit
        box = (cx - radius, cy - radius, cx + radius, cy + radius)
        if kind == "circle":
            draw.ellipse(box, fill=colour)
        elif kind == "ring":
            draw.ellipse(box, outline=colour, width=max(2, int(radius * rng.uniform(0.08, 0.25))))
        elif kind == "card":
            ratio = rng.uniform(0.5, 1.6)
            draw.rounded_rectangle(
                (cx - radius * ratio, cy - radius / ratio, cx + radius * ratio, cy + radius / ratio),
                radius=radius * 0.2,
                fill=colour,
            )
        elif kind == "triangle":
            draw.regular_polygon((cx, cy, radius), 3, rotation=rng.uniform(0, 120), fill=colour)
        elif kind == "band":
            draw.line(
                (left, cy, right, cy + rng.uniform(-0.4, 0.4) * (bottom - top)), fill=colour, width=int(radius * 0.5)
            )
        else:
            points = []
            for step in range(9):
                angle = step / 9 * math.tau
                reach = radius * rng.uniform(0.6, 1.0)
                points.append((cx + reach * math.cos(angle), cy + reach * math.sin(angle)))
            draw.polygon(points, fill=colour)
    if layer:
        canvas.alpha_composite(layer)


def _glow(canvas, rng, palette):
    small = (max(1, canvas.width // 8), max(1, canvas.height // 8))
    glow = Image.new("RGB", small, (0, 0, 0))
    draw = ImageDraw.Draw(glow)
    for _ in range(3):
        cx, cy = rng.uniform(0, small[0]), rng.uniform(0, small[1])
        radius = rng.uniform(0.12, 0.3) * min(small)
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=rng.choice(palette))
    glow = glow.filter(ImageFilter.GaussianBlur(min(small) * 0.08)).resize(canvas.size, Image.Resampling.BILINEAR)
    return _on_rgb(canvas, lambda rgb: Image.blend(rgb, ImageChops.screen(rgb, glow), 0.55))


def _line_work(canvas, rng, palette):
    draw = ImageDraw.Draw(canvas, "RGBA") if canvas.mode == "RGB" else ImageDraw.Draw(canvas)
    width, height = canvas.size
    for _ in range(24):
        colour = (*rng.choice(palette), rng.randint(90, 200) if canvas.mode == "RGB" else 255)
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        length = rng.uniform(0.05, 0.25) * min(width, height)
        draw.arc((x - length, y - length, x + length, y + length), rng.uniform(0, 360), rng.uniform(0, 360), colour, 2)


def _vignette(canvas):
    falloff = Image.radial_gradient("L").resize(canvas.size, Image.Resampling.BILINEAR).point(lambda v: v * 0.45)
    return _on_rgb(canvas, lambda rgb: Image.composite(Image.new("RGB", rgb.size, (0, 0, 0)), rgb, falloff))


def _noise(canvas, rng):
    small = (max(1, canvas.width // 2), max(1, canvas.height // 2))
    # Seeded bytes, not Image.effect_noise: that draws from C's rand() and would break determinism.
    grain = Image.frombytes("L", small, rng.randbytes(small[0] * small[1]))
    grain = grain.resize(canvas.size, Image.Resampling.BILINEAR).convert("RGB")
    return _on_rgb(canvas, lambda rgb: Image.blend(rgb, ImageChops.soft_light(rgb, grain), 0.3))


def _on_rgb(canvas, effect):
    """Apply an effect to the colour channels and keep the alpha as it was."""
    if canvas.mode != "RGBA":
        return effect(canvas)
    result = effect(canvas.convert("RGB"))
    result.putalpha(canvas.getchannel("A"))
    return result


def _markup_box(markup, size):
    """What the markup outlines: the bounding box of everything drawn (alpha above 0), a little enlarged."""
    box = markup.convert("RGBA").getchannel("A").getbbox()
    if not box:
        return (0, 0, *size)
    pad = round(min(size) * 0.02)
    return (max(0, box[0] - pad), max(0, box[1] - pad), min(size[0], box[2] + pad), min(size[1], box[3] + pad))


def _markup_colour(markup):
    """The colour the markup was drawn in most: its strokes' intent, e.g. red boxes."""
    layer = markup.convert("RGBA")
    small = layer.resize((max(1, layer.width // 8), max(1, layer.height // 8)), Image.Resampling.NEAREST)
    counts = {}
    for count, (red, green, blue, alpha) in small.getcolors(small.width * small.height) or ():
        if alpha > 128:
            key = (red // 32 * 32 + 16, green // 32 * 32 + 16, blue // 32 * 32 + 16)
            counts[key] = counts.get(key, 0) + count
    return max(counts, key=counts.get) if counts else (230, 40, 40)


def _markup_edit(source, markup, size, rng, palette, detail, transparent):
    """Image 1 kept, the edit drawn where the markup points, and the markup's strokes shown faintly on top."""
    canvas = _cover(source, size, "RGBA" if transparent else "RGB")
    layer = markup.convert("RGBA")
    if layer.size != size:
        layer = layer.resize(size, Image.Resampling.NEAREST)
    box = _markup_box(layer, size)
    colour = _markup_colour(layer)
    wash = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(wash).rounded_rectangle(box, radius=min(size) * 0.02, fill=(*colour, MARKUP_WASH_ALPHA))
    edited = canvas.convert("RGBA")
    edited.alpha_composite(wash)
    _shapes(edited, rng, [colour, *palette], 3 + 2 * detail, alpha=(150, 220), region=box)
    faint = layer.copy()
    faint.putalpha(layer.getchannel("A").point(lambda alpha: round(alpha * MARKUP_STROKE_OPACITY)))
    edited.alpha_composite(faint)
    return edited if transparent else edited.convert("RGB")


def _edit_box(mask, size):
    """Where a masked edit's text goes: the bounding box of what the mask lets change (alpha below 255)."""
    changing = mask.convert("RGBA").getchannel("A").point(lambda alpha: 255 if alpha < 255 else 0)
    return changing.getbbox() or (0, 0, *size)


def _set_text(canvas, texts, box):
    left, top, right, bottom = box
    box_width, box_height = right - left, bottom - top
    text = "\n".join(texts)
    if len(text) > MAX_TEXT_CHARS:
        text = text[: MAX_TEXT_CHARS - 1].rstrip() + "…"
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))

    size = max(12, int(min(box_width, box_height) * 0.1))
    while True:
        face = font("sans-bold", size)
        lines = [line for paragraph in text.split("\n") for line in _wrap(paragraph, face, box_width * 0.72)]
        spacing = int(size * 0.22)
        bounds = measure.multiline_textbbox((0, 0), "\n".join(lines), font=face, spacing=spacing, align="center")
        text_width, text_height = bounds[2] - bounds[0], bounds[3] - bounds[1]
        if (text_width <= box_width * 0.75 and text_height <= box_height * 0.5) or size <= 12:
            break
        size = max(12, int(size * 0.88))

    centre_x, centre_y = left + box_width / 2, top + box_height / 2
    pad = size * 0.6
    panel = (
        centre_x - text_width / 2 - pad,
        centre_y - text_height / 2 - pad,
        centre_x + text_width / 2 + pad,
        centre_y + text_height / 2 + pad,
    )
    layer = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    draw.rounded_rectangle(panel, radius=pad * 0.6, fill=(*TEXT_PANEL, 232))
    origin = (centre_x - (bounds[0] + bounds[2]) / 2, centre_y - (bounds[1] + bounds[3]) / 2)
    draw.multiline_text(origin, "\n".join(lines), font=face, fill=(*TEXT_INK, 255), spacing=spacing, align="center")
    if canvas.mode == "RGBA":
        canvas.alpha_composite(layer)
        return canvas
    rgba = canvas.convert("RGBA")
    rgba.alpha_composite(layer)
    return rgba.convert("RGB")


def _wrap(paragraph, face, max_width):
    lines, current = [], ""
    for word in paragraph.split():
        while face.getlength(word) > max_width and len(word) > 1:
            # A word wider than the box breaks where it must.
            cut = max(1, int(len(word) * max_width / face.getlength(word)))
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{current} {word}".strip()
        if face.getlength(candidate) <= max_width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


def _partial_frames(request, references, mask, size, *, markup=None):
    """The first image drawn at 1/16, 1/8 and 1/4 of its size (the last `partial_images` of those), coarse to fine.

    The draw is seeded as the final one is, so every frame shows the final's composition; a smaller draw is
    quadratically cheaper, and scaling it up with nearest-neighbour keeps it honest: a blocky preview.
    """
    count = request.partial_images or 0
    scales = PARTIAL_SCALES[len(PARTIAL_SCALES) - count :] if count else ()
    shown = _frame_size(size)
    for index, scale in enumerate(scales):
        small = (max(1, round(size[0] / scale)), max(1, round(size[1] / scale)))
        small_mask = mask.resize(small, Image.Resampling.NEAREST) if mask else None
        small_markup = markup.resize(small, Image.Resampling.BOX) if markup else None  # thin strokes survive
        picture = _draw(request, references, small_mask, small, request.seed, markup=small_markup)
        if mask:
            source = references[0].resize(small, Image.Resampling.BOX)
            picture = composite_images(source, picture, small_mask)
        coarse = picture.resize(shown, Image.Resampling.NEAREST)
        if coarse.mode == "RGB":
            # An opaque frame goes as a JPEG whatever the output format: a preview, light to send and to show.
            yield PartialFrame(index=index, image=_jpeg(coarse, FRAME_QUALITY), output_format="jpeg")
        else:
            yield PartialFrame(
                index=index, image=_encode(coarse, request, preview=True), output_format=request.output_format
            )


def _frame_size(size):
    """The output's size reduced by the smallest whole factor that brings its long edge within FRAME_EDGE."""
    factor = -(-max(size) // FRAME_EDGE)
    return max(1, size[0] // factor), max(1, size[1] // factor)


def _jpeg(picture, quality):
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _encode(picture, request, *, exact=False, preview=False):
    output_format, compression = request.output_format, request.output_compression
    if exact:
        return encode_lossless(picture, output_format, compression)
    buffer = io.BytesIO()
    if output_format == "jpeg":
        quality = FRAME_QUALITY if preview else (92 if compression is None else max(1, compression))
        picture.convert("RGB").save(buffer, "JPEG", quality=quality)
    elif output_format == "webp":
        quality = 75 if preview else (90 if compression is None else compression)
        picture.save(buffer, "WEBP", quality=quality, method=0 if preview else 4)
    else:
        # zlib's fastest level for previews and low quality: quicker to the final image, for a somewhat larger file.
        fast = preview or request.quality == "low"
        picture.save(buffer, "PNG", compress_level=1 if fast else 6)
    return buffer.getvalue()
