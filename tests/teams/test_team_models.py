import pytest

from studio.core.models import AuditEntry
from studio.teams.models import Team

pytestmark = pytest.mark.django_db


def save(client, allowed, active):
    return client.post("/team/models/", {"allowed": allowed, "active": active})


def test_it_lists_every_configured_model_with_what_it_can_do(client_for, admin_user):
    body = client_for(admin_user).get("/team/models/").content.decode()
    for label in ("GPT Image 2", "GPT Image 1.5", "GPT Image 1 Mini", "Offline draft engine"):
        assert label in body
    assert "up to 3840 px on the long edge" in body
    assert "no transparent backgrounds" in body
    assert "up to 16 reference images" in body


def test_the_offline_engine_is_always_allowed_shown_checked_and_disabled(client_for, admin_user):
    body = client_for(admin_user).get("/team/models/").content.decode()
    checkbox = next(line for line in body.splitlines() if 'value="local:draft"' in line and "checkbox" in line)
    assert "checked" in checkbox and "disabled" in checkbox


def test_an_admin_allows_models_and_chooses_the_active_one(client_for, admin_user, team):
    response = save(client_for(admin_user), ["openai:gpt-image-2", "openai:gpt-image-1.5"], "openai:gpt-image-2")
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.allowed_models == ["openai:gpt-image-2", "openai:gpt-image-1.5", "local:draft"]
    assert team.active_model == "openai:gpt-image-2"
    entry = AuditEntry.objects.get(team=team, action="models.changed")
    assert "GPT Image 2" in entry.summary and "active: GPT Image 2" in entry.summary


def test_unticking_everything_leaves_the_offline_engine(client_for, admin_user, team):
    save(client_for(admin_user), [], "local:draft")
    team.refresh_from_db()
    assert team.allowed_models == ["local:draft"] and team.active_model == "local:draft"


def test_it_refuses_an_active_model_that_is_not_allowed(client_for, admin_user, team):
    response = save(client_for(admin_user), ["openai:gpt-image-1.5"], "openai:gpt-image-2")
    assert response.status_code == 400
    assert "GPT Image 2 is not allowed." in response.content.decode()
    team.refresh_from_db()
    assert team.allowed_models == ["local:draft"] and team.active_model == "local:draft"


def test_a_refused_form_keeps_what_was_ticked(client_for, admin_user):
    body = save(client_for(admin_user), ["openai:gpt-image-1.5"], "openai:gpt-image-2").content.decode()
    checkbox = next(line for line in body.splitlines() if 'value="openai:gpt-image-1.5"' in line and "checkbox" in line)
    assert "checked" in checkbox


def test_it_refuses_unknown_model_ids(client_for, admin_user, team):
    response = save(client_for(admin_user), ["openai:dall-e-9"], "local:draft")
    assert response.status_code == 400
    assert "Unknown model: openai:dall-e-9." in response.content.decode()
    response = save(client_for(admin_user), [], "made:up")
    assert "Unknown model: made:up." in response.content.decode()
    assert Team.objects.get(pk=team.pk).allowed_models == ["local:draft"]


def test_it_warns_when_an_allowed_model_has_no_key(client_for, admin_user, team, settings):
    settings.OPENAI_API_KEY = ""
    team.allowed_models = ["openai:gpt-image-2", "local:draft"]
    team.save()
    body = client_for(admin_user).get("/team/models/").content.decode()
    assert "GPT Image 2 needs a provider key" in body


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_non_admins_get_a_clear_403(client_for, make_member, role, team):
    client = client_for(make_member(role))
    response = client.get("/team/models/")
    assert response.status_code == 403
    assert "this needs Admin or above" in response.content.decode()
    assert save(client, ["openai:gpt-image-2"], "openai:gpt-image-2").status_code == 403
    assert Team.objects.get(pk=team.pk).active_model == "local:draft"
