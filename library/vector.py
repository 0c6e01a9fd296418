"""Keeping a generated SVG: check it, read its declared size, and rasterise it with resvg for the tile and preview.

SVG is never accepted as an upload (it can carry scripts). A provider's SVG is stored as it came and is only ever
shown through <img> (which runs no script) or its raster preview; the file view serves it as an attachment with a
sandboxing Content-Security-Policy. Before it is kept it must parse as XML without entity declarations, declare a
sane size, reference nothing outside itself (resvg would read a local file named by an <image href>), stay under
an element cap, and render.
"""

import io
import re
from pathlib import Path

import resvg_py
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.conf import settings
from PIL import Image

SVG_NS = "{http://www.w3.org/2000/svg}"
# A generated illustration is kilobytes to a few megabytes of paths; more is not a picture worth rasterising.
SVG_MAX_BYTES = 10 * 1024 * 1024
SVG_MAX_ELEMENTS = 50_000
# The longest edge an SVG may declare; vectors scale, so nothing real needs more.
SVG_MAX_EDGE = 16_384
# The largest raster made from an SVG (its preview, or a PNG/JPEG/WebP download of it), in pixels.
RASTER_MAX_PIXELS = 4096 * 4096
# resvg's default when an SVG declares neither a size nor a viewBox.
DEFAULT_EDGE = 100
FONT_DIRS = [str(Path(settings.BASE_DIR) / "static" / "fonts")]
UNITS = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4}
LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-z%]*)\s*")
# References that stay inside the document: a fragment, or an image embedded as a data: URL.
INTERNAL_HREF = re.compile(r"\s*(#|data:image/(png|jpeg|jpg|webp|gif);)", re.IGNORECASE)
EXTERNAL_URL_IN_STYLE = re.compile(r"url\(\s*['\"]?(?!#|data:image/)", re.IGNORECASE)
REFUSED_PREFIX = "The SVG the model made could not be kept: "


class VectorRejected(ValueError):
    """An SVG that is not kept, with a message fit to show on the job."""


def svg_size(data):
    """(width, height) in pixels that the SVG declares, checked; raises VectorRejected for anything unsafe or absurd."""
    if len(data) > SVG_MAX_BYTES:
        raise VectorRejected(f"{REFUSED_PREFIX}it is larger than {SVG_MAX_BYTES // (1024 * 1024)} MB.")
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise VectorRejected(f"{REFUSED_PREFIX}it declares XML entities, which a picture never needs.") from None
    except ParseError:
        raise VectorRejected(f"{REFUSED_PREFIX}it is not well-formed XML (damaged or cut short).") from None
    if root.tag != f"{SVG_NS}svg":  # without the SVG namespace resvg draws nothing
        raise VectorRejected(f"{REFUSED_PREFIX}it is not an SVG document.")
    for count, element in enumerate(root.iter(), start=1):
        if count > SVG_MAX_ELEMENTS:
            raise VectorRejected(f"{REFUSED_PREFIX}it has more than {SVG_MAX_ELEMENTS:,} elements.")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local == "href" and not INTERNAL_HREF.match(value):
                raise VectorRejected(f"{REFUSED_PREFIX}it refers to a file or address outside itself.")
            if local == "style" and EXTERNAL_URL_IN_STYLE.search(value):
                raise VectorRejected(f"{REFUSED_PREFIX}it refers to a file or address outside itself.")
        if element.tag == f"{SVG_NS}style" and (
            EXTERNAL_URL_IN_STYLE.search(element.text or "") or "@import" in (element.text or "")
        ):
            raise VectorRejected(f"{REFUSED_PREFIX}it refers to a file or address outside itself.")
    width, height = _declared(root)
    if not (width > 0 and height > 0):
        raise VectorRejected(f"{REFUSED_PREFIX}it declares a size of zero.")
    if max(width, height) > SVG_MAX_EDGE:
        raise VectorRejected(
            f"{REFUSED_PREFIX}it declares {width:,.0f} × {height:,.0f} px; the limit is {SVG_MAX_EDGE:,} px a side."
        )
    return max(1, round(width)), max(1, round(height))


def _declared(root):
    view_box = [_number(part) for part in re.split(r"[\s,]+", (root.get("viewBox") or "").strip()) if part]
    box = (view_box[2], view_box[3]) if len(view_box) == 4 and None not in view_box else None
    width, height = _length(root.get("width")), _length(root.get("height"))
    if width is not None and height is not None:
        return width, height
    if box and box[0] > 0 and box[1] > 0:
        # One edge given: the other follows the viewBox's ratio; none: the viewBox's own size.
        if width is not None:
            return width, width * box[1] / box[0]
        if height is not None:
            return height * box[0] / box[1], height
        return box
    return DEFAULT_EDGE if width is None else width, DEFAULT_EDGE if height is None else height


def _number(text):
    try:
        return float(text)
    except ValueError:
        return None


def _length(value):
    """A length attribute in pixels; None for a missing one or a percentage (the viewBox decides then)."""
    match = LENGTH.fullmatch(value or "")
    if not match or match[2] not in UNITS:
        return None
    return float(match[1]) * UNITS[match[2]]


def largest_edge(width, height):
    """The longest edge an SVG of this shape may be drawn at within RASTER_MAX_PIXELS."""
    return int((RASTER_MAX_PIXELS * max(width, height) / min(width, height)) ** 0.5)


def rasterise(data, *, long_edge):
    """The SVG drawn as RGBA pixels whose long edge is `long_edge` (within RASTER_MAX_PIXELS); VectorRejected if
    resvg cannot draw it."""
    width, height = svg_size(data)
    scale = long_edge / max(width, height)
    box_w, box_h = max(1, round(width * scale)), max(1, round(height * scale))
    if box_w * box_h > RASTER_MAX_PIXELS:  # rounding up may cross the cap that largest_edge keeps to; down never
        box_w, box_h = max(1, int(width * scale)), max(1, int(height * scale))
    if box_w * box_h > RASTER_MAX_PIXELS:
        raise VectorRejected(f"{REFUSED_PREFIX}drawing it at {box_w} × {box_h} px is past the raster limit.")
    try:
        png = resvg_py.svg_to_bytes(
            svg_string=data.decode("utf-8"),
            width=box_w,
            height=box_h,
            skip_system_fonts=True,
            font_dirs=FONT_DIRS,
            font_family="Inter",
            sans_serif_family="Inter",
            serif_family="EB Garamond 12",
        )
        image = Image.open(io.BytesIO(bytes(png)), formats=["PNG"])
        image.load()
    except (ValueError, UnicodeDecodeError, OSError):
        raise VectorRejected(f"{REFUSED_PREFIX}it could not be drawn (the renderer refused it).") from None
    return image.convert("RGBA")
