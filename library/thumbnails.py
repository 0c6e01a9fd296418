"""The WebP renditions made at ingest: a tile for the grid and a large preview for the detail page."""

import io

from PIL import Image

from library.models import PREVIEW_EDGE, THUMB_EDGE


def displayable(image):
    """8-bit RGB or RGBA pixels, whatever the source mode (16-bit grey, palette, CMYK, bilevel)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in ("RGB", "RGBA"):
        return image
    if image.has_transparency_data:
        return image.convert("RGBA")
    return image.convert("RGB")


def shrink(image, edge):
    """A copy whose long edge is at most `edge`: an integer box reduction first, then Lanczos (fast and sharp)."""
    width, height = image.size
    long_edge = max(width, height)
    if long_edge <= edge:
        return image
    scale = edge / long_edge
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=1.5)


def webp(image, *, quality=80):
    out = io.BytesIO()
    # method=2: a third of the default's encoding time for files within a few per cent of its size.
    image.save(out, "WEBP", quality=quality, method=2)
    return out.getvalue()


def renditions(image):
    """{"preview": bytes, "thumb": bytes}: long edges PREVIEW_EDGE and THUMB_EDGE, never upscaled."""
    preview = shrink(displayable(image), PREVIEW_EDGE)
    thumb = shrink(preview, THUMB_EDGE)
    return {"preview": webp(preview), "thumb": webp(thumb)}
