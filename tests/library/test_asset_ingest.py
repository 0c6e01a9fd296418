"""asset_ingest: what reaches storage is clean, findable, de-duplicated for uploads and never for generations."""

import hashlib
import io
import struct
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from library.models import PREVIEW_EDGE, THUMB_EDGE, Asset
from library.selectors import asset_bytes
from library.services import Origin, asset_ingest
from library.storage import asset_storage
from tests.factories import TeamFactory
from tests.library import images
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db


def _ingest(team, user, data, filename="photo.jpg", **origin):
    return asset_ingest(team=team, user=user, data=data, filename=filename, origin=Origin(**origin))


def test_it_stores_an_upload_with_its_facts_and_says_it_was_created(team, member):
    data = images.png(640, 480)
    asset = _ingest(team, member, data, "Summer Hero Shot.png")

    assert asset.created is True
    assert (asset.name, asset.kind, asset.source, asset.format) == ("Summer Hero Shot", "image", "upload", "png")
    assert (asset.width, asset.height) == (640, 480)
    assert asset.created_by == member
    stored = asset_bytes(asset)
    assert asset.bytes == len(stored)
    assert asset.sha256 == hashlib.sha256(stored).hexdigest()


def test_it_never_puts_the_users_filename_in_the_storage_path(team, member):
    asset = _ingest(team, member, images.png(), "Client Secret Launch Plan.png")

    for key in asset.storage_keys:
        assert "client" not in key.lower() and "secret" not in key.lower()
        assert asset_storage().exists(key)
    assert asset.file.endswith(".png")


