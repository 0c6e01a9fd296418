import pytest

from studio.core.models import AuditEntry
from studio.teams.middleware import SESSION_KEY
from studio.teams.models import Membership
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_member_leaves_and_lands_in_their_other_team(client_for, member, team):
    elsewhere = MembershipFactory(user=member, role="owner").team
    client = client_for(member)
    client.post("/teams/switch/", {"team": team.pk})
    response = client.post("/team/leave/")
    assert response.status_code == 302
    assert not Membership.objects.filter(user=member, team=team).exists()
    assert AuditEntry.objects.filter(team=team, action="member.left", actor=member).exists()
    client.get("/")
    assert client.session[SESSION_KEY] == elsewhere.pk


def test_someone_who_leaves_their_only_team_is_sent_to_create_one(client_for, viewer, team):
    client = client_for(viewer)
    client.post("/team/leave/")
    assert client.get("/").url == "/teams/new/"


def test_the_owner_cannot_leave(client_for, owner, team):
    client = client_for(owner)
    client.post("/team/leave/")
    assert Membership.objects.filter(user=owner, team=team, role="owner").exists()
    assert "The owner cannot leave" in client.get("/team/").content.decode()
