"""orphan_files_sweep: files that no asset refers to are removed once old enough; every file of a live asset stays."""

import os
import time

import pytest
from django.conf import settings
from django.db import transaction

from library import tasks
from library.models import Asset
from library.services import asset_renditions_remake, orphan_files_sweep
from library.storage import asset_storage, files_listed
from tests.factories import TeamFactory
from tests.library import images
from tests.library.factories import stored_asset

pytestmark = pytest.mark.django_db

HOUR = 3600


class CallerFailed(Exception):
    pass


def _stored_keys(team=None):
    return sorted(key for key, _ in files_listed(f"teams/{team.pk}" if team else "teams"))


def _age(keys, seconds):
    """Make files look as if they were written `seconds` ago."""
    then = time.time() - seconds
    for key in keys:
        os.utime(asset_storage().path(key), (then, then))


def _ingest_rolled_back_by_its_caller(team, user):
    """An ingest inside a caller's transaction that then fails: the row goes, the files were already written."""
    with pytest.raises(CallerFailed), transaction.atomic():
        stored_asset(team, user, source="upload", data=images.png(320, 200))
        raise CallerFailed
    assert not Asset.objects.filter(team=team).exists()
    left = _stored_keys(team)
    assert len(left) == 3  # original, preview, tile
    return left


def test_it_removes_the_files_of_an_ingest_whose_callers_transaction_rolled_back(team, member):
    left = _ingest_rolled_back_by_its_caller(team, member)
    _age(left, 7 * HOUR)

    assert orphan_files_sweep(older_than_seconds=6 * HOUR) == 3
    assert _stored_keys() == []


def test_it_leaves_young_files_alone_because_their_transaction_may_still_be_open(team, member):
    left = _ingest_rolled_back_by_its_caller(team, member)
    _age(left, 5 * HOUR)

    assert orphan_files_sweep(older_than_seconds=6 * HOUR) == 0
    assert _stored_keys() == left


def test_every_file_of_a_live_asset_stays_however_old(team, member, django_capture_on_commit_callbacks):
    kept = stored_asset(team, member, source="upload", data=images.png(300, 300))
    remade = stored_asset(team, member, source="upload", data=images.png(200, 300))
    with django_capture_on_commit_callbacks(execute=True):
        asset_renditions_remake(asset=remade)  # its preview and tile under a new stem, the original under the old
    remade.refresh_from_db()
    _age(_stored_keys(), 30 * 24 * HOUR)

    assert orphan_files_sweep(older_than_seconds=HOUR) == 0
    assert _stored_keys() == sorted(kept.storage_keys + remade.storage_keys)


def test_it_keeps_other_teams_files_apart(team, member):
    other_team = TeamFactory()
    theirs = stored_asset(other_team, member, source="upload", data=images.png(128, 128))
    orphaned = _ingest_rolled_back_by_its_caller(team, member)
    _age(_stored_keys(), 7 * HOUR)

    assert orphan_files_sweep(older_than_seconds=6 * HOUR) == len(orphaned)
    assert _stored_keys() == sorted(theirs.storage_keys)


def test_the_hourly_beat_task_uses_the_configured_grace(team, member, settings):
    left = _ingest_rolled_back_by_its_caller(team, member)
    _age(left, 2 * HOUR)

    settings.POSTFRAME_ORPHAN_FILE_GRACE_SECONDS = 3 * HOUR
    assert tasks.orphan_files_sweep_task() == 0
    settings.POSTFRAME_ORPHAN_FILE_GRACE_SECONDS = HOUR
    assert tasks.orphan_files_sweep_task() == 3
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["library.orphan_files_sweep"] == HOUR


def test_an_empty_storage_is_nothing_to_sweep():
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.iterdir())
    assert orphan_files_sweep(older_than_seconds=0) == 0
