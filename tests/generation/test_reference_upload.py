import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from library.models import Asset
from tests.generation.factories import source_png

pytestmark = pytest.mark.django_db


def test_a_dropped_image_joins_the_library_and_comes_back_as_a_chip(team, member, client_for):
    upload = SimpleUploadedFile("shoe.png", source_png(320, 240), content_type="image/png")
    response = client_for(member).post("/studio/references/upload/", {"image": upload}, HTTP_HX_REQUEST="true")
    asset = Asset.objects.get()
    page = response.content.decode()
    assert asset.team == team and asset.source == "upload"
    assert f'<input type="hidden" name="reference_asset" value="{asset.pk}">' in page
    assert 'data-width="320" data-height="240"' in page


def test_an_svg_is_refused_with_a_reason_and_nothing_is_stored(team, member, client_for):
    svg = SimpleUploadedFile(
        "logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", content_type="image/svg+xml"
    )
    response = client_for(member).post("/studio/references/upload/", {"image": svg}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert 'id="reference-errors"' in page and "logo.svg:" in page
    assert not Asset.objects.exists()


def test_the_library_picker_offers_only_the_teams_images(team, member, other_team, outsider, client_for, upload):
    ours = upload(team, member, name="ours")
    theirs = upload(other_team, outsider, name="theirs")
    page = client_for(member).get("/studio/references/library/", HTTP_HX_REQUEST="true").content.decode()
    assert f"/studio/references/{ours.pk}/" in page
    assert f"/studio/references/{theirs.pk}/" not in page


def test_a_viewer_cannot_upload_references(team, viewer, client_for):
    upload = SimpleUploadedFile("shoe.png", source_png(64, 64), content_type="image/png")
    assert client_for(viewer).post("/studio/references/upload/", {"image": upload}).status_code == 403
    assert not Asset.objects.exists()
