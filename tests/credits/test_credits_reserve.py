"""credits_reserve: a hold on the balance for a piece of work, refused whole when the team is short."""

import pytest
from django.db import transaction

from studio.credits.models import Hold, LedgerEntry, Wallet
from studio.credits.services import CreditsError, InsufficientCredits, credits_grant, credits_reserve

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(team):
    credits_grant(team=team, amount=50, idempotency_key="top-up")
    return team


def _wallet(team):
    return Wallet.objects.get(team=team)


def test_it_moves_credits_from_the_balance_to_held(funded, member):
    hold = credits_reserve(team=funded, amount=18, idempotency_key="job-1", model_id="openai:gpt-image-2", user=member)

    wallet = _wallet(funded)
    assert (wallet.balance, wallet.held) == (32, 18)
    assert (hold.amount, hold.outstanding, hold.model_id, hold.user) == (18, 18, "openai:gpt-image-2", member)
    entry = LedgerEntry.objects.get(idempotency_key="job-1")
    assert (entry.kind, entry.amount, entry.hold) == ("hold", 18, hold)


def test_a_retry_with_the_same_key_returns_the_same_hold_and_moves_nothing(funded):
    first = credits_reserve(team=funded, amount=18, idempotency_key="job-1")
    again = credits_reserve(team=funded, amount=18, idempotency_key="job-1")

    assert again.pk == first.pk
    assert (_wallet(funded).balance, _wallet(funded).held) == (32, 18)
    assert Hold.objects.count() == 1


def test_reserving_beyond_the_balance_raises_and_changes_nothing(funded):
    with pytest.raises(InsufficientCredits, match="needs 51 credits and the team has 50") as refused:
        credits_reserve(team=funded, amount=51, idempotency_key="job-big")

    assert (refused.value.needed, refused.value.available) == (51, 50)
    assert (_wallet(funded).balance, _wallet(funded).held) == (50, 0)
    assert not Hold.objects.exists()
    assert not LedgerEntry.objects.filter(kind="hold").exists()


def test_a_refusal_inside_the_callers_transaction_leaves_the_callers_work_standing(funded):
    with transaction.atomic():
        credits_reserve(team=funded, amount=10, idempotency_key="job-a")
        with pytest.raises(InsufficientCredits):
            credits_reserve(team=funded, amount=41, idempotency_key="job-b")

    assert (_wallet(funded).balance, _wallet(funded).held) == (40, 10)
    assert list(Hold.objects.values_list("key", flat=True)) == ["job-a"]


def test_a_refused_key_can_be_used_once_the_team_is_topped_up(funded):
    with pytest.raises(InsufficientCredits):
        credits_reserve(team=funded, amount=60, idempotency_key="job-1")
    credits_grant(team=funded, amount=10, idempotency_key="top-up-2")

    hold = credits_reserve(team=funded, amount=60, idempotency_key="job-1")

    assert hold.amount == 60
    assert (_wallet(funded).balance, _wallet(funded).held) == (0, 60)


def test_it_refuses_a_key_already_used_for_a_grant(funded):
    with pytest.raises(CreditsError, match="already used"):
        credits_reserve(team=funded, amount=5, idempotency_key="top-up")

    assert (_wallet(funded).balance, _wallet(funded).held) == (50, 0)


def test_it_refuses_zero_credits(funded):
    with pytest.raises(CreditsError, match="above zero"):
        credits_reserve(team=funded, amount=0, idempotency_key="job-free")

    assert not Hold.objects.exists()
