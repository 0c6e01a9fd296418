import pytest

from studio.api.models import ApiToken, hash_secret
from studio.core.models import AuditEntry
from tests.api.factories import ApiTokenFactory

pytestmark = pytest.mark.django_db

URL = "/team/api-tokens/"


def test_an_admin_creates_a_token_and_sees_its_secret_once(client_for, team, admin_user):
    client = client_for(admin_user)
    response = client.post(URL, {"name": "Campaign scheduler"})
    assert response.status_code == 200
    token = ApiToken.objects.get(team=team)
    secret = response.context["issued"].secret
    assert secret.startswith("pf_live_")
    assert secret in response.content.decode()
    assert "only time Postframe shows it" in response.content.decode()
    assert token.secret_hash == hash_secret(secret) and secret not in (token.prefix, token.name)
    assert "no-store" in response["Cache-Control"]
    # A later visit lists the token by its prefix only.
    page = client.get(URL).content.decode()
    assert "Campaign scheduler" in page and token.prefix in page and secret not in page


def test_it_writes_an_audit_entry_when_a_token_is_created(client_for, team, admin_user):
    client_for(admin_user).post(URL, {"name": "Zapier"})
    entry = AuditEntry.objects.get(team=team, action="api_token.created")
    assert "Zapier" in entry.summary and entry.actor == admin_user


def test_it_refuses_a_blank_name_next_to_the_field_and_creates_nothing(client_for, team, admin_user):
    response = client_for(admin_user).post(URL, {"name": "   "})
    assert response.status_code == 200
    assert "Give the token a name" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_an_htmx_create_answers_only_the_token_panel(client_for, team, admin_user):
    response = client_for(admin_user).post(URL, {"name": "Zapier"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="api-tokens-panel"' in body and "<html" not in body
    assert "pf_live_" in body


def test_the_empty_page_says_what_to_do(client_for, admin_user):
    body = client_for(admin_user).get(URL).content.decode()
    assert "No tokens yet" in body


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_it_refuses_the_page_to_a_member_or_viewer(client_for, make_member, role):
    client = client_for(make_member(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"name": "Sneaky"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_an_admin_revokes_a_token_with_an_audit_entry(client_for, team, admin_user):
    token = ApiTokenFactory(team=team, name="Old script")
    response = client_for(admin_user).post(f"/team/api-tokens/{token.pk}/revoke/", follow=True)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Old script is revoked" in response.content.decode()
    assert AuditEntry.objects.filter(team=team, action="api_token.revoked").count() == 1


def test_the_revoke_button_asks_for_confirmation(client_for, team, admin_user):
    ApiTokenFactory(team=team, name="Old script")
    body = client_for(admin_user).get(URL).content.decode()
    assert 'data-confirm="Revoke Old script?' in body


def test_revoking_twice_writes_one_audit_entry(client_for, team, admin_user):
    token = ApiTokenFactory(team=team)
    client = client_for(admin_user)
    client.post(f"/team/api-tokens/{token.pk}/revoke/")
    client.post(f"/team/api-tokens/{token.pk}/revoke/")
    assert AuditEntry.objects.filter(team=team, action="api_token.revoked").count() == 1


def test_it_answers_404_for_another_teams_token_and_leaves_it_alone(client_for, outsider, team):
    token = ApiTokenFactory(team=team)
    client = client_for(outsider)
    assert client.post(f"/team/api-tokens/{token.pk}/revoke/").status_code == 404
    assert client.get(f"/team/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_whose_creator_left_is_marked_as_no_longer_working(client_for, team, owner, admin_user):
    from studio.api.services import api_token_create
    from studio.teams.models import Membership

    api_token_create(team=team, user=admin_user, name="Departed admin's script")
    Membership.objects.filter(team=team, user=admin_user).delete()
    body = client_for(owner).get(URL).content.decode()
    assert "Creator left" in body
