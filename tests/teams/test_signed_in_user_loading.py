"""Loading the signed-in user: one query brings the user and every membership with its team and wallet."""

import pytest
from django.contrib.auth import get_user
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studio.credits.models import Wallet
from studio.credits.services import credits_grant
from studio.teams.auth import AccountBackend, UsernameBackend
from studio.teams.models import Membership
from studio.teams.selectors import memberships_with_user
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fields(instance):
    return {name: value for name, value in vars(instance).items() if not name.startswith("_")}


def test_it_reads_what_the_orm_would_into_the_same_instances():
    user = UserFactory()
    for name, balance in [("Zeta Labs", 40), ("acme", 0), ("Beta Brand", 125)]:
        team = TeamFactory(name=name, allowed_models=["local:draft", "openai:gpt-image-2"])
        MembershipFactory(team=team, user=user, role="admin")
        if balance:
            credits_grant(team=team, amount=balance, idempotency_key=f"grant-{team.pk}")
    no_wallet = TeamFactory(name="Alpha")
    Wallet.objects.filter(team=no_wallet).delete()
    MembershipFactory(team=no_wallet, user=user)
    MembershipFactory(team=TeamFactory(name="Not theirs"))

    with CaptureQueriesContext(connection) as queries:
        loaded = memberships_with_user(str(user.pk))
    expected = list(
        Membership.objects.filter(user=user).select_related("user", "team__wallet").order_by("team__name", "team_id")
    )

    assert len(queries) == 1
    assert [m.team.name for m in loaded] == [m.team.name for m in expected]
    for ours, theirs in zip(loaded, expected, strict=True):
        assert _fields(ours) == _fields(theirs)
        assert _fields(ours.user) == _fields(theirs.user)
        assert _fields(ours.team) == _fields(theirs.team)  # JSON and dates converted as the ORM does
        if hasattr(theirs.team, "wallet"):
            assert _fields(ours.team.wallet) == _fields(theirs.team.wallet)
        else:
            with pytest.raises(Wallet.DoesNotExist):
                _ = ours.team.wallet
    with CaptureQueriesContext(connection) as queries:
        balances = {m.team.name: m.team.wallet.balance for m in loaded if m.team.name != "Alpha"}
    assert len(queries) == 0
    assert balances == {"Beta Brand": 125, "Zeta Labs": 40, "acme": 0}


@pytest.mark.parametrize("backend", [UsernameBackend, AccountBackend])
def test_a_backend_returns_the_user_with_their_memberships_in_one_query(backend):
    membership = MembershipFactory(role="member")

    with CaptureQueriesContext(connection) as queries:
        user = backend().get_user(membership.user_id)

    assert len(queries) == 1
    assert user == membership.user
    assert [m.pk for m in user.team_memberships] == [membership.pk]
    assert user.team_memberships[0].user is user


def test_a_user_with_no_team_is_still_signed_in():
    user = UserFactory()
    loaded = UsernameBackend().get_user(user.pk)
    assert loaded == user
    assert loaded.team_memberships == []


def test_an_inactive_a_deleted_or_a_garbled_user_is_nobody():
    inactive = MembershipFactory(user=UserFactory(is_active=False)).user
    assert UsernameBackend().get_user(inactive.pk) is None
    assert UsernameBackend().get_user(10**9) is None
    assert UsernameBackend().get_user("not-a-number") is None


def test_a_session_signed_in_before_a_password_change_is_signed_out(client):
    membership = MembershipFactory()
    user = membership.user
    client.force_login(user)
    user.set_password("a whole new passphrase")
    user.save()

    request = type("Request", (), {"session": client.session})()
    assert not get_user(request).is_authenticated


def test_the_studio_answers_a_signed_in_page_with_the_user_and_teams_from_one_query(client):
    membership = MembershipFactory(role="owner")
    client.force_login(membership.user)
    client.get("/library/")  # the session and caches are warm

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/library/")

    assert response.status_code == 200
    assert sum("teams_membership" in query["sql"] for query in queries.captured_queries) == 1
    assert not any(query["sql"].startswith('SELECT "auth_user"') for query in queries.captured_queries)
