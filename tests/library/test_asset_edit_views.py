"""Renaming, tagging and rating an asset from its page, with htmx or a plain form post."""

import pytest

from library.models import Asset, Tag
from tests.library.factories import AssetFactory, TagFactory

pytestmark = pytest.mark.django_db

HTMX = {"hx-request": "true"}


@pytest.fixture
def asset(team):
    return AssetFactory(team=team, name="Draft 1")


def test_a_rename_answers_htmx_with_the_new_title(client_for, member, asset):
    response = client_for(member).post(f"/library/assets/{asset.pk}/rename/", {"name": "  Hero   shot "}, headers=HTMX)

    assert response.status_code == 200
    assert (
        f'id="asset-{asset.pk}-name"' in response.content.decode() and "<h1>Hero shot</h1>" in response.content.decode()
    )
    asset.refresh_from_db()
    assert asset.name == "Hero shot"


def test_a_plain_rename_returns_to_the_assets_page(client_for, member, asset):
    response = client_for(member).post(f"/library/assets/{asset.pk}/rename/", {"name": "Hero"})
    assert response.status_code == 302 and response["Location"] == f"/library/assets/{asset.pk}/"


def test_an_empty_title_is_refused_next_to_the_field_and_changes_nothing(client_for, member, asset):
    response = client_for(member).post(f"/library/assets/{asset.pk}/rename/", {"name": "   "}, headers=HTMX)

    assert response.status_code == 422
    assert "Give the asset a title." in response.content.decode()
    asset.refresh_from_db()
    assert asset.name == "Draft 1"


def test_tags_are_set_made_once_per_team_and_listed(client_for, team, member, asset):
    TagFactory(team=team, name="Summer")
    response = client_for(member).post(
        f"/library/assets/{asset.pk}/tags/", {"tags": "summer, hero shot, Hero Shot, #approved"}, headers=HTMX
    )

    page = response.content.decode()
    assert sorted(t.name for t in asset.tags.all()) == ["Summer", "approved", "hero shot"]
    assert Tag.objects.filter(team=team).count() == 3
    assert "/library/?tag=hero%20shot" in page


def test_clearing_the_tags_removes_them_from_the_asset(client_for, member, asset, team):
    asset.tags.add(TagFactory(team=team, name="old"))
    client_for(member).post(f"/library/assets/{asset.pk}/tags/", {"tags": ""})
    assert asset.tags.count() == 0


def test_a_tag_that_is_too_long_is_refused_and_changes_nothing(client_for, member, asset, team):
    asset.tags.add(TagFactory(team=team, name="keep"))
    response = client_for(member).post(f"/library/assets/{asset.pk}/tags/", {"tags": "x" * 41}, headers=HTMX)
    assert response.status_code == 422
    assert "keep tags under 40 characters" in response.content.decode()
    assert [t.name for t in asset.tags.all()] == ["keep"]


def test_a_rating_is_saved_and_shown(client_for, member, asset):
    response = client_for(member).post(f"/library/assets/{asset.pk}/rating/", {"rating": "4"}, headers=HTMX)
    assert response.status_code == 200
    assert f'id="asset-{asset.pk}-star-4" checked' in response.content.decode()
    assert Asset.objects.get(pk=asset.pk).rating == 4


def test_a_rating_outside_zero_to_five_is_refused(client_for, member, asset):
    response = client_for(member).post(f"/library/assets/{asset.pk}/rating/", {"rating": "9"}, headers=HTMX)
    assert response.status_code == 422 and "Choose 0 to 5 stars." in response.content.decode()
    assert Asset.objects.get(pk=asset.pk).rating == 0


@pytest.mark.parametrize("action", ["rename", "tags", "rating"])
def test_a_viewer_cannot_edit(client_for, viewer, asset, action):
    response = client_for(viewer).post(f"/library/assets/{asset.pk}/{action}/", {"name": "x", "tags": "x", "rating": 5})
    assert response.status_code == 403
    asset.refresh_from_db()
    assert (asset.name, asset.rating, asset.tags.count()) == ("Draft 1", 0, 0)


def test_a_get_is_not_an_edit(client_for, member, asset):
    assert client_for(member).get(f"/library/assets/{asset.pk}/rename/").status_code == 405
