"""The renditions task: makes a fresh tile and preview from the original, and is safe to run twice."""

import pytest

from library.models import Asset
from library.selectors import asset_bytes
from library.storage import asset_storage
from library.tasks import asset_renditions_remake
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db


def test_it_replaces_the_renditions_and_removes_the_old_files(team, django_capture_on_commit_callbacks):
    asset = stored_asset(team)
    old = [asset.thumb, asset.preview]

    with django_capture_on_commit_callbacks(execute=True):
        asset_renditions_remake(asset.pk)
    with django_capture_on_commit_callbacks(execute=True):
        asset_renditions_remake(asset.pk)  # a redelivered task does the same again, harmlessly

    asset.refresh_from_db()
    assert not any(asset_storage().exists(key) for key in old)
    assert all(asset_storage().exists(key) for key in asset.storage_keys)
    assert asset_bytes(asset, "thumb")[:4] == b"RIFF"


def test_it_does_nothing_for_an_asset_deleted_meanwhile(team):
    asset = stored_asset(team)
    Asset.objects.filter(pk=asset.pk).delete()
    asset_renditions_remake(asset.pk)
