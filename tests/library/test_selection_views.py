"""Bulk actions on a selection in the grid: add to a board, tag, download as a streamed zip, delete."""

import io
import zipfile

import pytest
from django.http import StreamingHttpResponse

from library.models import Asset, BoardItem
from library.selectors import asset_bytes
from library.storage import asset_storage
from tests.factories import TeamFactory
from tests.library.factories import AssetFactory, BoardFactory, stored_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def picks(team):
    return [AssetFactory(team=team, name=f"Pick {i}") for i in range(3)]


def test_it_adds_the_selection_to_a_board_at_the_end_and_skips_ones_already_there(client_for, team, member, picks):
    board = BoardFactory(team=team, name="Summer launch")
    BoardItem.objects.create(board=board, asset=picks[0], position=0)

    response = client_for(member).post(
        "/library/selection/",
        {"asset": [p.pk for p in picks], "action": "board", "board": board.pk, "next": "/library/?q=pick"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/library/?q=pick"
    assert "Added 2 of 3 to “Summer launch”." in response.content.decode()
    assert list(board.items.values_list("asset_id", "position")) == [
        (picks[0].pk, 0),
        (picks[2].pk, 1),
        (picks[1].pk, 2),
    ]


def test_it_tags_every_asset_of_the_selection(client_for, team, member, picks):
    client_for(member).post(
        "/library/selection/", {"asset": [picks[0].pk, picks[1].pk], "action": "tag", "tags": "q3, hero"}
    )
    assert [sorted(t.name for t in p.tags.all()) for p in picks] == [["hero", "q3"], ["hero", "q3"], []]


def test_an_empty_selection_is_explained_and_changes_nothing(client_for, team, member):
    board = BoardFactory(team=team)
    response = client_for(member).post("/library/selection/", {"action": "board", "board": board.pk})
    assert response.status_code == 422
    assert "Select at least one asset first." in response.content.decode()
    assert not BoardItem.objects.exists()


def test_a_missing_board_is_explained_next_to_the_board_choice_and_the_selection_kept(client_for, team, member, picks):
    response = client_for(member).post("/library/selection/", {"asset": [picks[1].pk], "action": "board"})
    page = response.content.decode()
    assert response.status_code == 422
    assert "Choose the board to add the selection to." in page
    assert f'value="{picks[1].pk}" form="selection-form" checked' in page


def test_a_missing_tag_is_explained(client_for, member, picks):
    response = client_for(member).post("/library/selection/", {"asset": [picks[0].pk], "action": "tag", "tags": " , "})
    assert "Type a tag to add to the selection." in response.content.decode()


def test_another_teams_asset_in_a_selection_changes_nothing(client_for, team, member, picks):
    foreign = AssetFactory(team=TeamFactory())
    board = BoardFactory(team=team)
    response = client_for(member).post(
        "/library/selection/", {"asset": [picks[0].pk, foreign.pk], "action": "board", "board": board.pk}
    )
    assert response.status_code == 422
    assert "no longer in the library" in response.content.decode()
    assert not BoardItem.objects.exists()


def test_another_teams_board_is_refused(client_for, member, picks):
    foreign = BoardFactory(team=TeamFactory())
    response = client_for(member).post(
        "/library/selection/", {"asset": [picks[0].pk], "action": "board", "board": foreign.pk}
    )
    assert "That board is no longer there; pick another." in response.content.decode()
    assert not BoardItem.objects.exists()


def test_a_viewer_cannot_change_a_selection(client_for, team, viewer, picks):
    response = client_for(viewer).post("/library/selection/", {"asset": [picks[0].pk], "action": "tag", "tags": "x"})
    assert response.status_code == 403 and picks[0].tags.count() == 0


def test_a_zip_of_the_selection_is_streamed_with_each_original(client_for, team, viewer):
    first = stored_asset(team, name="Hero")
    second = stored_asset(team, name="Hero")  # same name: the zip keeps both

    response = client_for(viewer).post("/library/selection/download/", {"asset": [first.pk, second.pk]})

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{team.slug}-assets.zip"'
    assert response.is_async  # streamed from a worker thread under ASGI, never buffered whole
    chunks = list(response)
    assert len(chunks) > 2  # written piece by piece, not built whole
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None
    assert archive.namelist() == ["hero.png", "hero-2.png"]
    assert archive.read("hero.png") == asset_bytes(second) and archive.read("hero-2.png") == asset_bytes(first)


def test_deleting_a_selection_asks_first_and_says_what_stays(client_for, team, member):
    parent = stored_asset(team, member)
    child = stored_asset(team, member, parent=parent)

    response = client_for(member).post("/library/selection/delete/", {"asset": [parent.pk], "next": "/library/"})

    page = response.content.decode()
    assert response.status_code == 200 and "Delete 1 asset?" in page
    assert "1 other asset was made from it. It stays in the library" in page
    assert 'name="confirmed" value="yes"' in page
    assert Asset.objects.filter(pk=parent.pk).exists() and child.parent_id == parent.pk


def test_deleting_a_confirmed_selection_removes_assets_and_files(
    client_for, team, member, django_capture_on_commit_callbacks
):
    doomed = [stored_asset(team, member) for _ in range(2)]
    kept = stored_asset(team, member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member).post(
            "/library/selection/delete/", {"asset": [a.pk for a in doomed], "confirmed": "yes"}, follow=True
        )

    assert "Deleted 2 assets." in response.content.decode()
    assert list(Asset.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not any(asset_storage().exists(key) for a in doomed for key in a.storage_keys)


def test_a_viewer_cannot_delete_a_selection(client_for, team, viewer, picks):
    client_for(viewer).post("/library/selection/delete/", {"asset": [picks[0].pk], "confirmed": "yes"})
    assert Asset.objects.count() == 3
