"""The operator's Django admin: teams are browsable, secrets are not."""

import pytest

from tests.factories import UserFactory
from tests.teams.factories import AuditEntryFactory, InvitationFactory, ProviderKeyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = UserFactory(username="operator", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_the_team_pages_open(operator, team, owner):
    assert operator.get("/admin/teams/team/").status_code == 200
    assert operator.get(f"/admin/teams/team/{team.pk}/change/").status_code == 200
    assert operator.get("/admin/teams/membership/").status_code == 200


def test_an_invitation_shows_no_token(operator, team):
    invitation = InvitationFactory(team=team, token="very-secret-token")
    body = operator.get(f"/admin/teams/invitation/{invitation.pk}/change/").content.decode()
    assert invitation.email in body
    assert invitation.token_hash not in body and "very-secret-token" not in body


def test_a_provider_key_shows_only_its_last_four(operator, team):
    key = ProviderKeyFactory(team=team, secret="sk-admin-secret-4321")
    body = operator.get(f"/admin/teams/providerkey/{key.pk}/change/").content.decode()
    assert "•••• 4321" in body
    assert "sk-admin-secret" not in body and bytes(key.ciphertext).decode() not in body


def test_the_audit_log_is_read_only(operator, team):
    entry = AuditEntryFactory(team=team, summary="renamed the team")
    body = operator.get(f"/admin/core/auditentry/{entry.pk}/change/").content.decode()
    assert "renamed the team" in body
    assert 'name="_save"' not in body
    assert operator.get("/admin/core/auditentry/add/").status_code == 403
    assert operator.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_provider_key_cannot_be_added_or_edited_in_admin_but_can_be_deleted(operator, team):
    key = ProviderKeyFactory(team=team, secret="sk-admin-secret-9876")
    assert operator.get("/admin/teams/providerkey/add/").status_code == 403
    assert 'name="_save"' not in operator.get(f"/admin/teams/providerkey/{key.pk}/change/").content.decode()
    assert operator.post(f"/admin/teams/providerkey/{key.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not type(key).objects.filter(pk=key.pk).exists()
