import pytest

from studio.core.models import AuditEntry
from studio.teams.models import Membership
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def remove(client, target):
    return client.post(f"/team/members/{target.pk}/remove/")


def test_an_admin_removes_a_member(client_for, admin_user, member, team):
    client = client_for(admin_user)
    target = Membership.objects.get(user=member, team=team)
    response = remove(client, target)
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=target.pk).exists()
    assert f"{member.email} is no longer a member" in client.get("/team/").content.decode()
    assert AuditEntry.objects.filter(team=team, action="member.removed", summary__contains=member.email).exists()


def test_nobody_can_remove_the_owner(client_for, admin_user, owner, team):
    client = client_for(admin_user)
    remove(client, Membership.objects.get(user=owner, team=team))
    assert Membership.objects.filter(user=owner, team=team, role="owner").exists()
    assert "Nobody can remove the owner" in client.get("/team/").content.decode()


def test_an_admin_cannot_remove_another_admin(client_for, admin_user, team):
    other_admin = MembershipFactory(team=team, role="admin")
    client = client_for(admin_user)
    remove(client, other_admin)
    assert Membership.objects.filter(pk=other_admin.pk).exists()
    assert "Only the owner can remove another admin." in client.get("/team/").content.decode()


def test_the_owner_can_remove_an_admin(client_for, owner, admin_user, team):
    remove(client_for(owner), Membership.objects.get(user=admin_user, team=team))
    assert not Membership.objects.filter(user=admin_user, team=team).exists()


def test_an_admin_is_pointed_to_leave_team_to_remove_themselves(client_for, admin_user, team):
    client = client_for(admin_user)
    remove(client, Membership.objects.get(user=admin_user, team=team))
    assert Membership.objects.filter(user=admin_user, team=team).exists()
    assert "use Leave team" in client.get("/team/").content.decode()


def test_a_member_gets_403(client_for, member, viewer, team):
    target = Membership.objects.get(user=viewer, team=team)
    assert remove(client_for(member), target).status_code == 403
    assert Membership.objects.filter(pk=target.pk).exists()
