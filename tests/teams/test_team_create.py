import pytest

from studio.core.models import AuditEntry
from studio.credits.models import LedgerEntry
from studio.teams.models import Membership
from studio.teams.services import TeamError, team_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_makes_the_creator_owner_with_a_wallet_and_the_offline_engine(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/teams/new/", {"name": "Northwind Marketing"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert membership.role == "owner"
    assert membership.team.active_model == "local:draft"
    assert membership.team.wallet.balance == 0
    assert AuditEntry.objects.filter(team=membership.team, action="team.created").exists()


def test_a_blank_name_is_refused_next_to_the_field_and_nothing_is_made(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/teams/new/", {"name": "   "})
    assert response.status_code == 200
    assert (
        "Give the team a name." in response.content.decode() or "This field is required." in response.content.decode()
    )
    assert not Membership.objects.filter(user=user).exists()


def test_a_new_team_starts_with_the_configured_sign_up_credits_once(settings):
    settings.POSTFRAME_SIGNUP_CREDITS = 50
    team = team_create(owner=UserFactory(), name="Harbor Coffee")
    team.wallet.refresh_from_db()
    assert team.wallet.balance == 50
    assert LedgerEntry.objects.filter(wallet=team.wallet, kind="grant").count() == 1


def test_two_teams_with_one_name_get_different_slugs():
    owner = UserFactory()
    assert team_create(owner=owner, name="Studio").slug != team_create(owner=owner, name="Studio").slug


def test_the_service_refuses_an_empty_name():
    with pytest.raises(TeamError):
        team_create(owner=UserFactory(), name=" ")
