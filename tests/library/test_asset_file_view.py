"""Asset files on local storage: streamed only to the owning team, privately cached, never sniffed."""

import pytest

from library.selectors import asset_bytes, asset_url
from library.storage import asset_storage
from tests.library import images
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def asset(team, member):
    return stored_asset(team, member, source="upload", data=images.jpeg(300, 200), name="Launch poster")


def test_it_streams_the_original_with_its_type_to_a_member(client_for, member, asset):
    response = client_for(member).get(asset_url(asset))

    assert response.status_code == 200
    assert b"".join(response) == asset_bytes(asset)
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize("variant", ["thumb", "preview"])
def test_it_streams_the_renditions_as_webp(client_for, member, asset, variant):
    response = client_for(member).get(asset_url(asset, variant))
    assert response["Content-Type"] == "image/webp"
    assert images.decoded(b"".join(response)).format == "WEBP"


def test_a_viewer_may_see_the_files(client_for, viewer, asset):
    assert client_for(viewer).get(asset_url(asset, "thumb")).status_code == 200


def test_another_teams_member_gets_404(client_for, outsider, asset):
    assert client_for(outsider).get(asset_url(asset)).status_code == 404


def test_a_visitor_is_sent_to_sign_in(client, asset):
    response = client.get(asset_url(asset))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_variant_is_not_found(client_for, member, asset):
    assert client_for(member).get(f"/library/assets/{asset.pk}/files/secret/").status_code == 404


def test_there_is_no_public_url_for_stored_files(client, asset):
    assert client.get(f"/media/{asset.file}").status_code == 404


def test_asset_url_refuses_an_unknown_variant(asset):
    with pytest.raises(ValueError):
        asset_url(asset, "huge")


def test_a_file_missing_from_storage_is_a_404_not_an_error(client_for, member, asset):
    asset_storage().delete(asset.thumb)
    assert client_for(member).get(asset_url(asset, "thumb")).status_code == 404
