"""Opening an upload safely: sniff it by content, allow PNG, JPEG and WebP only, cap bytes and pixels, strip metadata.

A generated file (a model's output) may also be a GIF, kept as it came (animated) with its first frame decoded for
the renditions, or an SVG, checked and rasterised by library/vector.py. Uploads of either are still refused.

Metadata is removed at the container level (PNG chunks, JPEG segments, WebP chunks), which costs a few
milliseconds; pixels are re-encoded only when they must change (an EXIF rotation, CMYK), because re-encoding a
4K PNG costs about a second. A colour profile is kept only when it parses as an ICC profile of at most 1 MB;
otherwise it is dropped and the image kept. Every refusal is an UploadRejected with a message fit to show next
to the file.
"""

import io
import logging
import re
import struct
import warnings
import zlib
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageCms, JpegImagePlugin

from library.models import PREVIEW_EDGE
from library.vector import VectorRejected, rasterise, svg_size

logger = logging.getLogger(__name__)

ALLOWED = "Upload a PNG, JPEG or WebP image."
# What an upload may be, and what a model's output may be besides.
UPLOAD_FORMATS = ("png", "jpeg", "webp")
GENERATED_FORMATS = (*UPLOAD_FORMATS, "gif", "svg")
# An animation's frames are decoded by every browser that shows it; a few seconds of frames is what models make.
GIF_MAX_FRAMES = 500

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Chunks that change how the pixels look; everything else (text, time, EXIF, private chunks) is dropped.
PNG_KEEP = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
    b"bKGD", b"pHYs", b"cICP", b"mDCv", b"cLLi",
}  # fmt: skip
PNG_ANIMATION = {b"acTL", b"fcTL", b"fdAT"}

JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# In entropy-coded data a 0xFF is followed by 0x00 (stuffing) or a restart marker; anything else is a marker.
JPEG_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7]")

WEBP_KEEP = {b"VP8X", b"ICCP", b"ALPH", b"VP8 ", b"VP8L"}
WEBP_FLAG_ICC, WEBP_FLAG_EXIF, WEBP_FLAG_XMP, WEBP_FLAG_ANIMATION = 0x20, 0x08, 0x04, 0x02

# Real profiles are a few hundred bytes to a few hundred KB; anything larger is not worth carrying.
ICC_MAX_BYTES = 1024 * 1024
JPEG_ICC_HEADER = b"ICC_PROFILE\x00"
ICC_DROPPED_NOTE = "Colour profile removed: it was not a valid ICC profile of at most 1 MB."

# Signs of a second file hidden in an image's metadata or after its end (a polyglot). Long enough that
# compressed pixel data (phones append preview JPEGs after the end) practically never contains them by chance.
MARKUP_SIGNS = (b"<script", b"<html", b"<iframe", b"<body", b"<?php", b"javascript:", b"onerror=", b"onload=")
ARCHIVE_SIGNS = (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"%PDF-")
ARCHIVE_STARTS = (b"PK\x03\x04", b"PK\x05\x06", b"MZ", b"\x7fELF", b"\x1f\x8b", *ARCHIVE_SIGNS)
ZIP_END = b"PK\x05\x06"

