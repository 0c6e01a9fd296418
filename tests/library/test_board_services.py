"""Board services: positions stay a clean 0..n-1 sequence whatever is added, moved, reordered or removed."""

import pytest

from library.services import LibraryError, board_asset_remove, board_assets_add, board_item_move, board_reorder
from tests.factories import TeamFactory
from tests.library.factories import AssetFactory, BoardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(team):
    return BoardFactory(team=team)


def _names(board):
    return list(board.items.order_by("position").values_list("asset__name", flat=True))


def _positions(board):
    return list(board.items.order_by("position").values_list("position", flat=True))


def test_adding_appends_after_the_last_and_counts_only_new_ones(team, member, board):
    a, b, c = (AssetFactory(team=team, name=n) for n in "abc")
    assert board_assets_add(board=board, assets=[a], user=member) == 1
    assert board_assets_add(board=board, assets=[a, b, c], user=member) == 2
    assert _names(board)[0] == "a" and sorted(_names(board)) == ["a", "b", "c"]
    assert _positions(board) == [0, 1, 2]


def test_adding_ignores_assets_of_another_team(team, member, board):
    foreign = AssetFactory(team=TeamFactory())
    assert board_assets_add(board=board, assets=[foreign], user=member) == 0
    assert board.items.count() == 0


def test_reordering_puts_named_assets_first_and_keeps_the_rest_in_order(team, member, board):
    a, b, c, d = (AssetFactory(team=team, name=n) for n in "abcd")
    for asset in (a, b, c, d):
        board_assets_add(board=board, assets=[asset], user=member)
    board_reorder(board=board, asset_ids=[d.pk, b.pk, 999_999])
    assert _names(board) == ["d", "b", "a", "c"] and _positions(board) == [0, 1, 2, 3]


def test_moving_and_removing_keep_positions_contiguous(team, member, board):
    a, b, c = (AssetFactory(team=team, name=n) for n in "abc")
    for asset in (a, b, c):
        board_assets_add(board=board, assets=[asset], user=member)
    board_item_move(board=board, asset=c, direction="up")
    assert _names(board) == ["a", "c", "b"]
    board_asset_remove(board=board, asset=a)
    board_item_move(board=board, asset=b, direction="up")
    assert _names(board) == ["b", "c"] and _positions(board) == [0, 1]


def test_moving_an_asset_that_is_not_on_the_board_is_refused(team, board):
    with pytest.raises(LibraryError, match="not on this board"):
        board_item_move(board=board, asset=AssetFactory(team=team), direction="up")
