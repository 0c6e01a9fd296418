"""Teams still set to a shut-down model move to its documented successor, with an audit entry and a notice."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core import mail

from studio.core.models import AuditEntry
from studio.engines.retirement import moved_choice, teams_move_off_retired_models
from studio.teams.models import Membership, Team

pytestmark = pytest.mark.django_db

SUCCESSOR = "openai:gpt-image-2.5-sunburst"


def move(capture):
    with capture(execute=True):
        return teams_move_off_retired_models(Team=Team, Membership=Membership, AuditEntry=AuditEntry)


def test_a_team_on_gpt_image_1_moves_to_gpt_image_25_sunburst_and_its_admins_are_told(
    team, owner, admin_user, member, django_capture_on_commit_callbacks
):
    team.allowed_models = ["local:draft", "openai:gpt-image-1", "openai:gpt-image-2"]
    team.active_model = "openai:gpt-image-1"
    team.save()

    assert move(django_capture_on_commit_callbacks) == [team.pk]

    team.refresh_from_db()
    assert team.active_model == SUCCESSOR
    assert team.allowed_models == ["openai:gpt-image-2", SUCCESSOR, "local:draft"]
    entry = AuditEntry.objects.get(team=team, action="models.retired")
    assert entry.summary == "Retired models replaced by their successors: GPT Image 1 → GPT Image 2.5 Sunburst"
    assert entry.detail["before"]["active"] == "openai:gpt-image-1" and entry.actor is None
    assert entry.action_label == "Retired model replaced"
    [notice] = mail.outbox
    assert sorted(notice.to) == sorted([owner.email, admin_user.email])  # not the plain member
    assert "shut down by OpenAI on 2026-10-23" in notice.body
    assert "now the team's active model" in notice.body


def test_a_team_that_only_allowed_it_keeps_its_active_model(team, owner, django_capture_on_commit_callbacks):
    team.allowed_models = ["openai:gpt-image-1", "openai:gpt-image-1.5"]
    team.active_model = "openai:gpt-image-1.5"
    team.save()

    move(django_capture_on_commit_callbacks)

    team.refresh_from_db()
    assert team.active_model == "openai:gpt-image-1.5"
    assert SUCCESSOR in team.allowed_models and "openai:gpt-image-1" not in team.allowed_models
    assert "now the team's active model" not in mail.outbox[0].body


def test_teams_on_current_models_are_left_alone(team, owner, django_capture_on_commit_callbacks):
    team.allowed_models = ["local:draft", "openai:gpt-image-2"]
    team.active_model = "openai:gpt-image-2"
    team.save()

    assert move(django_capture_on_commit_callbacks) == []
    assert not AuditEntry.objects.filter(action="models.retired").exists()
    assert mail.outbox == []


def test_running_it_twice_moves_nothing_the_second_time(team, owner, django_capture_on_commit_callbacks):
    team.allowed_models, team.active_model = ["openai:gpt-image-1"], "openai:gpt-image-1"
    team.save()
    move(django_capture_on_commit_callbacks)

    assert move(django_capture_on_commit_callbacks) == []
    assert AuditEntry.objects.filter(action="models.retired").count() == 1


def test_moved_choice_replaces_every_retired_model_once():
    allowed, active, moves = moved_choice(["openai:dall-e-3", "openai:gpt-image-1"], "openai:dall-e-3")

    assert allowed.count(SUCCESSOR) == 1 and active == SUCCESSOR
    assert moves == {"openai:dall-e-3": SUCCESSOR, "openai:gpt-image-1": SUCCESSOR}


def test_the_data_migration_runs_the_same_move_on_historical_models(team, owner, django_capture_on_commit_callbacks):
    team.allowed_models, team.active_model = ["openai:gpt-image-1"], "openai:gpt-image-1"
    team.save()
    migration = importlib.import_module("studio.engines.migrations.0001_move_teams_off_retired_models")

    with django_capture_on_commit_callbacks(execute=True):
        migration.move_teams(django_apps, None)

    team.refresh_from_db()
    assert team.active_model == SUCCESSOR
    assert len(mail.outbox) == 1