ORIENTATION_TAG = 0x0112
TRANSPOSE_FOR_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class UploadRejected(Exception):
    """A refused file, with a message that says why and what to do instead."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class CleanImage:
    """What may be stored: the stripped bytes, their format and size, and the decoded pixels for thumbnails."""

    data: bytes
    format: str  # png | jpeg | webp, and gif | svg for generated files
    width: int
    height: int
    image: Image.Image
    notes: list[str] = field(default_factory=list)


@dataclass
class _Container:
    data: bytes
    width: int
    height: int
    exif: bytes | None = None
    removed: set = field(default_factory=set)
    animated: bool = False
    frames: int = 1
    icc_dropped: bool = False


def validate_image(data, *, filename="", formats=UPLOAD_FORMATS):
    """Return a CleanImage for a file of one of `formats` that is safe to store, or raise UploadRejected.

    `formats` is UPLOAD_FORMATS for anything a person sends; GENERATED_FORMATS for a model's output.
    """
    try:
        return _validate(data, filename, formats)
    except UploadRejected:
        raise
    except MemoryError:
        raise UploadRejected("This image is too large to open. " + ALLOWED) from None
    except Exception:
        # Any other failure of a decoder means a file we cannot trust; say so rather than crash.
        logger.info("upload refused: unreadable image", exc_info=True)
        raise UploadRejected("This file is damaged or not a complete image, so it was not added. " + ALLOWED) from None


def _validate(data, filename, formats):
    data = bytes(data)
    if not data:
        raise UploadRejected("This file is empty (0 bytes).")
    if len(data) > settings.POSTFRAME_UPLOAD_MAX_BYTES:
        raise UploadRejected(too_large(len(data)))
    kind = sniff(data)
    if kind not in formats or kind not in GENERATED_FORMATS:
        raise UploadRejected(_refusal(kind, filename))
    if kind == "gif":
        return _gif(data)
    if kind == "svg":
        return _svg(data)
    container = {"png": _strip_png, "jpeg": _strip_jpeg, "webp": _strip_webp}[kind](data)
    _check_pixels(container.width, container.height)
    if container.animated:
        raise _animated(container.frames)
    image = _decode(container.data, kind, container)
    return _normalised(image, kind, container)


def too_large(size):
    limit = settings.POSTFRAME_UPLOAD_MAX_BYTES
    return f"This file is {filesizeformat(size)}; the limit is {filesizeformat(limit)}. Export a smaller version."


def sniff(data):
    """What a file is by its first bytes, whatever its name says."""
    head = data[:64]
    if head.startswith(PNG_SIGNATURE):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:2] == b"BM":
        return "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:5] == b"%PDF-":
        return "pdf"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "avif"
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"):
            return "heic"
        return "video"
    if head[:4] == b"\x00\x00\x01\x00":
        return "ico"
    if head[:4] == b"8BPS":
        return "psd"
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    text = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<svg") or (text.startswith((b"<?xml", b"<!doctype svg", b"<!--")) and b"<svg" in text):
        return "svg"
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<!--", b"<meta", b"<iframe")):
        return "html"
    if any(sign in text for sign in (b"<html", b"<script", b"<body")):
        return "html"
    return "unknown"


REFUSALS = {
    "svg": "SVG files are refused: they can carry scripts that run in the browser. "
    "Export the artwork as PNG and upload that.",
    "html": "HTML files are refused: this is a web page, not an image. " + ALLOWED,
    "gif": "GIF is not supported. " + ALLOWED + " For an animated GIF, export one frame.",
    "bmp": "BMP is not supported. Save it as PNG and upload that.",
    "tiff": "TIFF is not supported. Save it as PNG or JPEG and upload that.",
    "pdf": "PDF files are not supported in the library yet. Export the page as PNG and upload that.",
    "zip": "This is a ZIP archive, not an image. Unpack it and upload the images inside.",
    "avif": "AVIF is not supported yet. " + ALLOWED,
    "heic": "HEIC photos are not supported yet. Export them as JPEG (most phones can) and upload that.",
    "video": "Videos are not supported as uploads yet: clips made in Video are kept in the library by themselves. "
    + ALLOWED,
    "ico": "Icon files are not supported. " + ALLOWED,
    "psd": "Photoshop files are not supported. Export a PNG or JPEG and upload that.",
    "gzip": "This is a compressed archive, not an image. " + ALLOWED,
}


def _refusal(kind, filename):
    message = REFUSALS.get(kind, "This file is not a PNG, JPEG or WebP image, so it cannot go in the library.")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in ("png", "jpg", "jpeg", "webp"):
        message += f" (Its name ends in .{extension}, but its content is not that kind of image.)"
    return message


def _check_pixels(width, height):
    if width <= 0 or height <= 0:
        raise UploadRejected("This image says it is 0 pixels wide or high, so it cannot be opened. " + ALLOWED)
    cap = settings.POSTFRAME_UPLOAD_MAX_PIXELS
    if width * height > cap:
        raise UploadRejected(
            f"This image is {width:,} × {height:,} pixels ({width * height / 1e6:,.1f} MP); "
            f"the limit is {cap / 1e6:g} MP. Resize it and upload again."
        )


def _animated(frames):
    count = f"this one has {frames} frames" if frames > 1 else "this one is an animation"
    return UploadRejected(
        f"Animated images are not accepted ({count}); the library keeps stills. "
        "Export a single frame as PNG, JPEG or WebP and upload that."
    )


def _damaged(what):
    return UploadRejected(f"This {what} is damaged or cut short, so it was not added. Re-export it and upload again.")


def _check_hidden_content(metadata, trailing, what):
    """Refuse a file that carries another file or markup in its metadata or after its end (a polyglot)."""
    smuggled = any(sign in bytes(blob) for blob in metadata for sign in (*ARCHIVE_SIGNS, b"PK\x03\x04", ZIP_END))
    smuggled = smuggled or trailing.startswith(ARCHIVE_STARTS) or ZIP_END in trailing[-66_000:]
    if smuggled or any(sign in trailing for sign in ARCHIVE_SIGNS):
        raise UploadRejected(
            f"This {what} has another file (an archive, program or document) hidden inside it, so it was refused. "
            "Re-export the image and upload that."
        )
    for blob in [*metadata, trailing]:
        lowered = bytes(blob).lower()
        if any(sign in lowered for sign in MARKUP_SIGNS):
            raise UploadRejected(
                f"This {what} carries web-page code (HTML or script) inside it, a trick used to smuggle content "
                "past filters, so it was refused. Re-export the image and upload that."
            )


# PNG


def _strip_png(data):
    view = memoryview(data)
    pos, size, kept, removed, hidden = 8, len(data), [PNG_SIGNATURE], set(), []
    width = height = 0
    frames = 1
    exif = None
    icc_dropped = False
    seen_iend = False
    while pos < size:
        if pos + 12 > size:
            raise _damaged("PNG")
        length = int.from_bytes(view[pos : pos + 4])
        ctype = bytes(view[pos + 4 : pos + 8])
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > size or not ctype.isalpha() or not ctype.isascii():
            raise _damaged("PNG")
        if zlib.crc32(view[pos + 4 : end - 4]) != int.from_bytes(view[end - 4 : end]):
            raise UploadRejected(
                "This PNG fails its own checksums (it is damaged or was altered), so it was not added. "
                "Re-export it and upload again."
            )
        payload = view[pos + 8 : end - 4]
        if len(kept) == 1 and ctype != b"IHDR":
            raise _damaged("PNG")
        if ctype == b"IHDR":
            if length != 13 or len(kept) != 1:
                raise _damaged("PNG")
            width, height = struct.unpack(">II", payload[:8])
        if ctype == b"acTL" and length >= 4:
            frames = int.from_bytes(payload[:4])
        if ctype == b"eXIf":
            exif = bytes(payload)
        if ctype == b"iCCP" and not _icc_valid(_png_icc_profile(payload)):
            icc_dropped = True
        elif ctype in PNG_KEEP:
            kept.append(view[pos:end])
        elif ctype[0:1].isupper():
            raise UploadRejected(f"This PNG uses a part ({ctype.decode()}) that no viewer understands. " + ALLOWED)
        else:
            removed.add(ctype.decode())
            if ctype not in PNG_ANIMATION:
                hidden.append(payload)
        pos = end
        if ctype == b"IEND":
            seen_iend = True
            break
    if not seen_iend:
        raise _damaged("PNG")
    trailing = _trailing(view[pos:])
    _check_hidden_content(hidden, trailing, "PNG")
    if trailing:
        removed.add("trailer")
    return _Container(
        b"".join(kept),
        width,
        height,
        exif=exif,
        removed=removed,
        animated=frames > 1,
        frames=frames,
        icc_dropped=icc_dropped,
    )


def _png_icc_profile(payload):
    """The profile an iCCP chunk carries (name, NUL, method 0, zlib data), or None when it cannot be read."""
    name_end = bytes(payload[:80]).find(b"\x00")
    if name_end < 1 or len(payload) < name_end + 2 or payload[name_end + 1] != 0:
        return None
    inflater = zlib.decompressobj()
    try:
        profile = inflater.decompress(bytes(payload[name_end + 2 :]), ICC_MAX_BYTES + 1)
    except zlib.error:
        return None
    return None if inflater.unconsumed_tail or not inflater.eof else profile


def _icc_valid(profile):
    """Whether `profile` is an ICC profile worth keeping: at most ICC_MAX_BYTES and readable by LittleCMS."""
    if not profile or len(profile) > ICC_MAX_BYTES:
        return False
    try:
        ImageCms.ImageCmsProfile(io.BytesIO(profile))
    except Exception:  # LittleCMS refuses what is not a profile with OSError; anything else is no better
        return False
    return True


def _trailing(view):
    """Bytes after an image's end; zero padding is harmless and ignored."""
    return bytes(view).rstrip(b"\x00")


