"""A corpus of malformed and hostile files, each refused by the ingest with a clear message and nothing stored."""

import gzip
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from library.models import Asset
from library.services import asset_ingest
from library.validators import UploadRejected
from tests.library import images

pytestmark = pytest.mark.django_db

SCRIPT = b"<script>alert(document.cookie)</script>"


def _zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
        archive.writestr("payload.html", "<html><body>" + SCRIPT.decode() + "</body></html>")
    return out.getvalue()


def _png_bomb():
    """8000 × 6000 grey pixels (48 MP, above the 40 MP cap): 48 MB of zeros that compress to ~50 KB."""
    rows = (b"\x00" + b"\x00" * 8000) * 6000
    return images.png_from_chunks(
        [(b"IHDR", images.png_ihdr(8000, 6000, 8, 0)), (b"IDAT", zlib.compress(rows, 9)), (b"IEND", b"")]
    )


def _png_declaring(width, height):
    idat = zlib.compress(b"\x00" * 64)
    return images.png_from_chunks([(b"IHDR", images.png_ihdr(width, height)), (b"IDAT", idat), (b"IEND", b"")])


def _jpeg_declaring(width, height):
    data = bytearray(images.jpeg())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _webp_declaring(width, height):
    chunks = images.riff_chunks(images.webp())
    vp8x = bytes([0, 0, 0, 0]) + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return images.riff_from_chunks([(b"VP8X", vp8x), *chunks])


def _png_bad_crc(chunk_type):
    data = bytearray(images.png())
    at = data.index(chunk_type)
    length = struct.unpack(">I", data[at - 4 : at])[0]
    crc_at = at + 4 + length
    data[crc_at : crc_at + 4] = b"\xde\xad\xbe\xef"
    return bytes(data)


def _png_broken_pixels():
    """Valid chunks and checksums around compressed data that is not a valid stream."""
    chunks = images.png_chunks(images.png(200, 200))
    broken = [(c, (p[:10] + bytes(b ^ 0x5A for b in p[10:])) if c == b"IDAT" else p) for c, p in chunks]
    return images.png_from_chunks(broken)


def _png_animated():
    out = io.BytesIO()
    images.picture().save(out, "PNG", save_all=True, append_images=[images.picture(mode="L").convert("RGB")])
    return out.getvalue()


def _webp_animated():
    out = io.BytesIO()
    frames = [images.picture(), Image.new("RGB", (64, 48), (200, 10, 10)), Image.new("RGB", (64, 48), (10, 200, 10))]
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def _webp_broken_bitstream():
    chunks = images.riff_chunks(images.webp(200, 200, lossless=True))
    fourcc, payload = chunks[-1]
    return images.riff_from_chunks([(fourcc, payload[:5] + b"\xff" * (len(payload) - 5))])


def _webp_riff_lies():
    data = bytearray(images.webp())
    data[4:8] = struct.pack("<I", len(data) * 4)
    return bytes(data)


def _jpeg_bad_segment_length():
    data = images.jpeg()
    return data[:2] + b"\xff\xe1\xff\xf0Exif\x00\x00" + b"\x00" * 20


def _png_ihdr_not_first():
    chunks = images.png_chunks(images.png())
    return images.png_from_chunks([(b"tEXt", b"Title\x00first"), *chunks])


def _encoded(fmt, **options):
    return images.encode(images.picture(), fmt, **options)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect/></svg>'

