"""video_ingest keeps an H.264 MP4/MOV with its size, length and a poster; the file view answers range requests."""

import hashlib
import re

import pytest
from django.urls import reverse

from library import video as video_module
from library.models import Asset
from library.selectors import asset_bytes, asset_url
from library.services import Origin, asset_ingest, asset_renditions_remake, video_ingest
from library.storage import files_listed
from library.validators import UploadRejected
from tests.library import images, videos
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def two_seconds():
    return videos.clip(seconds=2, fps=10, width=96, height=64, audio="aac")


def ingest(team, user, data, *, source=Asset.Source.GENERATED, **origin):
    return video_ingest(team=team, user=user, data=data, filename="clip.mp4", origin=Origin(source=source, **origin))


def nothing_stored(team):
    return not Asset.objects.exists() and not list(files_listed(f"teams/{team.pk}"))


def test_it_keeps_an_h264_mp4_with_its_size_length_and_provenance(team, member, two_seconds):
    parent = stored_asset(team, member)
    asset = ingest(
        team, member, two_seconds, provenance={"prompt": "A lighthouse at dusk, slow push in"}, parent=parent
    )

    assert (asset.kind, asset.format, asset.source) == ("video", "mp4", "generated")
    assert (asset.width, asset.height, asset.duration_ms) == (96, 64, 2000)
    assert asset.duration_label == "0:02" and asset.content_type == "video/mp4"
    assert asset.file.endswith(".mp4") and asset_bytes(asset) == two_seconds
    assert asset.sha256 == hashlib.sha256(two_seconds).hexdigest() and asset.bytes == len(two_seconds)
    assert asset.name == "A lighthouse at dusk, slow push in" and asset.parent == parent
    assert asset.provenance["parent_asset_id"] == parent.pk and asset.created is True


def test_its_poster_is_the_first_frame_as_the_tile_and_preview(team, member, two_seconds):
    asset = ingest(team, member, two_seconds)

    for variant in ("thumb", "preview"):
        poster = images.decoded(asset_bytes(asset, variant))
        assert poster.format == "WEBP" and poster.size == (96, 64)
        assert min(poster.convert("RGB").getpixel((10, 10))) > 200  # the white corner of frame one
        red, green, blue = poster.convert("RGB").getpixel((80, 50))
        assert red < 60  # frame one is the darkest; the last frame's red is bright


def test_a_mov_without_sound_is_kept_as_mp4(team, member):
    asset = ingest(team, member, videos.clip(container="mov"))
    assert (asset.format, asset.duration_ms) == ("mp4", 1000)


def test_uploads_of_the_same_video_are_one_asset_and_generated_ones_never_merge(team, member, two_seconds):
    first = ingest(team, member, two_seconds, source=Asset.Source.UPLOAD)
    again = ingest(team, member, two_seconds, source=Asset.Source.UPLOAD)
    made = ingest(team, member, two_seconds)

    assert again.pk == first.pk and again.created is False
    assert made.pk != first.pk


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: videos.clip(codec="mpeg4"), "encoded as MPEG4, not H.264"),
        (lambda: videos.clip(container="mov", audio="pcm_s16le"), "sound is PCM_S16LE, which browsers cannot play"),
        (lambda: images.png(), "not an MP4 or MOV video"),
        (lambda: b"", "empty"),
        (lambda: videos.clip(seconds=2)[:-700], "cut short"),
        (lambda: videos.clip()[:300], "cut short"),
    ],
    ids=["mpeg4", "pcm-sound", "png", "empty", "cut-end", "cut-index"],
)
def test_it_refuses_what_a_browser_cannot_play_or_what_is_broken_storing_nothing(team, member, make, message):
    with pytest.raises(UploadRejected, match=message):
        ingest(team, member, make())
    assert nothing_stored(team)


def test_it_refuses_a_video_past_the_byte_cap(team, member, settings, two_seconds):
    settings.POSTFRAME_VIDEO_MAX_BYTES = len(two_seconds) - 1
    with pytest.raises(UploadRejected, match="the limit is"):
        ingest(team, member, two_seconds)
    assert nothing_stored(team)


def test_it_refuses_a_video_longer_than_ten_minutes(team, member, monkeypatch, two_seconds):
    monkeypatch.setattr(video_module, "VIDEO_MAX_SECONDS", 1)  # the rule at a scale a test can encode quickly
    with pytest.raises(UploadRejected, match="is 0:02 long; the limit is 0 minutes"):
        ingest(team, member, two_seconds)