def test_it_makes_a_grid_tile_and_a_large_preview_as_webp(team, member):
    asset = _ingest(team, member, images.png(3000, 1500), "wide.png")

    thumb = images.decoded(asset_bytes(asset, "thumb"))
    preview = images.decoded(asset_bytes(asset, "preview"))
    assert (thumb.format, thumb.size) == ("WEBP", (THUMB_EDGE, THUMB_EDGE // 2))
    assert (preview.format, preview.size) == ("WEBP", (PREVIEW_EDGE, PREVIEW_EDGE // 2))
    assert preview.size[0] >= 512


def test_it_never_enlarges_a_small_image_for_its_renditions(team, member):
    asset = _ingest(team, member, images.png(100, 80), "tiny.png")
    assert images.decoded(asset_bytes(asset, "preview")).size == (100, 80)


def test_it_removes_gps_and_camera_data_from_a_jpeg_and_says_so(team, member):
    data = images.encode(images.picture(), "JPEG", exif=images.gps_exif())
    assert b"PhoneCo" in data

    asset = _ingest(team, member, data, "IMG_2041.jpg")
    stored = asset_bytes(asset)

    assert b"PhoneCo" not in stored and b"Exif" not in stored
    exif = images.decoded(stored).getexif()
    assert images.GPS_IFD not in exif and not exif.get_ifd(images.GPS_IFD)
    assert any("Metadata removed" in note for note in asset.notes)


def test_it_keeps_the_jpeg_pixels_untouched_when_only_metadata_goes(team, member):
    plain = images.jpeg(200, 100)
    with_exif = images.jpeg_with_segment(plain, 0xE1, images.gps_exif().tobytes())
    assert b"PhoneCo" in with_exif
    asset = _ingest(team, member, with_exif, "camera.jpg")
    assert asset_bytes(asset) == plain  # no re-encode: the same bytes as the file without its EXIF


def test_it_turns_a_photo_upright_from_its_exif_orientation(team, member):
    # Landscape pixels that the camera marked "rotate 90° clockwise to view".
    data = images.encode(images.picture(120, 60), "JPEG", exif=images.gps_exif(orientation=6))
    asset = _ingest(team, member, data, "portrait.jpg")

    stored = images.decoded(asset_bytes(asset))
    assert (asset.width, asset.height) == (60, 120) == stored.size
    assert stored.getexif().get(images.ORIENTATION, 1) == 1
    assert any("upright" in note for note in asset.notes)


def test_it_converts_a_cmyk_jpeg_to_rgb(team, member):
    asset = _ingest(team, member, images.jpeg(mode="CMYK"), "print.jpg")

    stored = images.decoded(asset_bytes(asset))
    assert (stored.format, stored.mode) == ("JPEG", "RGB")
    assert any("CMYK" in note for note in asset.notes)


def test_it_keeps_the_colour_profile_of_a_jpeg(team, member):
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = images.encode(images.picture(), "JPEG", icc_profile=profile, exif=images.gps_exif())
    asset = _ingest(team, member, data, "graded.jpg")
    assert images.decoded(asset_bytes(asset)).info.get("icc_profile") == profile


def test_it_accepts_a_16_bit_png_as_it_is_and_still_makes_its_tile(team, member):
    grey16 = Image.linear_gradient("L").resize((300, 200)).convert("I").point(lambda v: v * 256).convert("I;16")
    data = images.encode(grey16, "PNG")
    assert images.decoded(data).mode == "I;16"

    asset = _ingest(team, member, data, "depth.png")

    assert images.decoded(asset_bytes(asset)).mode == "I;16"
    thumb = images.decoded(asset_bytes(asset, "thumb")).convert("L")
    assert thumb.getextrema()[1] > 200  # the tile is scaled to 8 bits, not clipped to white


def test_it_strips_png_text_time_and_exif_chunks_without_touching_the_pixel_data(team, member):
    clean = images.png(100, 100)
    info = PngInfo()
    info.add_text("Author", "Jane Doe, 12 Rue X, Paris")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>Jane</x:xmpmeta>")
    info.add(b"tIME", struct.pack(">HBBBBB", 2026, 5, 1, 9, 30, 0))
    dirty = images.encode(images.picture(100, 100), "PNG", pnginfo=info, exif=images.gps_exif())
    assert b"Jane Doe" in dirty and b"eXIf" in dirty

    stored = asset_bytes(_ingest(team, member, dirty, "drawing.png"))

    assert [c for c, _ in images.png_chunks(stored)] == [c for c, _ in images.png_chunks(clean)]
    assert b"Jane" not in stored and b"PhoneCo" not in stored
    assert dict(images.png_chunks(stored))[b"IDAT"] == dict(images.png_chunks(clean))[b"IDAT"]


def test_it_strips_exif_and_xmp_from_a_webp_and_clears_their_flags(team, member):
    data = images.encode(images.picture(), "WEBP", exif=images.gps_exif(), xmp=b"<x:xmpmeta>Jane</x:xmpmeta>")
    assert b"PhoneCo" in data

    stored = asset_bytes(_ingest(team, member, data, "story.webp"))

    fourccs = [fourcc for fourcc, _ in images.riff_chunks(stored)]
    assert b"EXIF" not in fourccs and b"XMP " not in fourccs
    assert b"PhoneCo" not in stored and b"Jane" not in stored
    vp8x = dict(images.riff_chunks(stored)).get(b"VP8X")
    assert vp8x is None or vp8x[0] & 0x0C == 0
    assert images.decoded(stored).size == (64, 48)


def test_it_trusts_the_content_not_the_extension(team, member):
    asset = _ingest(team, member, images.png(), "actually-a-png.jpg")
    assert asset.format == "png" and asset.file.endswith(".png")
    assert asset.content_type == "image/png"


def test_it_returns_the_existing_asset_for_the_same_upload_and_stores_nothing_new(team, member):
    first = _ingest(team, member, images.png(), "one.png")
    files_before = sorted(p.name for p in _files())

    again = _ingest(team, member, images.png(), "copy of one.png")

    assert again.pk == first.pk and again.created is False
    assert Asset.objects.count() == 1
    assert sorted(p.name for p in _files()) == files_before


def test_it_treats_a_copy_that_only_differs_in_metadata_as_the_same_upload(team, member):
    plain = images.jpeg()
    first = _ingest(team, member, plain, "a.jpg")
    again = _ingest(team, member, images.jpeg_with_segment(plain, 0xE1, b"Exif\x00\x00MM\x00*"), "b.jpg")
    assert again.pk == first.pk and again.created is False


def test_it_never_deduplicates_generated_images_each_keeps_its_provenance(team, member):
    first = _ingest(team, member, images.png(), "gen.png", source="generated", provenance={"job_id": "a"})
    second = _ingest(team, member, images.png(), "gen.png", source="generated", provenance={"job_id": "b"})

    assert first.pk != second.pk and second.created is True
    assert [a.provenance["job_id"] for a in Asset.objects.order_by("id")] == ["a", "b"]


def test_it_deduplicates_only_within_a_team(team, member):
    other = TeamFactory()
    mine = _ingest(team, member, images.png(), "x.png")
    theirs = _ingest(other, member, images.png(), "x.png")
    assert mine.pk != theirs.pk and theirs.created is True and theirs.team == other


def test_it_keeps_the_provenance_and_copies_the_model_for_filtering(team, member):
    provenance = {"prompt": "a fox in neon rain", "model_id": "openai:gpt-image-2", "seed": 42, "cost": 8}
    asset = _ingest(team, member, images.png(), "fox.png", source="generated", provenance=provenance)

    asset.refresh_from_db()
    assert asset.provenance == provenance
    assert asset.model_id == "openai:gpt-image-2"
    assert "neon rain" in asset.search_text and "GPT Image 2" in asset.search_text


def test_it_links_a_refinement_to_its_parent(team, member):
    parent = stored_asset(team, member)
    child = _ingest(team, member, images.png(30, 30), "v2.png", source="generated", parent=parent.pk)
    assert child.parent == parent
    assert child.provenance["parent_asset_id"] == parent.pk


def test_it_never_links_to_a_parent_of_another_team(team, member):
    foreign = stored_asset(TeamFactory(), member)
    child = _ingest(team, member, images.png(30, 30), "v2.png", source="generated", parent=foreign)
    assert child.parent is None


def test_it_names_a_generated_image_after_its_prompt_when_no_name_is_given(team, member):
    asset = _ingest(team, member, images.png(), "", source="generated", provenance={"prompt": "  A  red fox  "})
    assert asset.name == "A red fox"


def test_a_stored_file_round_trips_through_pillow_unchanged_in_size(team, member):
    asset = _ingest(team, member, images.webp(90, 70), "a.webp")
    assert Image.open(io.BytesIO(asset_bytes(asset))).size == (90, 70)


def _files():
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()]
