"""Signed public media links: what the platforms fetch without logging in, valid for a while, for one file only."""

import io

import pytest
from django.core import signing
from PIL import Image

from scheduling.media_links import SALT, media_link
from tests.library import images
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def png_asset(team):
    return stored_asset(team, data=images.png(120, 90, mode="RGBA"), name="logo")


def _path(url, settings):
    assert url.startswith(settings.SITE_URL.rstrip("/") + "/schedule/channels/media/")
    return url.removeprefix(settings.SITE_URL.rstrip("/"))


def test_a_link_serves_the_file_to_anyone_holding_it_without_a_login(client, png_asset, settings):
    response = client.get(_path(media_link(asset=png_asset), settings))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    data = b"".join(response) if response.streaming else response.content
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("PNG", (120, 90))
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_platform_that_takes_only_jpeg_gets_a_jpeg_copy(client, png_asset, settings):
    url = media_link(asset=png_asset, jpeg=True)
    assert url.endswith(".jpg")
    response = client.get(_path(url, settings))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.content)) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (120, 90))


def test_a_tampered_link_is_refused_with_403(client, png_asset, settings):
    path = _path(media_link(asset=png_asset), settings)
    signed = path.split("/")[4]
    forged = signing.dumps({"t": png_asset.team_id, "a": png_asset.pk + 1, "j": 0}, salt="another-salt")
    for bad in (path.replace(signed, signed[:-2] + "xx"), path.replace(signed, forged)):
        response = client.get(bad)
        assert response.status_code == 403
        assert response.content == b"This media link is not valid."


def test_an_expired_link_answers_410(client, png_asset, settings):
    path = _path(media_link(asset=png_asset), settings)
    settings.SCHEDULING_MEDIA_LINK_SECONDS = -1  # every link is older than that
    response = client.get(path)
    assert response.status_code == 410
    assert response.content == b"This media link has expired."


def test_a_link_to_a_deleted_asset_answers_410_and_only_get_is_taken(client, png_asset, settings):
    path = _path(media_link(asset=png_asset), settings)
    assert client.post(path).status_code == 405
    png_asset.delete()
    response = client.get(path)
    assert response.status_code == 410
    assert response.content == b"This file was deleted."


def test_a_link_names_its_team_and_finds_nothing_in_another(client, png_asset, other_team, settings):
    # A link signed for another team's id never reaches this asset, even with a valid signature.
    signed = signing.dumps({"t": other_team.pk, "a": png_asset.pk, "j": 0}, salt=SALT)
    response = client.get(f"/schedule/channels/media/{signed}/{png_asset.pk}.png")
    assert response.status_code == 410


# A live server needs committed rows, so this test flushes the database when it ends: marked like the tests that run
# real processes, it runs after the unit tests that expect the migrations' rows (tests/conftest.py sorts them last).
@pytest.mark.integration
def test_instagram_fetches_the_signed_jpeg_the_dispatcher_sends(team, png_asset, fake_instagram, live_server, settings):
    """End to end through a live server: Meta's fake fetches our URL and checks it is a JPEG."""
    from scheduling import dispatch
    from scheduling.models import PostTarget
    from tests.scheduling.scheduled import due_post, target_of, token_channel

    settings.SITE_URL = live_server.url
    channel = token_channel(team, fake_instagram, "instagram")
    square = stored_asset(team, data=images.png(400, 400), name="square")
    post = due_post(team, [channel], assets=[square], caption="Fetched by Meta")
    target = target_of(post, channel)
    dispatch.target_publish(target_id=target.pk)
    target.refresh_from_db()
    assert target.status == PostTarget.Status.PUBLISHED, target.message
    assert fake_instagram.published["Fetched by Meta"] == 1
    container = fake_instagram.requests_to(r"/media$")[0]
    assert container.params["image_url"].startswith(live_server.url + "/schedule/channels/media/")
    assert container.params["image_url"].endswith(".jpg")
