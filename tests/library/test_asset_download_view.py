"""Download as…: the original, or a PNG, JPEG or WebP copy at the original size or a chosen long edge."""

import pytest

from library.selectors import asset_bytes
from tests.library import images
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def asset(team, member):
    return stored_asset(team, member, source="upload", data=images.png(400, 200, mode="RGBA"), name="Sale Banner")


def _download(client, asset, **params):
    return client.get(f"/library/assets/{asset.pk}/download/", params)


def _body(response):
    return b"".join(response) if response.streaming else response.content


def test_the_original_comes_back_byte_for_byte_as_an_attachment(client_for, member, asset):
    response = _download(client_for(member), asset, format="png")

    assert _body(response) == asset_bytes(asset)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="sale-banner-{asset.pk}.png"'


@pytest.mark.parametrize(("fmt", "pillow"), [("jpeg", "JPEG"), ("webp", "WEBP"), ("png", "PNG")])
def test_it_converts_and_resizes_to_the_chosen_long_edge(client_for, member, asset, fmt, pillow):
    response = _download(client_for(member), asset, format=fmt, long_edge=100)

    image = images.decoded(_body(response))
    assert (image.format, image.size) == (pillow, (100, 50))
    assert response["Content-Disposition"].endswith(f'.{"jpg" if fmt == "jpeg" else fmt}"')


def test_a_transparent_image_becomes_a_jpeg_on_white(client_for, team, member):
    transparent = images.encode(images.picture(40, 40).convert("RGBA").point(lambda v: 0), "PNG")
    asset = stored_asset(team, member, source="upload", data=transparent)
    image = images.decoded(_body(_download(client_for(member), asset, format="jpeg")))
    assert image.mode == "RGB" and image.getpixel((5, 5)) == (255, 255, 255)


def test_it_refuses_to_enlarge_and_says_so_next_to_the_field(client_for, member, asset):
    response = _download(client_for(member), asset, format="png", long_edge=4000)

    assert response.status_code == 400
    page = response.content.decode()
    assert "This image is 400 px on its long edge; choose 400 or less" in page
    assert "attachment" not in response.get("Content-Disposition", "")


def test_it_refuses_an_unknown_format(client_for, member, asset):
    response = _download(client_for(member), asset, format="gif")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_a_viewer_can_download(client_for, viewer, asset):
    assert _download(client_for(viewer), asset, format="webp").status_code == 200


def test_another_team_cannot_download(client_for, outsider, asset):
    assert _download(client_for(outsider), asset, format="png").status_code == 404
