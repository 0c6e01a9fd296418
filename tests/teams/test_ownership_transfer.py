import pytest

from studio.core.models import AuditEntry
from studio.teams import services
from studio.teams.models import Membership

pytestmark = pytest.mark.django_db


def test_the_owner_transfers_ownership_and_becomes_admin(client_for, owner, member, team):
    client = client_for(owner)
    target = Membership.objects.get(user=member, team=team)
    response = client.post("/team/transfer/", {"new_owner": target.pk})
    assert response.status_code == 302
    assert Membership.objects.get(user=member, team=team).role == "owner"
    assert Membership.objects.get(user=owner, team=team).role == "admin"
    assert Membership.objects.filter(team=team, role="owner").count() == 1
    assert f"{member.email} now owns {team.name}" in client.get("/team/").content.decode()
    entry = AuditEntry.objects.get(team=team, action="ownership.transferred")
    assert owner.email in entry.summary and member.email in entry.summary


def test_the_page_offers_every_member_but_the_owner(client_for, owner, member, viewer, team):
    body = client_for(owner).get("/team/transfer/").content.decode()
    assert member.email in body and viewer.email in body
    assert f"{owner.email} (Owner)" not in body


def test_a_lonely_owner_is_told_to_invite_someone_first(client_for, owner):
    body = client_for(owner).get("/team/transfer/").content.decode()
    assert "Only a member can become the owner" in body


def test_it_refuses_a_member_of_another_team(client_for, owner, member, outsider, other_team, team):
    foreign = Membership.objects.get(user=outsider, team=other_team)
    body = client_for(owner).post("/team/transfer/", {"new_owner": foreign.pk}).content.decode()
    assert "Choose a member of this team." in body
    assert Membership.objects.get(user=owner, team=team).role == "owner"
    assert Membership.objects.get(pk=foreign.pk).role == "owner"


def test_an_admin_cannot_transfer_ownership(client_for, admin_user, owner, team):
    target = Membership.objects.get(user=admin_user, team=team)
    response = client_for(admin_user).post("/team/transfer/", {"new_owner": target.pk})
    assert response.status_code == 403
    assert Membership.objects.get(user=owner, team=team).role == "owner"


def test_a_stale_owner_cannot_transfer_twice(owner, member, admin_user, team):
    stale = Membership.objects.get(user=owner, team=team)
    services.ownership_transfer(actor_membership=stale, new_owner=Membership.objects.get(user=member, team=team))
    with pytest.raises(services.TeamError):
        services.ownership_transfer(
            actor_membership=stale, new_owner=Membership.objects.get(user=admin_user, team=team)
        )
    assert Membership.objects.get(user=member, team=team).role == "owner"
    assert Membership.objects.filter(team=team, role="owner").count() == 1