# JPEG


def _strip_jpeg(data):
    view = memoryview(data)
    size, pos, kept, removed, hidden = len(data), 2, [b"\xff\xd8"], set(), []
    width = height = 0
    exif = None
    icc_parts = []  # (index in kept, sequence number, bytes) of the profile's APP2 segments
    while True:
        if pos >= size or data[pos] != 0xFF:
            raise _damaged("JPEG")
        while pos < size and data[pos] == 0xFF:
            pos += 1
        if pos >= size:
            raise _damaged("JPEG")
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            kept.append(b"\xff\xd9")
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            kept.append(bytes((0xFF, marker)))
            continue
        if marker in (0xD8, 0x00) or pos + 2 > size:
            raise _damaged("JPEG")
        length = int.from_bytes(view[pos : pos + 2])
        end = pos + length
        if length < 2 or end > size:
            raise _damaged("JPEG")
        payload = view[pos + 2 : end]
        segment = view[pos - 2 : end]
        if marker in JPEG_SOF and not width:
            if length < 8:
                raise _damaged("JPEG")
            height, width = struct.unpack(">HH", payload[1:5])
        if _keep_jpeg_segment(marker, payload):
            if marker == 0xE2:
                icc_parts.append((len(kept), payload[12] if length > 14 else 0, payload[14:]))
            kept.append(segment)
        else:
            if marker == 0xE1 and bytes(payload[:6]) == b"Exif\x00\x00" and exif is None:
                exif = bytes(payload)
            removed.add("COM" if marker == 0xFE else f"APP{marker - 0xE0}" if 0xE0 <= marker <= 0xEF else hex(marker))
            hidden.append(payload)
        pos = end
        if marker == 0xDA:
            found = JPEG_NEXT_MARKER.search(data, pos)
            if found is None:
                raise _damaged("JPEG")
            kept.append(view[pos : found.start()])
            pos = found.start()
    if not width or not height:
        raise _damaged("JPEG")
    trailing = _trailing(view[pos:])
    _check_hidden_content(hidden, trailing, "JPEG")
    if trailing:
        removed.add("trailer")  # phones append preview images after the end; they are not part of the photo
    icc_dropped = bool(icc_parts) and not _jpeg_icc_valid(icc_parts)
    if icc_dropped:
        for index, _, _ in icc_parts:
            kept[index] = b""
    return _Container(b"".join(kept), width, height, exif=exif, removed=removed, icc_dropped=icc_dropped)


