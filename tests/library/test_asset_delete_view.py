"""Deleting an asset: its files go once the deletion commits; the assets made from it stay, without a parent."""

import pytest

from library.models import Asset, BoardItem
from library.storage import asset_storage
from tests.library.factories import BoardFactory, stored_asset

pytestmark = pytest.mark.django_db


def test_it_deletes_the_asset_and_its_files_and_keeps_its_children(
    client_for, team, member, django_capture_on_commit_callbacks
):
    parent = stored_asset(team, member, name="Original")
    child = stored_asset(team, member, parent=parent)
    board = BoardFactory(team=team)
    BoardItem.objects.create(board=board, asset=parent)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member).post(f"/library/assets/{parent.pk}/delete/", follow=True)

    assert "Deleted “Original”. The asset made from it stays in the library." in response.content.decode()
    assert not Asset.objects.filter(pk=parent.pk).exists()
    child.refresh_from_db()
    assert child.parent is None
    assert not BoardItem.objects.exists()
    assert not any(asset_storage().exists(key) for key in parent.storage_keys)
    assert all(asset_storage().exists(key) for key in child.storage_keys)


def test_files_stay_if_the_deletion_does_not_commit(client_for, team, member, django_capture_on_commit_callbacks):
    asset = stored_asset(team, member)
    with django_capture_on_commit_callbacks(execute=False):
        client_for(member).post(f"/library/assets/{asset.pk}/delete/")
    assert all(asset_storage().exists(key) for key in asset.storage_keys)


def test_a_viewer_cannot_delete(client_for, team, viewer):
    asset = stored_asset(team)
    assert client_for(viewer).post(f"/library/assets/{asset.pk}/delete/").status_code == 403
    assert Asset.objects.filter(pk=asset.pk).exists()


def test_another_team_cannot_delete(client_for, team, outsider):
    asset = stored_asset(team)
    assert client_for(outsider).post(f"/library/assets/{asset.pk}/delete/").status_code == 404
    assert Asset.objects.filter(pk=asset.pk).exists()
