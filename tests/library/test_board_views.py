"""Boards: create, rename, delete, and keep their assets in the order the team wants."""

import re

import pytest

from library.models import Asset, Board, BoardItem
from tests.library.factories import AssetFactory, BoardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(team):
    board = BoardFactory(team=team, name="Spring campaign")
    for position, name in enumerate(["First", "Second", "Third"]):
        BoardItem.objects.create(board=board, asset=AssetFactory(team=team, name=name), position=position)
    return board


def _order(board):
    return list(board.items.order_by("position").values_list("asset__name", flat=True))


def test_the_boards_page_says_how_to_start_when_there_are_none(client_for, member):
    page = client_for(member).get("/library/boards/").content.decode()
    assert "No boards yet" in page and "Create board" in page


def test_it_creates_a_board_and_opens_it(client_for, team, member):
    response = client_for(member).post("/library/boards/", {"name": "  Black Friday "}, follow=True)
    board = Board.objects.get(team=team)
    assert board.name == "Black Friday" and board.created_by == member
    assert response.redirect_chain[-1][0] == f"/library/boards/{board.pk}/"
    assert "This board is empty" in response.content.decode()


def test_a_board_needs_a_name(client_for, member):
    response = client_for(member).post("/library/boards/", {"name": ""})
    assert response.status_code == 422 and "Give the board a name." in response.content.decode()
    assert not Board.objects.exists()


def test_the_boards_page_shows_each_board_with_its_size_and_cover(client_for, member, board):
    page = client_for(member).get("/library/boards/").content.decode()
    first = board.items.get(position=0).asset
    assert "Spring campaign" in page and "3 assets" in page
    assert f'src="/library/assets/{first.pk}/files/thumb/"' in page


def test_the_board_lists_its_assets_in_order_with_arrows_that_work_without_javascript(client_for, member, board):
    page = client_for(member).get(f"/library/boards/{board.pk}/").content.decode()
    assert re.findall(r'<span class="asset-name">\d+\. (\w+)</span>', page) == ["First", "Second", "Third"]
    assert f'data-reorder-url="/library/boards/{board.pk}/reorder/"' in page
    assert page.count('name="direction" value="up"') == 3


def test_moving_an_asset_up_swaps_it_with_the_one_before(client_for, member, board):
    second = board.items.get(position=1).asset
    response = client_for(member).post(f"/library/boards/{board.pk}/items/{second.pk}/move/", {"direction": "up"})
    assert response.status_code == 302
    assert _order(board) == ["Second", "First", "Third"]


def test_moving_with_htmx_answers_with_the_list_in_its_new_order(client_for, member, board):
    first = board.items.get(position=0).asset
    response = client_for(member).post(
        f"/library/boards/{board.pk}/items/{first.pk}/move/", {"direction": "down"}, headers={"hx-request": "true"}
    )
    fragment = response.content.decode()
    assert fragment.lstrip().startswith(f'<div id="board-{board.pk}-items">')
    assert re.findall(r'<span class="asset-name">\d+\. (\w+)</span>', fragment) == ["Second", "First", "Third"]


def test_moving_the_first_asset_up_changes_nothing(client_for, member, board):
    first = board.items.get(position=0).asset
    client_for(member).post(f"/library/boards/{board.pk}/items/{first.pk}/move/", {"direction": "up"})
    assert _order(board) == ["First", "Second", "Third"]


def test_a_drag_reorder_saves_the_new_order(client_for, member, board):
    ids = {item.asset.name: item.asset_id for item in board.items.select_related("asset")}
    order = f"{ids['Third']},{ids['First']},{ids['Second']}"
    response = client_for(member).post(f"/library/boards/{board.pk}/reorder/", {"order": order})
    assert response.status_code == 200
    assert _order(board) == ["Third", "First", "Second"]


def test_a_reorder_that_cannot_be_read_changes_nothing(client_for, member, board):
    response = client_for(member).post(f"/library/boards/{board.pk}/reorder/", {"order": "3,drop table,1"})
    assert response.status_code == 422
    assert response.json()["message"] == "The new order could not be read; reload the page and try again."
    assert _order(board) == ["First", "Second", "Third"]


def test_removing_an_asset_keeps_it_in_the_library(client_for, member, board):
    second = board.items.get(position=1).asset
    client_for(member).post(f"/library/boards/{board.pk}/items/{second.pk}/remove/")
    assert _order(board) == ["First", "Third"]
    assert Asset.objects.filter(pk=second.pk).exists()


def test_renaming_a_board(client_for, member, board):
    client_for(member).post(f"/library/boards/{board.pk}/rename/", {"name": "Summer campaign"})
    board.refresh_from_db()
    assert board.name == "Summer campaign"


def test_renaming_to_nothing_is_refused_next_to_the_field(client_for, member, board):
    response = client_for(member).post(f"/library/boards/{board.pk}/rename/", {"name": " "})
    assert response.status_code == 422 and "Give the board a name." in response.content.decode()
    board.refresh_from_db()
    assert board.name == "Spring campaign"


def test_deleting_a_board_confirms_and_keeps_its_assets(client_for, member, board):
    page = client_for(member).get(f"/library/boards/{board.pk}/").content.decode()
    assert 'data-confirm="Delete the board “Spring campaign”? Its 3 assets stay in the library."' in page

    client_for(member).post(f"/library/boards/{board.pk}/delete/")

    assert not Board.objects.exists() and Asset.objects.count() == 3


def test_a_viewer_sees_boards_but_cannot_change_them(client_for, viewer, board):
    client = client_for(viewer)
    page = client.get(f"/library/boards/{board.pk}/").content.decode()
    assert "First" in page and "Delete board" not in page and 'draggable="true"' not in page
    assert client.post(f"/library/boards/{board.pk}/delete/").status_code == 403
    assert client.post("/library/boards/", {"name": "Mine"}).status_code == 403
    assert Board.objects.count() == 1


def test_the_grid_filters_by_board(client_for, team, member, board):
    AssetFactory(team=team, name="Elsewhere")
    page = client_for(member).get(f"/library/?board={board.pk}").content.decode()
    assert len(re.findall(r'id="asset-\d+-card"', page)) == 3 and "Elsewhere" not in page


def test_moving_an_asset_that_is_not_on_the_board_explains_itself(client_for, team, member, board):
    stray = AssetFactory(team=team)
    response = client_for(member).post(
        f"/library/boards/{board.pk}/items/{stray.pk}/move/", {"direction": "up"}, follow=True
    )
    assert "That asset is not on this board." in response.content.decode()
    assert _order(board) == ["First", "Second", "Third"]
