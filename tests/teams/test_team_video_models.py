"""The "Video models" part of the team's models page: allowed video models and the default, audited."""

import pytest

from studio.core.models import AuditEntry
from studio.teams.models import Team
from studio.teams.services import team_create

pytestmark = pytest.mark.django_db


def save(client, allowed, active):
    return client.post("/team/models/video/", {"video-allowed": allowed, "video-active": active})


def test_a_new_team_may_use_the_offline_animator_and_starts_with_it(admin_user):
    team = team_create(owner=admin_user, name="Fresh")
    assert team.allowed_video_models == ["local:animator"] and team.active_video_model == "local:animator"


def test_the_page_lists_every_video_model_with_the_animator_always_allowed(client_for, admin_user):
    body = client_for(admin_user).get("/team/models/").content.decode()
    assert "Video models" in body
    for label in (
        "Offline animator",
        "Kling 2.1",
        "Kling 2.5 Turbo",
        "Kling 2.6",
        "Seedance 1.0 Pro",
        "Seedance 1.5 Pro",
    ):
        assert label in body
    checkbox = next(line for line in body.splitlines() if 'value="local:animator"' in line and "checkbox" in line)
    assert "checked" in checkbox and "disabled" in checkbox
    assert "5 or 10 s clips" in body and "3, 5 or 10 s clips" in body and "480p to 1080p" in body


def test_an_admin_allows_video_models_and_picks_the_default(client_for, admin_user, team):
    response = save(
        client_for(admin_user), ["seedance:seedance-1-0-pro-250528", "kling:kling-v2-6"], "kling:kling-v2-6"
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.allowed_video_models == ["local:animator", "kling:kling-v2-6", "seedance:seedance-1-0-pro-250528"]
    assert team.active_video_model == "kling:kling-v2-6"
    entry = AuditEntry.objects.get(team=team, action="models.changed")
    assert "video models" in entry.summary and "default: Kling 2.6" in entry.summary
    assert entry.detail["kind"] == "video"


def test_the_image_model_choice_is_left_alone(client_for, admin_user, team):
    before = (list(team.allowed_models), team.active_model)
    save(client_for(admin_user), ["kling:kling-v2-1"], "kling:kling-v2-1")
    team.refresh_from_db()
    assert (team.allowed_models, team.active_model) == before


def test_a_default_that_is_not_allowed_is_refused_beside_the_field(client_for, admin_user, team):
    response = save(client_for(admin_user), ["kling:kling-v2-1"], "kling:kling-v2-6")
    assert response.status_code == 400
    assert "Kling 2.6 is not allowed." in response.content.decode()
    team.refresh_from_db()
    assert team.allowed_video_models == ["local:animator"] and team.active_video_model == "local:animator"
    assert not AuditEntry.objects.filter(team=team, action="models.changed").exists()


def test_a_refused_form_keeps_what_was_ticked(client_for, admin_user):
    body = save(client_for(admin_user), ["kling:kling-v2-1"], "kling:kling-v2-6").content.decode()
    checkbox = next(line for line in body.splitlines() if 'value="kling:kling-v2-1"' in line and "checkbox" in line)
    assert "checked" in checkbox


def test_unknown_video_models_are_refused(client_for, admin_user, team):
    response = save(client_for(admin_user), ["kling:kling-v9"], "local:animator")
    assert response.status_code == 400 and "Unknown video model: kling:kling-v9." in response.content.decode()
    team.refresh_from_db()
    assert team.allowed_video_models == ["local:animator"]


def test_an_allowed_kling_model_without_a_key_is_named(client_for, admin_user, team, settings):
    settings.KLING_ACCESS_KEY = settings.KLING_SECRET_KEY = ""
    Team.objects.filter(pk=team.pk).update(allowed_video_models=["local:animator", "kling:kling-v2-6"])
    body = client_for(admin_user).get("/team/models/").content.decode()
    assert "Kling 2.6 needs a provider key" in body


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_non_admins_cannot_change_video_models(client_for, make_member, team, role):
    response = save(client_for(make_member(role)), ["kling:kling-v2-6"], "kling:kling-v2-6")
    assert response.status_code == 403
    team.refresh_from_db()
    assert team.allowed_video_models == ["local:animator"]