def _jpeg_icc_valid(parts):
    """A profile split over APP2 segments (numbered 1..n) is whole only with every part, in order."""
    if sum(len(chunk) for _, _, chunk in parts) > ICC_MAX_BYTES:
        return False
    numbers = sorted(number for _, number, _ in parts)
    if numbers != list(range(1, len(parts) + 1)):
        return False
    return _icc_valid(b"".join(bytes(chunk) for _, _, chunk in sorted(parts, key=lambda part: part[1])))


def _keep_jpeg_segment(marker, payload):
    """Frame, tables and scans; JFIF; the colour profile; Adobe's colour-transform flag (dropping it shifts colours)."""
    if marker == 0xE0 or 0xC0 <= marker <= 0xDF:
        return True
    if marker == 0xE2:
        return bytes(payload[:12]) == JPEG_ICC_HEADER
    return marker == 0xEE and bytes(payload[:5]) == b"Adobe"


# WebP


def _strip_webp(data):
    view = memoryview(data)
    if len(data) < 20:
        raise _damaged("WebP")
    riff_end = 8 + int.from_bytes(view[4:8], "little")
    if riff_end > len(data) or riff_end < 20:
        raise _damaged("WebP")
    pos, chunks, removed, hidden = 12, [], set(), []
    width = height = 0
    exif = None
    animated = False
    frames = 0
    vp8x_index = None
    has_bitstream = False
    icc_dropped = False
    while pos < riff_end:
        if pos + 8 > riff_end:
            raise _damaged("WebP")
        fourcc = bytes(view[pos : pos + 4])
        length = int.from_bytes(view[pos + 4 : pos + 8], "little")
        end = pos + 8 + length + (length & 1)
        if pos + 8 + length > riff_end:
            raise _damaged("WebP")
        payload = view[pos + 8 : pos + 8 + length]
        if fourcc == b"VP8X":
            if length < 10 or chunks:
                raise _damaged("WebP")
            animated = bool(payload[0] & WEBP_FLAG_ANIMATION)
            width = 1 + int.from_bytes(payload[4:7], "little")
            height = 1 + int.from_bytes(payload[7:10], "little")
            vp8x_index = len(chunks)
        elif fourcc == b"VP8L" and not width:
            if length < 5 or payload[0] != 0x2F:
                raise _damaged("WebP")
            bits = int.from_bytes(payload[1:5], "little")
            width, height = 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
        elif fourcc == b"VP8 " and not width:
            if length < 10 or bytes(payload[3:6]) != b"\x9d\x01\x2a":
                raise _damaged("WebP")
            width = int.from_bytes(payload[6:8], "little") & 0x3FFF
            height = int.from_bytes(payload[8:10], "little") & 0x3FFF
        if fourcc in (b"ANIM", b"ANMF"):
            animated = True
            frames += fourcc == b"ANMF"
        if fourcc in (b"VP8 ", b"VP8L"):
            has_bitstream = True
        if fourcc == b"EXIF":
            exif = bytes(payload)
        if fourcc == b"ICCP" and not _icc_valid(bytes(payload)):
            icc_dropped = True
        elif fourcc in WEBP_KEEP:
            chunks.append(bytearray(view[pos : pos + 8 + length]) + (b"\x00" if length & 1 else b""))
        elif fourcc not in (b"ANIM", b"ANMF"):
            removed.add(fourcc.decode("latin-1").strip())
            hidden.append(payload)
        pos = end
    if animated:
        return _Container(data, width, height, animated=True, frames=frames)
    if not has_bitstream:
        raise _damaged("WebP")
    if vp8x_index is not None:
        dropped_flags = WEBP_FLAG_EXIF | WEBP_FLAG_XMP | (WEBP_FLAG_ICC if icc_dropped else 0)
        chunks[vp8x_index][8] &= ~dropped_flags & 0xFF
    trailing = _trailing(view[riff_end:])
    _check_hidden_content(hidden, trailing, "WebP")
    if trailing:
        removed.add("trailer")
    body = b"WEBP" + b"".join(chunks)
    riff = b"RIFF" + len(body).to_bytes(4, "little") + body
    return _Container(riff, width, height, exif=exif, removed=removed, icc_dropped=icc_dropped)


