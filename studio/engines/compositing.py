"""Pixel-exact masked edits: what the mask keeps comes from the source, byte for byte, whatever the engine returned.

OpenAI's mask convention: alpha 0 marks what may change, alpha 255 what must stay. Providers regenerate the
whole frame, so kept pixels drift slightly; compositing the result back through the mask restores them.
"""

import io

from PIL import Image

LOSSLESS_FORMATS = ("png", "webp")


def composite_through_mask(source_png, result, mask_png, *, output_format="png", compression=None):
    """The result composited onto the source through the mask's alpha, encoded losslessly.

    Where the mask's alpha is 255 the pixel is the source's exactly, where it is 0 the result's (resized to
    the source's size if the provider returned another size), and partial alpha blends the two. The output
    is PNG, or lossless WebP; JPEG would alter the kept pixels, so it is refused.
    """
    if output_format not in LOSSLESS_FORMATS:
        raise ValueError("A masked edit keeps pixels exact, so it is encoded as PNG or WebP, not JPEG.")
    combined = composite_images(
        Image.open(io.BytesIO(source_png)), Image.open(io.BytesIO(result)), Image.open(io.BytesIO(mask_png))
    )
    return encode_lossless(combined, output_format, compression)


def composite_images(source, edited, mask):
    """The in-memory half of composite_through_mask, for engines that already hold decoded images."""
    keep = mask.convert("RGBA").getchannel("A")
    mode = "RGBA" if _has_alpha(source) or _has_alpha(edited) else "RGB"
    source, edited = source.convert(mode), edited.convert(mode)
    if edited.size != source.size:
        edited = edited.resize(source.size, Image.Resampling.LANCZOS)
    if keep.size != source.size:
        keep = keep.resize(source.size, Image.Resampling.NEAREST)
    # Image.composite takes image1 where the mask is 255, which is exactly "keep the source".
    return Image.composite(source, edited, keep)


def encode_lossless(image, output_format="png", compression=None):
    buffer = io.BytesIO()
    if output_format == "webp":
        # For lossless WebP, quality is effort: more is smaller and slower, never lossier.
        image.save(buffer, "WEBP", lossless=True, quality=100 if compression is None else compression)
    else:
        image.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def _has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
