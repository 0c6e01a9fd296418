import pytest

from tests.teams.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def test_it_lists_the_members_with_their_roles_and_join_dates(client_for, owner, member, viewer, team):
    response = client_for(viewer).get("/team/")
    body = response.content.decode()
    assert response.status_code == 200
    for user in (owner, member, viewer):
        assert user.email in body
    assert "Owner" in body and "Member" in body and "Viewer" in body
    assert f"membership-{owner.memberships.get(team=team).pk}-row" in body


def test_a_viewer_sees_members_read_only(client_for, viewer, member, owner):
    body = client_for(viewer).get("/team/").content.decode()
    assert "Only admins and the owner can change members." in body
    assert "/role/" not in body and "/remove/" not in body
    assert "Send invitation" not in body
    assert "Leave team" in body


def test_an_admin_sees_role_controls_invitations_and_rename(client_for, admin_user, member, team):
    InvitationFactory(team=team, email="pending@example.com")
    body = client_for(admin_user).get("/team/").content.decode()
    member_pk = member.memberships.get(team=team).pk
    assert f"/team/members/{member_pk}/role/" in body
    assert f"/team/members/{member_pk}/remove/" in body
    assert "Send invitation" in body
    assert "pending@example.com" in body
    assert "Rename team" in body


def test_an_admin_gets_no_controls_over_the_owner(client_for, admin_user, owner, team):
    body = client_for(admin_user).get("/team/").content.decode()
    owner_pk = owner.memberships.get(team=team).pk
    assert f"/team/members/{owner_pk}/role/" not in body
    assert f"/team/members/{owner_pk}/remove/" not in body


def test_the_owner_is_offered_transfer_and_delete_instead_of_leave(client_for, owner):
    body = client_for(owner).get("/team/").content.decode()
    assert "Transfer ownership" in body and "Delete team" in body
    assert "Leave team" not in body


def test_the_tabs_show_admin_sections_only_to_admins(client_for, admin_user, member):
    admin_body = client_for(admin_user).get("/team/").content.decode()
    for link in ("/team/models/", "/team/keys/", "/team/credits/", "/team/audit/"):
        assert link in admin_body
    member_body = client_for(member).get("/team/").content.decode()
    for link in ("/team/models/", "/team/keys/", "/team/audit/"):
        assert link not in member_body


def test_the_page_has_no_inline_script_or_style(client_for, owner):
    body = client_for(owner).get("/team/").content.decode()
    assert "<script>" not in body and "style=" not in body and "hx-on" not in body