# (case, bytes, filename, words the message must contain)
CORPUS = [
    ("zero bytes", lambda: b"", "empty.png", "empty"),
    ("decompression bomb (48 MP of zeros in 50 KB)", _png_bomb, "bomb.png", "limit is 40 MP"),
    ("png declaring 100000 x 100000", lambda: _png_declaring(100_000, 100_000), "huge.png", "100,000 × 100,000"),
    ("png declaring 50 million x 1", lambda: _png_declaring(50_000_000, 1), "strip.png", "limit is 40 MP"),
    ("jpeg declaring 65000 x 65000", lambda: _jpeg_declaring(65_000, 65_000), "huge.jpg", "65,000 × 65,000"),
    ("webp declaring 16383 x 16383", lambda: _webp_declaring(16_383, 16_383), "huge.webp", "limit is 40 MP"),
    ("png declaring zero width", lambda: _png_declaring(0, 10), "zero.png", "0 pixels"),
    ("png cut in half", lambda: images.png(200, 200)[:-300], "cut.png", "damaged or cut short"),
    ("png without IEND", lambda: images.png()[:-12], "noend.png", "damaged or cut short"),
    ("png signature only", lambda: b"\x89PNG\r\n\x1a\n", "sig.png", "damaged or cut short"),
    ("png with IHDR not first", _png_ihdr_not_first, "order.png", "damaged or cut short"),
    ("png with a wrong IHDR checksum", lambda: _png_bad_crc(b"IHDR"), "crc.png", "checksums"),
    ("png with a wrong IDAT checksum", lambda: _png_bad_crc(b"IDAT"), "crc2.png", "checksums"),
    ("png whose pixel data is garbage", _png_broken_pixels, "garbage.png", "damaged"),
    ("png with an unknown critical chunk", lambda: images.png_with_chunk(images.png(), b"ZZZZ", b"?"), "c.png", "ZZZZ"),
    ("jpeg cut in half", lambda: images.jpeg(200, 200)[: len(images.jpeg(200, 200)) // 2], "cut.jpg", "damaged"),
    ("jpeg without its end marker", lambda: images.jpeg()[:-2], "noend.jpg", "damaged or cut short"),
    ("jpeg start marker only", lambda: b"\xff\xd8\xff", "soi.jpg", "damaged or cut short"),
    ("jpeg with a segment running past the end", _jpeg_bad_segment_length, "seg.jpg", "damaged or cut short"),
    ("webp cut in half", lambda: images.webp(200, 200)[:-200], "cut.webp", "damaged or cut short"),
    ("webp whose RIFF size lies", _webp_riff_lies, "lies.webp", "damaged or cut short"),
    ("webp header only", lambda: b"RIFF\x04\x00\x00\x00WEBP", "head.webp", "damaged or cut short"),
    ("webp whose bitstream is garbage", _webp_broken_bitstream, "garbage.webp", "damaged"),
    ("animated png (2 frames)", _png_animated, "anim.png", "2 frames"),
    ("animated webp (3 frames)", _webp_animated, "anim.webp", "3 frames"),
    ("png/zip polyglot", lambda: images.png() + _zip(), "poly.png", "another file"),
    ("jpeg/html polyglot in a comment", lambda: images.jpeg_with_segment(images.jpeg(), 0xFE, SCRIPT), "p.jpg", "HTML"),
    ("jpeg/html polyglot after the end", lambda: images.jpeg() + b"<html>" + SCRIPT, "poly.jpg", "HTML or script"),
    (
        "png with script in a text chunk",
        lambda: images.png_with_chunk(images.png(), b"tEXt", b"c\x00" + SCRIPT),
        "t.png",
        "HTML",
    ),
    ("svg with a script", lambda: SVG, "logo.svg", "SVG files are refused"),
    (
        "svg with an xml prolog, named .png",
        lambda: b'<?xml version="1.0"?>\n' + SVG,
        "logo.png",
        "SVG files are refused",
    ),
    ("gzip-compressed svg", lambda: gzip.compress(SVG), "logo.svgz", "compressed archive"),
    ("html page", lambda: b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>", "page.html", "HTML files"),
    ("html named .jpg", lambda: b"  <html><head></head><body>hi</body></html>", "photo.jpg", "name ends in .jpg"),
    ("gif", lambda: _encoded("GIF"), "anim.gif", "GIF is not supported"),
    ("bmp", lambda: _encoded("BMP"), "scan.bmp", "BMP is not supported"),
    ("tiff", lambda: _encoded("TIFF"), "scan.tiff", "TIFF is not supported"),
    ("tiff named .png", lambda: _encoded("TIFF"), "scan.png", "name ends in .png"),
    ("pdf", lambda: _encoded("PDF"), "brief.pdf", "PDF files"),
    ("zip named .jpg", _zip, "photos.jpg", "ZIP archive"),
    ("heic", lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "IMG_0001.HEIC", "HEIC"),
    ("ico", lambda: _encoded("ICO"), "favicon.ico", "Icon files"),
    ("plain text", lambda: b"just some notes, not an image\n", "notes.png", "not a PNG, JPEG or WebP image"),
    ("random bytes", lambda: bytes(range(256)) * 8, "noise.webp", "not a PNG, JPEG or WebP image"),
]


def _stored_files():
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_the_corpus_holds_at_least_thirty_hostile_files():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize(("case", "build", "filename", "expected"), CORPUS, ids=[row[0] for row in CORPUS])
def test_it_refuses_each_hostile_file_with_a_clear_message_and_stores_nothing(
    case, build, filename, expected, team, member
):
    with pytest.raises(UploadRejected) as refusal:
        asset_ingest(team=team, user=member, data=build(), filename=filename)

    assert expected in refusal.value.message
    assert refusal.value.message.endswith((".", ")")), "a message is a sentence the user can read"
    assert "Traceback" not in refusal.value.message
    assert Asset.objects.count() == 0
    assert _stored_files() == []


def test_it_refuses_a_file_over_the_byte_cap_before_decoding_it(team, member, settings):
    settings.POSTFRAME_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(UploadRejected, match="the limit is 1000"):
        asset_ingest(team=team, user=member, data=images.png(300, 300), filename="big.png")
    assert Asset.objects.count() == 0
    assert _stored_files() == []


def test_it_refuses_an_image_over_the_configured_pixel_cap(team, member, settings):
    settings.POSTFRAME_UPLOAD_MAX_PIXELS = 1000
    with pytest.raises(UploadRejected, match=r"64 × 48 pixels .* the limit is 0.001 MP"):
        asset_ingest(team=team, user=member, data=images.png(64, 48), filename="small.png")
    assert Asset.objects.count() == 0
