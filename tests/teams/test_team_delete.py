import pytest

from studio.credits.models import Wallet
from studio.teams.middleware import SESSION_KEY
from studio.teams.models import Invitation, Membership, ProviderKey, Team
from tests.factories import MembershipFactory
from tests.teams.factories import InvitationFactory, ProviderKeyFactory

pytestmark = pytest.mark.django_db


def test_the_confirmation_page_says_what_will_be_lost(client_for, owner, member, team):
    ProviderKeyFactory(team=team)
    body = client_for(owner).get("/team/delete/").content.decode()
    assert f"Delete {team.name}" in body
    assert "2 members lose access" in body
    assert "1 provider key is erased" in body
    assert "Type the team&#x27;s name to confirm" in body


def test_the_confirmation_page_counts_the_credits_that_would_be_forfeited(client_for, owner, team):
    Wallet.objects.filter(team=team).update(balance=42)
    body = client_for(owner).get("/team/delete/").content.decode()
    assert "42 credits left in the wallet are forfeited" in body


def test_a_wrong_name_is_refused_next_to_the_field_and_nothing_is_deleted(client_for, owner, team):
    response = client_for(owner).post("/team/delete/", {"confirm_name": team.name.upper() + "x"})
    assert response.status_code == 400
    assert "That is not the team&#x27;s name." in response.content.decode()
    assert Team.objects.filter(pk=team.pk).exists()


def test_an_empty_name_is_refused(client_for, owner, team):
    response = client_for(owner).post("/team/delete/", {"confirm_name": ""})
    assert "Type the team&#x27;s name to confirm." in response.content.decode()
    assert Team.objects.filter(pk=team.pk).exists()


def test_the_owner_deletes_the_team_and_everything_in_it(client_for, owner, member, team):
    InvitationFactory(team=team)
    ProviderKeyFactory(team=team)
    response = client_for(owner).post("/team/delete/", {"confirm_name": team.name})
    assert response.status_code == 302
    assert not Team.objects.filter(pk=team.pk).exists()
    assert not Membership.objects.filter(team_id=team.pk).exists()
    assert not Invitation.objects.filter(team_id=team.pk).exists()
    assert not ProviderKey.objects.filter(team_id=team.pk).exists()
    assert not Wallet.objects.filter(team_id=team.pk).exists()


def test_after_deletion_the_owner_is_switched_to_another_team(client_for, owner, team):
    other = MembershipFactory(user=owner, role="member").team
    client = client_for(owner)
    client.post("/teams/switch/", {"team": team.pk})
    client.post("/team/delete/", {"confirm_name": team.name})
    client.get("/")
    assert client.session[SESSION_KEY] == other.pk


def test_after_deleting_their_only_team_the_owner_is_sent_to_create_one(client_for, owner, team):
    client = client_for(owner)
    client.post("/team/delete/", {"confirm_name": team.name})
    assert client.get("/").url == "/teams/new/"


def test_credits_held_by_running_work_block_deletion(client_for, owner, team):
    Wallet.objects.filter(team=team).update(balance=10, held=5)
    body = client_for(owner).post("/team/delete/", {"confirm_name": team.name}).content.decode()
    assert "5 credits are held by running work" in body
    assert Team.objects.filter(pk=team.pk).exists()


def test_an_admin_cannot_delete_the_team(client_for, admin_user, team):
    response = client_for(admin_user).post("/team/delete/", {"confirm_name": team.name})
    assert response.status_code == 403
    assert "this needs Owner or above" in response.content.decode()
    assert Team.objects.filter(pk=team.pk).exists()