def test_it_refuses_a_video_past_the_pixel_cap(team, member, monkeypatch, two_seconds):
    monkeypatch.setattr(video_module, "VIDEO_MAX_PIXELS", 96 * 64 - 1)
    with pytest.raises(UploadRejected, match="96 × 64 pixels; the limit is"):
        ingest(team, member, two_seconds)


def test_the_image_ingest_still_refuses_a_video(team, member, two_seconds):
    with pytest.raises(UploadRejected, match="Videos are not supported as uploads yet"):
        asset_ingest(team=team, user=member, data=two_seconds, filename="clip.mp4")


def test_its_poster_can_be_made_again(team, member, two_seconds):
    asset = ingest(team, member, two_seconds)
    made = asset_renditions_remake(asset=asset)
    assert made["thumb"] != asset.thumb and images.decoded(asset_bytes(asset, "thumb")).format == "WEBP"


# The file view: whole, and in ranges so a player can seek.


def test_the_file_view_streams_the_whole_video_and_says_it_takes_ranges(client_for, member, team, two_seconds):
    asset = ingest(team, member, two_seconds)
    response = client_for(member).get(asset_url(asset))

    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes" and int(response["Content-Length"]) == len(two_seconds)
    assert b"".join(response) == two_seconds


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-50", -50, None), ("bytes=10-999999999", 10, None)],
)
def test_a_range_request_answers_206_with_those_bytes(client_for, member, team, two_seconds, header, first, last):
    asset = ingest(team, member, two_seconds)
    size = len(two_seconds)
    start = first % size
    end = size - 1 if last is None else last

    response = client_for(member).get(asset_url(asset), HTTP_RANGE=header)

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert int(response["Content-Length"]) == end - start + 1
    assert b"".join(response) == two_seconds[start : end + 1]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_range_past_the_end_answers_416_with_the_size(client_for, member, team, two_seconds):
    asset = ingest(team, member, two_seconds)
    response = client_for(member).get(asset_url(asset), HTTP_RANGE=f"bytes={len(two_seconds)}-")

    assert response.status_code == 416 and response["Content-Range"] == f"bytes */{len(two_seconds)}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-9", "items=0-5", "bytes=9-2", "bytes=abc"])
def test_ranges_it_does_not_answer_get_the_whole_file(client_for, member, team, two_seconds, header):
    asset = ingest(team, member, two_seconds)
    response = client_for(member).get(asset_url(asset), HTTP_RANGE=header)

    assert response.status_code == 200 and b"".join(response) == two_seconds


def test_another_teams_video_is_404_even_for_a_range(client_for, outsider, team, member, two_seconds):
    asset = ingest(team, member, two_seconds)
    response = client_for(outsider).get(asset_url(asset), HTTP_RANGE="bytes=0-10")
    assert response.status_code == 404


# Pages


def test_the_grid_shows_a_play_badge_with_the_duration(client_for, member, team, two_seconds):
    ingest(team, member, two_seconds, name="Dusk push-in")
    page = client_for(member).get(reverse("library")).content.decode()

    assert "asset-badge-video" in page and "0:02" in page and "Dusk push-in" in page


def test_the_detail_page_plays_it_with_its_poster(client_for, member, team, two_seconds):
    asset = ingest(team, member, two_seconds, provenance={"prompt": "A harbor at dusk"})
    page = client_for(member).get(reverse("library_asset", args=[asset.pk])).content.decode()

    assert 'controls preload="metadata"' in page
    assert f'poster="{asset_url(asset, "preview")}"' in page and f'src="{asset_url(asset)}"' in page
    assert "?reference=" not in page and "?refine=" not in page  # the studio works from stills
    assert "Download video" in page
    assert re.search(r"<dt>Length</dt>\s*<dd>0:02</dd>", page)


def test_the_video_downloads_as_itself_and_refuses_a_conversion(client_for, member, team, two_seconds):
    asset = ingest(team, member, two_seconds)
    client = client_for(member)
    url = reverse("library_asset_download", args=[asset.pk])

    whole = client.get(url, {"format": "mp4"})
    assert whole.status_code == 200 and whole["Content-Disposition"].startswith("attachment")
    assert b"".join(whole) == two_seconds
    assert client.get(url, {"format": "png"}).status_code == 400
