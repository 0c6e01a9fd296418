"""POST /api/v1/assets: a multipart upload checked exactly like the library's upload page, refusals saving nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from library.models import Asset
from tests.library import images

pytestmark = pytest.mark.django_db

SVG = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"


def upload(client, filename, data, **fields):
    return client.post("/api/v1/assets", {"file": SimpleUploadedFile(filename, data), **fields})


def page_message(client_for, user, name, data):
    """What the library's upload page says about the same file."""
    page = client_for(user).post(
        "/library/upload/", {"files": SimpleUploadedFile(name, data)}, headers={"accept": "application/json"}
    )
    return page.json()["message"]


def stored_files(settings):
    return [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]


def test_it_adds_an_image_to_the_library_and_answers_201_with_the_asset(admin_api, team):
    response = upload(admin_api, "hero shot.png", images.png(300, 200), name="Spring hero")
    assert response.status_code == 201, response.content
    body = response.json()
    asset = Asset.objects.get(team=team)
    assert body["id"] == asset.pk and body["created"] is True
    assert (body["name"], body["width"], body["height"], body["format"]) == ("Spring hero", 300, 200, "png")
    assert body["source"] == "upload" and body["model"] is None
    assert response["Location"] == f"http://testserver/api/v1/assets/{asset.pk}"
    file = admin_api.get(body["url"])
    assert file.status_code == 200 and file["Content-Type"] == "image/png"


def test_it_names_the_asset_after_the_file_when_no_name_is_given(admin_api):
    body = upload(admin_api, "autumn-mood.jpg", images.jpeg(64, 64)).json()
    assert body["name"] == Asset.objects.get().name
    assert "autumn" in body["name"].lower()


def test_an_image_the_team_already_has_answers_200_with_the_existing_asset(admin_api, team):
    first = upload(admin_api, "hero.png", images.png()).json()
    response = upload(admin_api, "hero copy.png", images.png())
    assert response.status_code == 200
    assert response.json()["id"] == first["id"] and response.json()["created"] is False
    assert Asset.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("logo.svg", SVG),
        ("notes.png", b"These are not the pixels you are looking for."),
        ("page.html", b"<!doctype html><html><body>hi</body></html>"),
        ("empty.png", b""),
    ],
)
def test_a_file_that_is_not_a_usable_image_is_a_400_with_the_upload_pages_message_and_saves_nothing(
    admin_api, admin_user, client_for, settings, name, data
):
    response = upload(admin_api, name, data)
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [{"field": "file", "message": page_message(client_for, admin_user, name, data)}]
    assert not Asset.objects.exists() and stored_files(settings) == []


def test_an_svg_is_refused_with_the_reason(admin_api):
    message = upload(admin_api, "logo.svg", SVG).json()["errors"][0]["message"]
    assert message.startswith("SVG files are refused")


def test_a_file_over_the_size_limit_is_a_400_with_the_upload_pages_message(admin_api, admin_user, client_for, settings):
    settings.POSTFRAME_UPLOAD_MAX_BYTES = 2048
    data = images.png(400, 400)
    response = upload(admin_api, "big.png", data)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "file" and error["message"] == page_message(client_for, admin_user, "big.png", data)
    assert "larger than" in error["message"] or "limit" in error["message"]
    assert not Asset.objects.exists() and stored_files(settings) == []


def test_a_request_without_a_file_is_a_400_on_the_file_field(admin_api):
    response = admin_api.post("/api/v1/assets", {"name": "No file"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert not Asset.objects.exists()


def test_a_control_character_in_the_name_is_a_400_naming_it(admin_api, settings):
    response = upload(admin_api, "hero.png", images.png(), name="Hero\x00")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"
    assert not Asset.objects.exists() and stored_files(settings) == []


def test_a_token_of_a_viewer_cannot_upload(api_client_for, team, viewer):
    client = api_client_for(team, viewer)
    response = upload(client, "hero.png", images.png())
    assert response.status_code == 403
    assert "changing the library needs" in response.json()["errors"][0]["message"]
    assert not Asset.objects.exists()
