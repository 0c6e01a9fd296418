"""GET /api/v1/assets, /assets/{id} and /assets/{id}/file: the library grid's search, filters and pages, as JSON."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from library.models import Asset
from library.services import asset_tags_set, board_assets_add, board_create
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def library(team, admin_user):
    """Three assets, oldest first: an upload, a generated image with a prompt, and an import."""
    upload = stored_asset(team, admin_user, source="upload", name="Hero shot")
    generated = stored_asset(
        team,
        admin_user,
        source="generated",
        name="Mugs",
        provenance={"prompt": "Three mugs", "model_id": "local:draft"},
    )
    imported = stored_asset(team, admin_user, source="imported", name="Mood board scan")
    base = timezone.now() - datetime.timedelta(days=3)
    for offset, asset in enumerate([upload, generated, imported]):
        Asset.objects.filter(pk=asset.pk).update(created_at=base + datetime.timedelta(days=offset))
    return upload, generated, imported


def test_it_lists_the_teams_assets_newest_first_with_what_a_client_needs(admin_api, library, other_team):
    upload, generated, imported = library
    stored_asset(other_team, source="upload", name="Theirs")
    response = admin_api.get("/api/v1/assets")
    assert ids(response) == [imported.pk, generated.pk, upload.pk]
    body = response.json()
    assert (body["total"], body["totalIsCapped"], body["nextCursor"]) == (3, False, None)
    mugs = body["items"][1]
    assert mugs["prompt"] == "Three mugs" and mugs["model"] == "local:draft" and mugs["source"] == "generated"
    assert mugs["url"] == f"http://testserver/api/v1/assets/{generated.pk}/file"
    assert mugs["thumbnailUrl"].endswith(f"/api/v1/assets/{generated.pk}/file?variant=thumb")


def test_it_pages_with_the_cursor_it_gives(admin_api, library):
    upload, generated, imported = library
    first = admin_api.get("/api/v1/assets", {"limit": 2})
    assert ids(first) == [imported.pk, generated.pk]
    cursor = first.json()["nextCursor"]
    second = admin_api.get("/api/v1/assets", {"limit": 2, "cursor": cursor})
    assert ids(second) == [upload.pk] and second.json()["nextCursor"] is None


def test_it_refuses_a_cursor_it_did_not_give(admin_api, library):
    response = admin_api.get("/api/v1/assets", {"cursor": "yesterday"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


def test_it_searches_prompts_and_names(admin_api, library):
    upload, generated, imported = library
    assert ids(admin_api.get("/api/v1/assets", {"q": "mugs"})) == [generated.pk]
    assert ids(admin_api.get("/api/v1/assets", {"q": "mood"})) == [imported.pk]


def test_it_filters_as_the_grid_does(admin_api, library, team, admin_user):
    upload, generated, imported = library
    asset_tags_set(asset=upload, names=["Hero"])
    board = board_create(team=team, user=admin_user, name="Launch")
    board_assets_add(board=board, assets=[imported], user=admin_user)
    Asset.objects.filter(pk=generated.pk).update(rating=4)
    day = timezone.localdate(Asset.objects.get(pk=generated.pk).created_at).isoformat()
    assert ids(admin_api.get("/api/v1/assets", {"source": "upload"})) == [upload.pk]
    assert ids(admin_api.get("/api/v1/assets", {"model": "local:draft"})) == [generated.pk]
    assert ids(admin_api.get("/api/v1/assets", {"tag": "Hero"})) == [upload.pk]
    assert ids(admin_api.get("/api/v1/assets", {"board": board.pk})) == [imported.pk]
    assert ids(admin_api.get("/api/v1/assets", {"rating": 3})) == [generated.pk]
    assert ids(admin_api.get("/api/v1/assets", {"dateFrom": day, "dateTo": day})) == [generated.pk]
    assert ids(admin_api.get("/api/v1/assets", {"member": admin_user.pk, "kind": "image"})) == [
        imported.pk,
        generated.pk,
        upload.pk,
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"rating": 9}, "rating"),
        ({"kind": "sound"}, "kind"),
        ({"dateFrom": "2026-05-02", "dateTo": "2026-05-01"}, "dateTo"),
        ({"dateFrom": "yesterday"}, "dateFrom"),
        ({"tag": "never-used"}, "tag"),
        ({"member": 999999}, "member"),
        ({"limit": 500}, "limit"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(admin_api, library, query, field):
    response = admin_api.get("/api/v1/assets", query)
    assert response.status_code == 400, response.content
    assert field in {error["field"] for error in response.json()["errors"]}


def test_a_board_of_another_team_as_a_filter_is_a_404(admin_api, library, other_team, outsider):
    theirs = board_create(team=other_team, user=outsider, name="Theirs")
    response = admin_api.get("/api/v1/assets", {"board": theirs.pk})
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "board"


def test_one_asset_shows_its_provenance_tags_and_boards(admin_api, library, team, admin_user):
    _, generated, _ = library
    asset_tags_set(asset=generated, names=["mugs", "kitchen"])
    board = board_create(team=team, user=admin_user, name="Kitchen")
    board_assets_add(board=board, assets=[generated], user=admin_user)
    body = admin_api.get(f"/api/v1/assets/{generated.pk}").json()
    assert body["provenance"]["prompt"] == "Three mugs"
    assert sorted(body["tags"]) == ["kitchen", "mugs"] and body["boardIds"] == [board.pk]


def test_another_teams_asset_is_a_404_in_the_json_shape(admin_api, other_team):
    theirs = stored_asset(other_team, source="upload")
    for path in (f"/api/v1/assets/{theirs.pk}", f"/api/v1/assets/{theirs.pk}/file"):
        response = admin_api.get(path)
        assert response.status_code == 404
        assert response.json() == {"errors": [{"field": None, "message": "Not found in this team."}]}


def test_the_file_downloads_the_original_or_a_rendition(admin_api, library):
    upload, _, _ = library
    original = admin_api.get(f"/api/v1/assets/{upload.pk}/file")
    assert original["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(original))).size == (upload.width, upload.height)
    thumb = admin_api.get(f"/api/v1/assets/{upload.pk}/file", {"variant": "thumb"})
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/webp"
    assert "-thumb.webp" in thumb["Content-Disposition"]
    refused = admin_api.get(f"/api/v1/assets/{upload.pk}/file", {"variant": "poster"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "variant"
