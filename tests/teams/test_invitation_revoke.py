import pytest

from studio.core.models import AuditEntry
from tests.teams.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def test_an_admin_revokes_a_pending_invitation_and_its_link_stops_working(client_for, admin_user, team):
    invitation = InvitationFactory(team=team, email="later@example.com", token="revoke-me")
    client = client_for(admin_user)
    response = client.post(f"/team/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    page = client.get("/team/").content.decode()
    assert "its link no longer works" in page
    assert f"invitation-{invitation.pk}-row" not in page
    client.logout()
    assert client.get("/invite/revoke-me/").status_code == 410
    assert AuditEntry.objects.filter(team=team, action="invitation.revoked", summary__contains="later@").exists()


def test_revoking_twice_says_it_is_already_revoked(client_for, admin_user, team):
    invitation = InvitationFactory(team=team)
    client = client_for(admin_user)
    client.post(f"/team/invitations/{invitation.pk}/revoke/")
    client.get("/team/")
    client.post(f"/team/invitations/{invitation.pk}/revoke/")
    assert "is already revoked" in client.get("/team/").content.decode()


def test_a_member_cannot_revoke(client_for, member, team):
    invitation = InvitationFactory(team=team)
    assert client_for(member).post(f"/team/invitations/{invitation.pk}/revoke/").status_code == 403
    invitation.refresh_from_db()
    assert invitation.is_pending
