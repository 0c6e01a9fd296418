import pytest

from studio.core.models import AuditEntry
from studio.teams.models import Membership
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def membership_of(user, team):
    return Membership.objects.get(user=user, team=team)


def change_role(client, target, role, htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/team/members/{target.pk}/role/", {"role": role}, headers=headers)


def test_an_admin_changes_a_members_role(client_for, admin_user, member, team):
    target = membership_of(member, team)
    response = change_role(client_for(admin_user), target, "viewer")
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.role == "viewer"
    assert f"{member.email} is now Viewer." in response["HX-Trigger"]
    assert f'id="team-{team.pk}-members"' in response.content.decode()
    entry = AuditEntry.objects.get(team=team, action="member.role_changed")
    assert member.email in entry.summary and "Member" in entry.summary and "Viewer" in entry.summary


def test_an_admin_can_promote_a_member_to_admin(client_for, admin_user, member, team):
    change_role(client_for(admin_user), membership_of(member, team), "admin")
    assert membership_of(member, team).role == "admin"


def test_nobody_can_make_someone_owner_through_a_role_change(client_for, owner, member, team):
    body = change_role(client_for(owner), membership_of(member, team), "owner").content.decode()
    assert "Choose viewer, member or admin." in body
    assert membership_of(member, team).role == "member"


def test_nobody_can_change_the_owners_role(client_for, admin_user, owner, team):
    body = change_role(client_for(admin_user), membership_of(owner, team), "viewer").content.decode()
    assert "Nobody can change the role of the owner" in body
    assert membership_of(owner, team).role == "owner"


def test_an_admin_cannot_demote_another_admin(client_for, admin_user, team):
    other_admin = MembershipFactory(team=team, role="admin")
    body = change_role(client_for(admin_user), other_admin, "member").content.decode()
    assert "Only the owner can change the role of another admin." in body
    other_admin.refresh_from_db()
    assert other_admin.role == "admin"


def test_the_owner_can_demote_an_admin(client_for, owner, admin_user, team):
    change_role(client_for(owner), membership_of(admin_user, team), "member")
    assert membership_of(admin_user, team).role == "member"


def test_without_htmx_it_redirects_with_a_message(client_for, owner, admin_user, team):
    client = client_for(owner)
    response = change_role(client, membership_of(admin_user, team), "viewer", htmx=False)
    assert response.status_code == 302
    assert f"{admin_user.email} is now Viewer." in client.get("/team/").content.decode()


def test_a_refusal_without_htmx_shows_the_reason(client_for, admin_user, owner, team):
    client = client_for(admin_user)
    change_role(client, membership_of(owner, team), "viewer", htmx=False)
    assert "Nobody can change the role of the owner" in client.get("/team/").content.decode()


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_members_and_viewers_get_403(client_for, make_member, role, team):
    target = MembershipFactory(team=team, role="viewer")
    response = change_role(client_for(make_member(role)), target, "admin", htmx=False)
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == "viewer"


def test_a_get_changes_nothing(client_for, owner, member, team):
    target = membership_of(member, team)
    assert client_for(owner).get(f"/team/members/{target.pk}/role/").status_code == 405
