"""Moving the audit log from studio.teams to studio.core kept every entry: same table, state-only migrations, and
the content type (with the permissions granted on it) moved across."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import migrations

from studio.core.models import AuditEntry
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

MOVE = importlib.import_module("studio.teams.migrations.0002_audit_entry_moves_to_core")


def test_the_model_keeps_the_table_its_rows_were_written_to():
    assert AuditEntry._meta.db_table == "teams_auditentry"


def test_the_move_changes_only_djangos_record_of_the_model_never_the_table():
    moves = [op for op in MOVE.Migration.operations if isinstance(op, migrations.SeparateDatabaseAndState)]
    assert len(moves) == 1 and moves[0].database_operations == []
    assert [type(op).__name__ for op in moves[0].state_operations] == ["DeleteModel"]


def test_an_entry_written_before_the_move_reads_back_through_core():
    team, actor = TeamFactory(), UserFactory()
    entry = AuditEntry.objects.create(team=team, actor=actor, action="team.renamed", summary="before", detail={"a": 1})
    assert AuditEntry.objects.get(pk=entry.pk).action_label == "Team renamed"


def test_the_content_type_and_its_permissions_follow_the_model():
    ContentType.objects.filter(app_label="core", model="auditentry").delete()
    old = ContentType.objects.create(app_label="teams", model="auditentry")
    permission = Permission.objects.create(content_type=old, codename="view_auditentry_old", name="Can view")

    MOVE.content_type_to_core(apps, None)
    ContentType.objects.clear_cache()

    moved = ContentType.objects.get(pk=old.pk)
    assert moved.app_label == "core"
    assert Permission.objects.get(pk=permission.pk).content_type_id == moved.pk
