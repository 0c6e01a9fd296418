"""The upload endpoint: one file per request from the page's uploader, many at once from the plain form."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from library.models import Asset
from tests.library import images

pytestmark = pytest.mark.django_db

URL = "/library/upload/"


def _file(name, data, content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _send_one(client, name, data):
    return client.post(URL, {"files": _file(name, data)}, headers={"accept": "application/json"})


def test_it_answers_the_uploader_with_the_new_assets_card(client_for, member):
    response = _send_one(client_for(member), "hero.png", images.png(300, 200))

    assert response.status_code == 200
    answer = response.json()
    asset = Asset.objects.get()
    assert answer["status"] == "ok" and answer["asset_id"] == asset.pk
    assert f'id="asset-{asset.pk}-card"' in answer["card"]
    assert answer["url"] == f"/library/assets/{asset.pk}/"


def test_it_tells_the_uploader_a_file_is_already_in_the_library(client_for, member):
    client = client_for(member)
    _send_one(client, "hero.png", images.png())

    answer = _send_one(client, "hero copy.png", images.png()).json()

    assert answer["status"] == "duplicate"
    assert "Already in the library as “hero”" in answer["message"]
    assert Asset.objects.count() == 1


def test_it_tells_the_uploader_why_a_file_was_refused_and_stores_nothing(client_for, member):
    response = _send_one(client_for(member), "logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>")

    assert response.status_code == 422
    assert response.json() == {
        "name": "logo.svg",
        "status": "refused",
        "label": "Refused",
        "message": "SVG files are refused: they can carry scripts that run in the browser. "
        "Export the artwork as PNG and upload that.",
    }
    assert Asset.objects.count() == 0


def test_it_refuses_a_file_over_the_size_limit_without_reading_it(client_for, member, settings):
    settings.POSTFRAME_UPLOAD_MAX_BYTES = 2048
    answer = _send_one(client_for(member), "big.png", images.png(400, 400)).json()
    assert answer["status"] == "refused" and "the limit is 2.0\xa0KB" in answer["message"]
    assert Asset.objects.count() == 0


def test_the_plain_form_takes_many_files_and_reports_each_on_its_row(client_for, member):
    client = client_for(member)
    client.post(URL, {"files": [_file("old.png", images.png(10, 10))]})

    response = client.post(
        URL,
        {
            "files": [
                _file("new.jpg", images.jpeg(), "image/jpeg"),
                _file("old again.png", images.png(10, 10)),
                _file("notes.txt", b"hello", "text/plain"),
            ]
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert Asset.objects.count() == 2
    rows = page[page.index('id="upload-list"') :]
    assert rows.index("new.jpg") < rows.index("old again.png") < rows.index("notes.txt")
    assert "upload-ok" in rows and "upload-duplicate" in rows and "upload-refused" in rows
    assert "not a PNG, JPEG or WebP image" in rows


def test_the_plain_form_asks_for_a_file_when_none_was_chosen(client_for, member):
    response = client_for(member).post(URL, {}, follow=True)
    assert "Choose one or more images to upload." in response.content.decode()
    assert Asset.objects.count() == 0


def test_a_viewer_cannot_upload(client_for, viewer):
    response = _send_one(client_for(viewer), "hero.png", images.png())
    assert response.status_code == 403
    assert Asset.objects.count() == 0


def test_an_upload_without_the_csrf_token_is_refused(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(URL, {"files": _file("hero.png", images.png())})
    assert response.status_code == 403
    assert Asset.objects.count() == 0


def test_the_grid_offers_the_uploader_with_a_plain_file_input(client_for, member):
    page = client_for(member).get("/library/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" name="files"' in page and "multiple" in page
    assert 'src="/static/js/library.js"' in page
