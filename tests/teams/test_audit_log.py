import pytest

from studio.core.models import AuditEntry
from tests.teams.factories import AuditEntryFactory

pytestmark = pytest.mark.django_db


def test_it_lists_the_teams_changes_newest_first(client_for, admin_user, team):
    AuditEntryFactory(team=team, summary="first change")
    AuditEntryFactory(team=team, summary="second change")
    body = client_for(admin_user).get("/team/audit/").content.decode()
    assert body.index("second change") < body.index("first change")


def test_it_pages_through_long_logs(client_for, admin_user, team):
    for n in range(30):
        AuditEntryFactory(team=team, summary=f"change number {n:02d}")
    client = client_for(admin_user)
    first_page = client.get("/team/audit/").content.decode()
    assert "change number 29" in first_page and "change number 04" not in first_page
    assert "Page 1 of 2" in first_page
    second_page = client.get("/team/audit/?page=2").content.decode()
    assert "change number 04" in second_page and "change number 29" not in second_page


def test_it_filters_by_action(client_for, admin_user, team):
    AuditEntryFactory(team=team, action="key.set", summary="set the OpenAI key ending 1a2b")
    AuditEntryFactory(team=team, action="member.removed", summary="removed someone")
    body = client_for(admin_user).get("/team/audit/?action=key.set").content.decode()
    assert "set the OpenAI key ending 1a2b" in body and "removed someone" not in body


def test_htmx_filtering_swaps_only_the_entries(client_for, admin_user, team):
    AuditEntryFactory(team=team, action="key.set", summary="set a key")
    response = client_for(admin_user).get("/team/audit/?action=key.set", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith(f'<div id="team-{team.pk}-audit">')
    assert "set a key" in body and "<html" not in body


def test_an_empty_filter_says_so(client_for, admin_user, team):
    body = client_for(admin_user).get("/team/audit/?action=ownership.transferred").content.decode()
    assert "No entries of this kind yet." in body


def test_it_shows_nothing_of_another_team(client_for, admin_user, other_team):
    AuditEntryFactory(team=other_team, summary="their secret plans")
    assert "their secret plans" not in client_for(admin_user).get("/team/audit/").content.decode()


def test_real_changes_arrive_in_the_log(client_for, owner, member, team):
    client = client_for(owner)
    client.post("/team/rename/", {"name": "Renamed Studio"})
    client.post("/team/models/", {"allowed": ["openai:gpt-image-2"], "active": "openai:gpt-image-2"})
    client.post("/team/invitations/", {"email": "x@example.com", "role": "viewer"})
    body = client.get("/team/audit/").content.decode()
    assert "renamed the team" in body and "set the allowed models" in body and "invited x@example.com" in body
    assert AuditEntry.objects.filter(team=team).count() == 3


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_non_admins_get_403(client_for, make_member, role):
    response = client_for(make_member(role)).get("/team/audit/")
    assert response.status_code == 403
    assert "this needs Admin or above" in response.content.decode()
