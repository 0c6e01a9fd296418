import pytest

from studio.core.models import AuditEntry
from studio.teams.models import Team

pytestmark = pytest.mark.django_db


def test_an_admin_renames_the_team(client_for, admin_user, team):
    response = client_for(admin_user).post(
        "/team/rename/", {"name": "  Spring Launch  "}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/team/"
    team.refresh_from_db()
    assert team.name == "Spring Launch"
    assert AuditEntry.objects.filter(team=team, action="team.renamed", summary__contains="Spring Launch").exists()


def test_an_empty_name_is_refused_next_to_the_field(client_for, admin_user, team):
    before = team.name
    response = client_for(admin_user).post("/team/rename/", {"name": "   "}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert f'id="team-{team.pk}-name"' in body
    assert "This field is required." in body or "Give the team a name." in body
    assert Team.objects.get(pk=team.pk).name == before


def test_a_member_cannot_rename_the_team(client_for, member, team):
    before = team.name
    assert client_for(member).post("/team/rename/", {"name": "Mine now"}).status_code == 403
    assert Team.objects.get(pk=team.pk).name == before
