"""A model's animated GIF is kept whole and stays animated; uploads of GIF are still refused; the caps still apply."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from library import validators
from library.models import Asset
from library.selectors import asset_bytes, asset_url
from library.services import Origin, asset_ingest, asset_renditions_remake
from library.storage import files_listed
from library.validators import UploadRejected
from tests.library import images

pytestmark = pytest.mark.django_db


def generated(team, user, data, filename="made.gif"):
    origin = Origin(source=Asset.Source.GENERATED, provenance={"prompt": "A blinking neon sign", "model_id": "x"})
    return asset_ingest(team=team, user=user, data=data, filename=filename, origin=origin)


def stored_files(team):
    return [key for key, _ in files_listed(f"teams/{team.pk}")]


def test_a_generated_animated_gif_is_kept_byte_for_byte_and_stays_animated(team, member):
    data = images.animated_gif()
    asset = generated(team, member, data)

    assert (asset.kind, asset.format, asset.width, asset.height) == ("image", "gif", 96, 64)
    assert asset.file.endswith(".gif") and asset.content_type == "image/gif"
    assert asset_bytes(asset) == data
    kept = Image.open(io.BytesIO(asset_bytes(asset)))
    assert kept.is_animated and kept.n_frames == 3
    assert "Animated: 3 frames." in asset.notes


def test_its_tile_and_preview_are_webp_made_from_the_first_frame(team, member):
    asset = generated(team, member, images.animated_gif())

    for variant in ("thumb", "preview"):
        picture = images.decoded(asset_bytes(asset, variant))
        assert picture.format == "WEBP" and picture.size == (96, 64)
        red, green, blue = picture.convert("RGB").getpixel((48, 32))
        assert red > 180 and blue < 80  # the first frame's red, not a later frame's blue


def test_the_file_view_and_the_download_serve_the_animation_itself(client_for, member, team):
    data = images.animated_gif()
    asset = generated(team, member, data)
    client = client_for(member)

    shown = client.get(asset_url(asset))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/gif"
    assert b"".join(shown) == data
    downloaded = client.get(reverse("library_asset_download", args=[asset.pk]), {"format": "gif"})
    assert downloaded.status_code == 200 and downloaded["Content-Disposition"].startswith("attachment")
    assert Image.open(io.BytesIO(b"".join(downloaded))).n_frames == 3


def test_the_detail_page_shows_the_moving_original_and_offers_a_still_as_png(client_for, member, team):
    asset = generated(team, member, images.animated_gif())
    client = client_for(member)

    page = client.get(reverse("library_asset", args=[asset.pk])).content.decode()
    assert f'src="{asset_url(asset)}"' in page and "Animated GIF" in page
    assert "?reference=" not in page  # the studio takes PNG, JPEG and WebP references
    still = client.get(reverse("library_asset_download", args=[asset.pk]), {"format": "png"})
    assert still.status_code == 200 and images.decoded(b"".join(still)).format == "PNG"


def test_an_uploaded_gif_is_still_refused_and_nothing_is_stored(team, member):
    with pytest.raises(UploadRejected, match="GIF is not supported"):
        asset_ingest(team=team, user=member, data=images.animated_gif(), filename="party.gif")

    assert not Asset.objects.exists() and stored_files(team) == []


def test_the_pixel_cap_applies_to_a_generated_gif(team, member, settings):
    settings.POSTFRAME_UPLOAD_MAX_PIXELS = 96 * 64 - 1

    with pytest.raises(UploadRejected, match="the limit is"):
        generated(team, member, images.animated_gif())
    assert not Asset.objects.exists() and stored_files(team) == []


def test_a_gif_past_the_frame_cap_is_refused(team, member, monkeypatch):
    monkeypatch.setattr(validators, "GIF_MAX_FRAMES", 2)

    with pytest.raises(UploadRejected, match="This GIF has 3 frames; the limit is 2"):
        generated(team, member, images.animated_gif())
    assert not Asset.objects.exists()


def test_a_cut_short_gif_is_refused_as_damaged(team, member):
    data = images.animated_gif()

    with pytest.raises(UploadRejected, match="damaged or cut short"):
        generated(team, member, data[: len(data) - 40])
    assert not Asset.objects.exists() and stored_files(team) == []


def test_a_gif_with_an_archive_after_its_end_is_refused(team, member):
    smuggled = images.animated_gif() + b"PK\x03\x04" + b"\x00" * 40

    with pytest.raises(UploadRejected, match="another file"):
        generated(team, member, smuggled)


def test_a_gif_whose_comment_carries_script_is_refused(team, member):
    with pytest.raises(UploadRejected, match="web-page code"):
        generated(team, member, images.animated_gif(comment=b"<script>alert(1)</script>"))


def test_its_renditions_can_be_made_again_from_the_original(team, member):
    asset = generated(team, member, images.animated_gif())
    before = asset.thumb

    made = asset_renditions_remake(asset=asset)

    assert made["thumb"] != before
    asset.refresh_from_db()
    assert images.decoded(asset_bytes(asset, "thumb")).format == "WEBP"


def test_a_generated_gif_with_renditions_later_is_whole_at_once(team, member):
    origin = Origin(source=Asset.Source.GENERATED)
    asset = asset_ingest(
        team=team, user=member, data=images.animated_gif(), filename="m.gif", origin=origin, renditions_later=True
    )

    assert asset.thumb == "" and asset_bytes(asset, "thumb") == asset_bytes(asset)


def test_a_gif_whose_frame_reaches_past_its_canvas_is_refused(team, member):
    data = bytearray(images.animated_gif(96, 64))
    descriptor = data.index(b"\x2c\x00\x00\x00\x00")  # the first frame, at 0,0
    data[descriptor + 5 : descriptor + 9] = (20000).to_bytes(2, "little") + (20000).to_bytes(2, "little")

    with pytest.raises(UploadRejected, match="damaged or cut short"):
        generated(team, member, bytes(data))
    assert not Asset.objects.exists()