# GIF (generated only): the file is kept whole, so it stays animated; its first frame makes the renditions.


def _gif(data):
    width, height, frames = _gif_structure(data)
    _check_pixels(width, height)
    if frames > GIF_MAX_FRAMES:
        raise UploadRejected(
            f"This GIF has {frames:,} frames; the limit is {GIF_MAX_FRAMES:,}. Make a shorter animation."
        )
    container = _Container(data, width, height)
    image = _decode(data, "gif", container, animated_ok=True)
    notes = [f"Animated: {frames} frames."] if frames > 1 else []
    return CleanImage(data, "gif", width, height, image, notes)


def _gif_structure(data):
    """(width, height, frames) by walking the GIF's blocks without decoding pixels; refuses a cut-short file and
    one hiding another file or markup in its comments or after its end."""
    view = memoryview(data)
    size = len(data)
    if size < 14:
        raise _damaged("GIF")
    width, height, flags = struct.unpack("<HHB", view[6:11])
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames, hidden = 0, []

    def sub_blocks(pos, keep=None):
        while True:
            if pos >= size:
                raise _damaged("GIF")
            length = data[pos]
            if length == 0:
                return pos + 1
            if pos + 1 + length > size:
                raise _damaged("GIF")
            if keep is not None:
                keep.append(view[pos + 1 : pos + 1 + length])
            pos += 1 + length

    while True:
        if pos >= size:
            raise _damaged("GIF")
        block = data[pos]
        if block == 0x3B:  # trailer
            pos += 1
            break
        if block == 0x21:  # extension: label, then sub-blocks
            if pos + 2 > size:
                raise _damaged("GIF")
            label = data[pos + 1]
            pos = sub_blocks(pos + 2, hidden if label in (0xFE, 0xFF, 0x01) else None)
        elif block == 0x2C:  # an image: descriptor, optional palette, LZW code size, data
            if pos + 11 > size:
                raise _damaged("GIF")
            left, top, frame_width, frame_height = struct.unpack("<HHHH", view[pos + 1 : pos + 9])
            if left + frame_width > width or top + frame_height > height:
                # A frame past the canvas makes decoders grow the picture beyond the size the header declares.
                raise _damaged("GIF")
            local = data[pos + 9]
            pos += 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0) + 1
            pos = sub_blocks(pos)
            frames += 1
        else:
            raise _damaged("GIF")
    if not frames:
        raise _damaged("GIF")
    _check_hidden_content(hidden, _trailing(view[pos:]), "GIF")
    return width, height, frames


