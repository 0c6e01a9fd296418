from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from studio.core.models import AuditEntry
from studio.teams.middleware import SESSION_KEY
from studio.teams.models import Membership
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.teams.factories import InvitationFactory

pytestmark = pytest.mark.django_db

TOKEN = "a-fine-invitation-token"
URL = f"/invite/{TOKEN}/"


@pytest.fixture
def invitation(team):
    return InvitationFactory(team=team, email="Invitee@Example.com", role="admin", token=TOKEN)


@pytest.fixture
def invitee():
    return UserFactory(username="invitee", email="invitee@example.com")


def test_a_visitor_is_told_who_invited_them_and_offered_login_and_signup_that_come_back(client, invitation, team):
    response = client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert f"Join {team.name} on Postframe" in body
    assert "/accounts/login/?next=/invite/a-fine-invitation-token/" in body
    assert "/accounts/signup/?next=/invite/a-fine-invitation-token/" in body


def test_a_visitor_who_posts_is_sent_to_log_in_and_nothing_changes(client, invitation):
    response = client.post(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    invitation.refresh_from_db()
    assert invitation.state == "pending"


def test_a_signed_in_invitee_sees_the_team_and_role_and_an_accept_button(client_for, invitee, invitation, team):
    body = client_for(invitee).get(URL).content.decode()
    assert f"Accept and join {team.name}" in body
    assert "Admin" in body


def test_accepting_joins_the_team_with_the_role_and_switches_to_it(client_for, invitee, invitation, team):
    elsewhere = MembershipFactory(user=invitee, role="owner").team
    client = client_for(invitee)
    client.post("/teams/switch/", {"team": elsewhere.pk})
    response = client.post(URL)
    assert response.status_code == 302
    membership = Membership.objects.get(team=team, user=invitee)
    assert membership.role == "admin"
    assert client.session[SESSION_KEY] == team.pk
    invitation.refresh_from_db()
    assert invitation.state == "accepted" and invitation.accepted_by == invitee
    page = client.get("/team/").content.decode()
    assert f"Welcome to {team.name}" in page
    assert AuditEntry.objects.filter(team=team, action="invitation.accepted", actor=invitee).exists()


def test_the_email_match_ignores_case(client_for, invitation, team):
    user = UserFactory(username="shouty", email="INVITEE@EXAMPLE.COM")
    client_for(user).post(URL)
    assert Membership.objects.filter(team=team, user=user).exists()


def test_a_verified_secondary_address_also_matches(client_for, invitation, team):
    user = UserFactory(username="two-addresses", email="work@elsewhere.com")
    EmailAddress.objects.create(user=user, email="invitee@example.com", verified=True, primary=False)
    client_for(user).post(URL)
    assert Membership.objects.filter(team=team, user=user).exists()


def test_it_refuses_a_user_with_another_email_and_says_so(client_for, invitation, team):
    stranger = UserFactory(username="stranger", email="stranger@example.com")
    client = client_for(stranger)
    page = client.get(URL)
    assert page.status_code == 403
    assert "This invitation is for Invitee@Example.com, but you are signed in as stranger@example.com" in (
        page.content.decode()
    )
    response = client.post(URL)
    assert response.status_code == 403
    assert not Membership.objects.filter(team=team, user=stranger).exists()
    invitation.refresh_from_db()
    assert invitation.state == "pending"


def test_it_works_once(client_for, invitee, invitation, team):
    client_for(invitee).post(URL)
    second = UserFactory(username="second", email="invitee@example.com")
    response = client_for(second).post(URL)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert not Membership.objects.filter(team=team, user=second).exists()


def test_an_expired_invitation_gets_a_clear_page(client_for, invitee, invitation, team):
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()
    response = client_for(invitee).post(URL)
    assert response.status_code == 410
    assert "This invitation expired on" in response.content.decode()
    assert not Membership.objects.filter(team=team, user=invitee).exists()


def test_a_revoked_invitation_gets_a_clear_page(client, invitation, team):
    invitation.revoked_at = timezone.now()
    invitation.save()
    response = client.get(URL)
    assert response.status_code == 410
    assert "This invitation was withdrawn" in response.content.decode()


def test_an_unknown_token_gets_a_clear_page_not_a_stack(client_for, invitee):
    response = client_for(invitee).get("/invite/no-such-token/")
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()


def test_someone_already_in_the_team_is_told_so(client_for, invitation, team):
    existing = MembershipFactory(team=team, role="viewer", user=UserFactory(username="in", email="invitee@example.com"))
    response = client_for(existing.user).post(URL)
    assert "You are already a member of" in response.content.decode()
    existing.refresh_from_db()
    assert existing.role == "viewer"


def test_accepting_does_not_touch_other_teams(client_for, invitee, invitation, team):
    other = TeamFactory()
    client_for(invitee).post(URL)
    assert not Membership.objects.filter(team=other, user=invitee).exists()


def test_the_invitee_who_already_accepted_is_told_they_are_in(client_for, invitee, invitation, team):
    client = client_for(invitee)
    client.post(URL)
    response = client.get(URL)
    assert response.status_code == 200
    assert f"You're already in {team.name}" in response.content.decode()
