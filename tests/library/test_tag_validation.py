"""Tags are checked once, the same way on an asset's page and for a selection in the grid: same refusals, same words."""

import html

import pytest

from library.models import Tag
from library.services import MAX_TAGS_PER_ASSET
from tests.library.factories import AssetFactory, TagFactory

pytestmark = pytest.mark.django_db

HTMX = {"hx-request": "true"}

BAD_TAGS = {
    "a tag over 40 characters": (
        "x" * 41,
        "“xxxxxxxxxxxxxxxxxxxx…” is too long for a tag; keep tags under 40 characters.",
    ),
    "more tags than an asset can carry": (
        ", ".join(f"tag {n}" for n in range(MAX_TAGS_PER_ASSET + 1)),
        f"An asset can carry up to {MAX_TAGS_PER_ASSET} tags; you typed {MAX_TAGS_PER_ASSET + 1}.",
    ),
    "a control character": ("hero\x07shot", "Tags cannot contain control characters; type them as plain text."),
    "more text than the box takes": (
        "x, " * 400,
        "That is too much text for tags; keep it under 1000 characters.",
    ),
}


@pytest.fixture
def asset(team):
    asset = AssetFactory(team=team, name="Draft 1")
    asset.tags.add(TagFactory(team=team, name="keep"))
    return asset


def _page(response):
    return html.unescape(response.content.decode())


def _tags(asset):
    return sorted(tag.name for tag in asset.tags.all())


@pytest.mark.parametrize("case", BAD_TAGS, ids=list(BAD_TAGS))
def test_the_asset_page_and_a_selection_refuse_the_same_bad_tags_with_the_same_words(case, client_for, member, asset):
    text, message = BAD_TAGS[case]
    client = client_for(member)
    tags_before = Tag.objects.count()

    single = client.post(f"/library/assets/{asset.pk}/tags/", {"tags": text}, headers=HTMX)
    bulk = client.post("/library/selection/", {"asset": [asset.pk], "action": "tag", "tags": text})

    assert (single.status_code, bulk.status_code) == (422, 422)
    assert message in _page(single)
    assert message in _page(bulk)
    assert _tags(asset) == ["keep"]
    assert Tag.objects.count() == tags_before


def test_a_selection_with_an_empty_tag_is_told_to_type_one(client_for, member, asset):
    response = client_for(member).post("/library/selection/", {"asset": [asset.pk], "action": "tag", "tags": " #, ,"})
    assert response.status_code == 422
    assert "Type a tag to add to the selection." in _page(response)
    assert _tags(asset) == ["keep"]


def test_a_selection_that_would_push_an_asset_past_the_tag_limit_is_refused_whole(client_for, team, member, asset):
    full = AssetFactory(team=team)
    full.tags.add(*(TagFactory(team=team, name=f"old {n}") for n in range(MAX_TAGS_PER_ASSET)))

    response = client_for(member).post(
        "/library/selection/", {"asset": [asset.pk, full.pk], "action": "tag", "tags": "fresh"}
    )

    assert response.status_code == 422
    assert f"One selected asset would carry more than {MAX_TAGS_PER_ASSET} tags" in _page(response)
    assert _tags(asset) == ["keep"] and full.tags.count() == MAX_TAGS_PER_ASSET
    assert not Tag.objects.filter(name="fresh").exists()


def test_a_tag_an_asset_already_carries_does_not_count_twice_against_the_limit(client_for, team, member, asset):
    full = AssetFactory(team=team)
    full.tags.add(*(TagFactory(team=team, name=f"old {n}") for n in range(MAX_TAGS_PER_ASSET)))

    response = client_for(member).post("/library/selection/", {"asset": [full.pk], "action": "tag", "tags": "OLD 3"})

    assert response.status_code == 302
    assert full.tags.count() == MAX_TAGS_PER_ASSET


def test_a_selection_added_to_a_board_ignores_what_is_in_the_tags_box(client_for, team, member, asset):
    from tests.library.factories import BoardFactory

    board = BoardFactory(team=team)
    response = client_for(member).post(
        "/library/selection/", {"asset": [asset.pk], "action": "board", "board": board.pk, "tags": "x" * 41}
    )
    assert response.status_code == 302
    assert board.items.filter(asset=asset).exists()
