"""Colour profiles in uploads: kept when they parse as an ICC profile of at most 1 MB, dropped otherwise.

A dropped profile never costs the image: it is stored without it, at the container level (no re-encoding).
"""

import io
import zlib

import pytest
from PIL import Image, ImageCms

from library.selectors import asset_bytes
from library.services import asset_ingest
from library.validators import ICC_DROPPED_NOTE, ICC_MAX_BYTES, validate_image
from tests.library import images

pytestmark = pytest.mark.django_db


def _srgb_profile():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _iccp(profile, name=b"ICC profile"):
    return name + b"\x00\x00" + zlib.compress(profile, 9)


def _chunk_types(data):
    return [ctype for ctype, _ in images.png_chunks(data)]


def _idat(data):
    return b"".join(payload for ctype, payload in images.png_chunks(data) if ctype == b"IDAT")


def test_a_small_png_carrying_900_kb_of_junk_as_its_profile_is_stored_without_it(team, member):
    original = images.png(8, 8)
    data = images.png_with_chunk(original, b"iCCP", _iccp(b"\x00junk" * 180_000))
    assert len(data) < 2_000  # the junk compresses to almost nothing: the size of the file says little

    asset = asset_ingest(team=team, user=member, data=data, filename="tiny.png")

    stored = asset_bytes(asset)
    assert b"iCCP" not in _chunk_types(stored)
    assert _idat(stored) == _idat(data)  # the pixels were not re-encoded
    assert ICC_DROPPED_NOTE in asset.notes
    assert images.decoded(stored).size == (8, 8)


def test_a_real_srgb_profile_is_kept(team, member):
    profile = _srgb_profile()
    data = images.png_with_chunk(images.png(32, 24), b"iCCP", _iccp(profile))

    asset = asset_ingest(team=team, user=member, data=data, filename="srgb.png")

    stored = asset_bytes(asset)
    assert Image.open(io.BytesIO(stored)).info["icc_profile"] == profile
    assert ICC_DROPPED_NOTE not in asset.notes


def test_a_profile_over_1_mb_is_dropped_even_when_it_parses():
    padded = _srgb_profile() + b"\x00" * ICC_MAX_BYTES
    data = images.png_with_chunk(images.png(16, 16), b"iCCP", _iccp(padded))

    clean = validate_image(data, filename="padded.png")

    assert b"iCCP" not in _chunk_types(clean.data)
    assert ICC_DROPPED_NOTE in clean.notes


def test_a_profile_that_will_not_inflate_is_dropped_and_the_image_kept():
    data = images.png_with_chunk(images.png(16, 16), b"iCCP", b"ICC profile\x00\x00not zlib at all")

    clean = validate_image(data, filename="broken.png")

    assert b"iCCP" not in _chunk_types(clean.data)
    assert (clean.width, clean.height) == (16, 16)


def _app2_icc(profile, number=1, count=1):
    return b"ICC_PROFILE\x00" + bytes((number, count)) + profile


def test_a_jpeg_keeps_a_real_profile_split_over_two_segments():
    profile = _srgb_profile()
    half = len(profile) // 2
    data = images.jpeg(40, 30)
    data = images.jpeg_with_segment(data, 0xE2, _app2_icc(profile[half:], 2, 2))
    data = images.jpeg_with_segment(data, 0xE2, _app2_icc(profile[:half], 1, 2))

    clean = validate_image(data, filename="photo.jpg")

    assert Image.open(io.BytesIO(clean.data)).info["icc_profile"] == profile
    assert ICC_DROPPED_NOTE not in clean.notes


@pytest.mark.parametrize(
    "segments",
    [
        pytest.param([_app2_icc(b"junk" * 1000)], id="junk"),
        pytest.param([_app2_icc(b"\x00" * 200, 1, 2)], id="a part missing"),
    ],
)
def test_a_jpeg_drops_a_profile_that_does_not_parse(segments):
    data = images.jpeg(40, 30)
    for segment in reversed(segments):
        data = images.jpeg_with_segment(data, 0xE2, segment)

    clean = validate_image(data, filename="photo.jpg")

    assert b"ICC_PROFILE" not in clean.data
    assert "icc_profile" not in Image.open(io.BytesIO(clean.data)).info
    assert ICC_DROPPED_NOTE in clean.notes


def test_a_webp_drops_a_junk_profile_and_no_longer_claims_one():
    with_profile = images.webp(40, 30, icc_profile=_srgb_profile())
    chunks = [(c, b"junk" * 500 if c == b"ICCP" else p) for c, p in images.riff_chunks(with_profile)]
    data = images.riff_from_chunks(chunks)

    clean = validate_image(data, filename="art.webp")

    kept = dict(images.riff_chunks(clean.data))
    assert b"ICCP" not in kept
    assert not kept[b"VP8X"][0] & 0x20  # the header's "has a profile" flag goes with it
    assert images.decoded(clean.data).size == (40, 30)
    assert ICC_DROPPED_NOTE in clean.notes


def test_a_webp_keeps_a_real_profile():
    profile = _srgb_profile()

    clean = validate_image(images.webp(40, 30, icc_profile=profile), filename="art.webp")

    assert Image.open(io.BytesIO(clean.data)).info["icc_profile"] == profile
