"""Image files made by the tests themselves: good ones of each format, and the pieces to build hostile ones."""

import io
import struct
import zlib

from PIL import Image, ImageDraw

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def picture(width=64, height=48, mode="RGB"):
    """A small image with some structure, so encoders produce realistic files."""
    image = Image.new("RGB", (width, height), (40, 90, 160))
    draw = ImageDraw.Draw(image)
    draw.rectangle([width // 4, height // 4, width // 2, height // 2], fill=(240, 200, 40))
    draw.line([0, height - 1, width - 1, 0], fill=(255, 255, 255), width=2)
    return image.convert(mode) if mode != "RGB" else image


def encode(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def png(width=64, height=48, mode="RGB", **options):
    return encode(picture(width, height, mode), "PNG", **options)


def jpeg(width=64, height=48, mode="RGB", **options):
    return encode(picture(width, height, mode), "JPEG", quality=90, **options)


def webp(width=64, height=48, mode="RGB", **options):
    return encode(picture(width, height, mode), "WEBP", **options)


def gps_exif(orientation=1):
    """EXIF with a camera, a GPS position in Paris, and an orientation."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneCo"  # Make
    exif[0x0110] = "PhoneCo X1"  # Model
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}
    return exif


def png_chunk(ctype, payload, *, crc=None):
    body = ctype + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body) if crc is None else crc)


def png_chunks(data):
    """[(type, payload)] of a PNG."""
    pos, chunks = 8, []
    while pos < len(data):
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        chunks.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return chunks


def png_from_chunks(chunks):
    return b"\x89PNG\r\n\x1a\n" + b"".join(png_chunk(ctype, payload) for ctype, payload in chunks)


def png_with_chunk(data, ctype, payload, *, before=b"IDAT"):
    """A PNG with an extra chunk inserted before the first `before` chunk."""
    chunks = png_chunks(data)
    index = next(i for i, (c, _) in enumerate(chunks) if c == before)
    return png_from_chunks([*chunks[:index], (ctype, payload), *chunks[index:]])


def png_ihdr(width, height, bit_depth=8, color_type=2):
    return struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)


def jpeg_segment(marker, payload):
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with_segment(data, marker, payload):
    """A JPEG with a segment inserted right after SOI."""
    return data[:2] + jpeg_segment(marker, payload) + data[2:]


def riff_chunks(data):
    """[(fourcc, payload)] of a WebP."""
    pos, chunks = 12, []
    while pos + 8 <= len(data):
        fourcc, length = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        chunks.append((fourcc, data[pos + 8 : pos + 8 + length]))
        pos += 8 + length + (length & 1)
    return chunks


def riff_from_chunks(chunks):
    body = b"WEBP" + b"".join(
        fourcc + struct.pack("<I", len(payload)) + payload + (b"\x00" if len(payload) & 1 else b"")
        for fourcc, payload in chunks
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def decoded(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def animated_gif(width=96, height=64, colours=((220, 30, 30), (30, 60, 220), (30, 200, 60)), **options):
    """An animated GIF, one flat colour per frame (red first), as a model's GIF output looks."""
    frames = [Image.new("RGB", (width, height), colour) for colour in colours]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=120, loop=0, **options)
    return out.getvalue()


SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'


def svg(body='<rect width="300" height="200" fill="#dc1e1e"/>', *, size='width="300" height="200"', extra=""):
    """A small SVG document (a red 300 × 200 rectangle unless told otherwise), as a model's SVG output looks."""
    return f"<svg {SVG_NS} {size} {extra}>{body}</svg>".encode()
