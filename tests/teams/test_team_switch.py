import pytest

from studio.teams.middleware import SESSION_KEY
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_top_bar_lists_the_users_other_teams_and_switches_to_one(client_for, member, team):
    elsewhere = MembershipFactory(user=member, role="admin").team
    client = client_for(member)
    client.post("/teams/switch/", {"team": team.pk})
    page = client.get("/team/").content.decode()
    assert f'name="team" value="{elsewhere.pk}"' in page
    response = client.post("/teams/switch/", {"team": elsewhere.pk})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == elsewhere.pk
    assert f"<h1>{elsewhere.name}</h1>" in client.get("/team/").content.decode()


def test_it_refuses_a_team_the_user_is_not_in(client_for, member, team, other_team):
    client = client_for(member)
    client.post("/teams/switch/", {"team": other_team.pk})
    assert client.session[SESSION_KEY] == team.pk
    assert "You are not a member of that team." in client.get("/team/").content.decode()


def test_it_refuses_nonsense(client_for, member, team):
    client = client_for(member)
    client.post("/teams/switch/", {"team": "not-a-number"})
    assert "You are not a member of that team." in client.get("/team/").content.decode()
