from datetime import timedelta

import pytest
from django.core import mail

from studio.core.models import AuditEntry
from studio.teams.models import Invitation, hash_token
from tests.teams.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def invite(client, email="new.person@example.com", role="member", htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post("/team/invitations/", {"email": email, "role": role}, headers=headers)


def test_it_invites_by_email_and_sends_a_link_that_works(
    client_for, admin_user, team, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://studio.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(admin_user), htmx=True)
    assert response.status_code == 200
    invitation = Invitation.objects.get(team=team)
    assert invitation.email == "new.person@example.com" and invitation.role == "member"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.com"]
    assert team.name in message.subject
    link = next(line for line in message.body.splitlines() if line.startswith("https://studio.example.com/invite/"))
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash


def test_it_shows_the_link_once_on_the_page(client_for, admin_user, team, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    client = client_for(admin_user)
    body = invite(client, htmx=True).content.decode()
    assert "http://127.0.0.1:8000/invite/" in body
    assert "Copy link" in body
    again = client.get("/team/").content.decode()
    assert "/invite/" not in again
    assert "new.person@example.com" in again


def test_it_answers_htmx_with_the_invitations_region_and_a_toast(client_for, admin_user, team):
    response = invite(client_for(admin_user), htmx=True)
    body = response.content.decode()
    assert body.lstrip().startswith(f'<section class="card" id="team-{team.pk}-invitations"')
    assert "Invitation sent to new.person@example.com" in response["HX-Trigger"]


def test_it_works_without_htmx_too(client_for, admin_user, team):
    response = invite(client_for(admin_user))
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert "/invite/" in response.content.decode()


def test_the_invitation_expires_after_the_configured_days(client_for, admin_user, team, settings):
    settings.POSTFRAME_INVITATION_DAYS = 3
    invite(client_for(admin_user))
    invitation = Invitation.objects.get(team=team)
    assert abs((invitation.expires_at - invitation.created_at) - timedelta(days=3)) < timedelta(minutes=1)


def test_reinviting_the_same_email_replaces_its_pending_invitation(client_for, admin_user, team):
    old = InvitationFactory(team=team, email="Same.Person@example.com", role="viewer", token="old-token")
    invite(client_for(admin_user), email="same.person@example.com", role="admin")
    old.refresh_from_db()
    assert old.state == "revoked"
    pending = [i for i in Invitation.objects.filter(team=team) if i.is_pending]
    assert len(pending) == 1 and pending[0].role == "admin"


def test_it_refuses_an_invalid_address_next_to_the_field(client_for, admin_user, team):
    body = invite(client_for(admin_user), email="not-an-address", htmx=True).content.decode()
    assert "Enter a valid email address." in body
    assert not Invitation.objects.exists()


def test_it_refuses_an_unknown_role(client_for, admin_user, team):
    body = invite(client_for(admin_user), role="owner", htmx=True).content.decode()
    assert "Choose viewer, member or admin." in body
    assert not Invitation.objects.exists()


def test_it_refuses_to_invite_someone_already_in_the_team(client_for, admin_user, member, team):
    body = invite(client_for(admin_user), email=member.email.upper(), htmx=True).content.decode()
    assert "is already a member" in body
    assert not Invitation.objects.exists()


def test_it_records_the_invitation_in_the_audit_log(client_for, admin_user, team):
    invite(client_for(admin_user), role="viewer")
    entry = AuditEntry.objects.get(team=team, action="invitation.sent")
    assert "new.person@example.com" in entry.summary and "Viewer" in entry.summary
    assert entry.actor == admin_user


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_members_and_viewers_cannot_invite(client_for, make_member, role, team):
    response = invite(client_for(make_member(role)))
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_a_mail_failure_keeps_the_invitation_and_its_link(
    client_for, admin_user, team, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(**kwargs):
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr("studio.teams.services.send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(admin_user), htmx=True)
    assert response.status_code == 200
    assert "/invite/" in response.content.decode()
    assert Invitation.objects.filter(team=team).count() == 1


def test_the_invitee_of_another_team_is_not_affected(client_for, admin_user, team, other_team):
    elsewhere = InvitationFactory(team=other_team, email="new.person@example.com")
    invite(client_for(admin_user))
    elsewhere.refresh_from_db()
    assert elsewhere.is_pending