# SVG (generated only): stored as it came, shown only through <img> or its raster.


def _svg(data):
    try:
        width, height = svg_size(data)
        _check_pixels(width, height)
        preview = rasterise(data, long_edge=PREVIEW_EDGE)
    except VectorRejected as refusal:
        raise UploadRejected(str(refusal)) from None
    return CleanImage(data, "svg", width, height, preview, [])


# Decoding and normalising


def _decode(data, kind, container, *, animated_ok=False):
    """Decode every pixel (a truncated file fails here) with a pixel cap that raises rather than warns."""
    cap = settings.POSTFRAME_UPLOAD_MAX_PIXELS
    # Pillow's own guard (process-wide) as a second line behind the header check in _validate, which is what
    # holds even when another thread's catch_warnings() has just reset the filters.
    Image.MAX_IMAGE_PIXELS = cap
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[kind.upper()])
            if image.size != (container.width, container.height):
                raise _damaged(kind.upper() if kind != "webp" else "WebP")
            _check_pixels(*image.size)
            if not animated_ok and getattr(image, "n_frames", 1) > 1:
                raise _animated(image.n_frames)
            image.load()  # an animation's first frame only
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            _check_pixels(container.width, container.height)
            raise UploadRejected(f"This image has more pixels than the {cap / 1e6:g} MP limit.") from None
    return image


def _orientation(exif):
    if not exif:
        return 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns about every broken tag of a block we are discarding
            tags = Image.Exif()
            tags.load(exif)
            value = int(tags.get(ORIENTATION_TAG, 1))
    except Exception:  # a broken EXIF block only loses its rotation hint, like in a browser
        return 1
    return value if value in TRANSPOSE_FOR_ORIENTATION else 1


def _normalised(image, kind, container):
    notes = []
    if container.removed - {"trailer"}:
        notes.append("Metadata removed (camera, location, text)." if container.exif else "Metadata removed.")
    if container.icc_dropped:
        notes.append(ICC_DROPPED_NOTE)
    orientation = _orientation(container.exif)
    needs_rotation = orientation != 1
    needs_rgb = image.mode == "CMYK"
    if not (needs_rotation or needs_rgb):
        return CleanImage(container.data, kind, image.width, image.height, image, notes)

    icc = image.info.get("icc_profile")
    sampling = JpegImagePlugin.get_sampling(image) if kind == "jpeg" else -1
    if needs_rgb:
        image = image.convert("RGB")
        icc = None  # a CMYK profile does not describe RGB pixels
        notes.append("Converted from CMYK to RGB.")
    if needs_rotation:
        image = image.transpose(TRANSPOSE_FOR_ORIENTATION[orientation])
        notes.append("Turned upright, as the camera recorded.")
    out = io.BytesIO()
    options = {"icc_profile": icc} if icc else {}
    if kind == "jpeg":
        image.save(out, "JPEG", quality=95, subsampling=sampling if sampling != -1 else 0, **options)
    elif kind == "png":
        image.save(out, "PNG", **options)
    else:
        image.save(out, "WEBP", lossless=False, quality=95, **options)
    return CleanImage(out.getvalue(), kind, image.width, image.height, image, notes)
