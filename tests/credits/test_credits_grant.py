"""credits_grant and the operator's grant: credits arrive once, however often the call is repeated."""

import pytest

from studio.core.models import AuditEntry
from studio.credits.models import LedgerEntry, Wallet
from studio.credits.services import CreditsError, credits_grant, credits_grant_by_operator, credits_reserve

pytestmark = pytest.mark.django_db


def _wallet(team):
    return Wallet.objects.get(team=team)


def test_it_adds_credits_to_the_balance_and_writes_a_grant_entry(team, owner):
    entry = credits_grant(team=team, amount=250, idempotency_key="invoice-7", user=owner, memo="November top-up")

    assert _wallet(team).balance == 250
    assert (entry.kind, entry.amount, entry.memo, entry.user) == ("grant", 250, "November top-up", owner)


def test_a_retry_with_the_same_key_moves_nothing(team):
    first = credits_grant(team=team, amount=100, idempotency_key="invoice-7")
    again = credits_grant(team=team, amount=100, idempotency_key="invoice-7")

    assert again.pk == first.pk
    assert _wallet(team).balance == 100
    assert LedgerEntry.objects.filter(wallet__team=team).count() == 1


@pytest.mark.parametrize("amount", [0, -5, 2.5, "10", True])
def test_it_refuses_an_amount_that_is_not_a_positive_whole_number(team, amount):
    with pytest.raises(CreditsError, match="whole number above zero"):
        credits_grant(team=team, amount=amount, idempotency_key="bad")

    assert _wallet(team).balance == 0
    assert not LedgerEntry.objects.exists()


def test_it_refuses_a_key_already_used_for_a_reservation(team):
    credits_grant(team=team, amount=10, idempotency_key="top-up")
    credits_reserve(team=team, amount=4, idempotency_key="job-1")

    with pytest.raises(CreditsError, match="already used"):
        credits_grant(team=team, amount=10, idempotency_key="job-1")

    assert (_wallet(team).balance, _wallet(team).held) == (6, 4)


def test_keys_are_per_team_so_two_teams_may_use_the_same_one(team, other_team):
    credits_grant(team=team, amount=5, idempotency_key="welcome")
    credits_grant(team=other_team, amount=7, idempotency_key="welcome")

    assert (_wallet(team).balance, _wallet(other_team).balance) == (5, 7)


def test_an_operators_grant_is_audited_once_naming_the_operator(team, admin_user):
    credits_grant_by_operator(team=team, operator=admin_user, amount=40, memo="goodwill", idempotency_key="form-1")
    _, granted_again = credits_grant_by_operator(
        team=team, operator=admin_user, amount=40, memo="goodwill", idempotency_key="form-1"
    )

    assert granted_again is False
    assert _wallet(team).balance == 40
    audit = AuditEntry.objects.get(team=team, action="credits.granted")
    assert audit.actor == admin_user
    assert audit.summary == f"operator {admin_user.email} granted 40 credits: goodwill"


def test_a_long_memo_still_fits_the_audit_log(team, admin_user):
    admin_user.email = "operations." + "x" * 120 + "@example.com"
    credits_grant_by_operator(team=team, operator=admin_user, amount=5, memo="x" * 200, idempotency_key="form-2")

    summary = AuditEntry.objects.get(team=team, action="credits.granted").summary
    assert len(summary) == 300 and summary.startswith("operator operations.")
