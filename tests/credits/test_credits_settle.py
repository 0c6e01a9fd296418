"""credits_capture and credits_release: settling a hold, never beyond what it holds."""

import pytest

from studio.credits.models import LedgerEntry, Wallet
from studio.credits.services import (
    CreditsError,
    credits_capture,
    credits_grant,
    credits_release,
    credits_reserve,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hold(team):
    credits_grant(team=team, amount=100, idempotency_key="top-up")
    return credits_reserve(team=team, amount=30, idempotency_key="job-1", model_id="openai:gpt-image-2")


def _wallet(team):
    return Wallet.objects.get(team=team)


def test_a_capture_spends_held_credits_for_good(team, hold):
    entry = credits_capture(hold=hold, amount=12, idempotency_key="job-1-capture")

    assert (_wallet(team).balance, _wallet(team).held) == (70, 18)
    assert (entry.kind, entry.amount, entry.model_id) == ("capture", 12, "openai:gpt-image-2")
    assert (hold.captured, hold.outstanding) == (12, 18)


def test_a_release_returns_held_credits_to_the_balance(team, hold):
    credits_release(hold=hold, amount=10, idempotency_key="job-1-release")

    assert (_wallet(team).balance, _wallet(team).held) == (80, 20)


def test_a_retried_capture_moves_nothing(team, hold):
    first = credits_capture(hold=hold, amount=12, idempotency_key="job-1-capture")
    again = credits_capture(hold=hold, amount=12, idempotency_key="job-1-capture")

    assert again.pk == first.pk
    assert (_wallet(team).balance, _wallet(team).held) == (70, 18)
    assert LedgerEntry.objects.filter(kind="capture").count() == 1


def test_a_retried_release_moves_nothing(team, hold):
    credits_release(hold=hold, amount=10, idempotency_key="job-1-release")
    credits_release(hold=hold, amount=10, idempotency_key="job-1-release")

    assert (_wallet(team).balance, _wallet(team).held) == (80, 20)


def test_capture_and_release_together_never_exceed_the_hold(team, hold):
    credits_capture(hold=hold, amount=20, idempotency_key="job-1-capture")

    with pytest.raises(CreditsError, match="has 10 credits left to settle, fewer than 11"):
        credits_release(hold=hold, amount=11, idempotency_key="job-1-release")
    with pytest.raises(CreditsError, match="fewer than 11"):
        credits_capture(hold=hold, amount=11, idempotency_key="job-1-capture-2")

    assert (_wallet(team).balance, _wallet(team).held) == (70, 10)
    assert not LedgerEntry.objects.filter(idempotency_key__in=["job-1-release", "job-1-capture-2"]).exists()


def test_a_settled_hold_cannot_be_captured_again(team, hold):
    credits_capture(hold=hold, amount=30, idempotency_key="job-1-capture")

    with pytest.raises(CreditsError):
        credits_capture(hold=hold, amount=1, idempotency_key="job-1-capture-more")

    assert (_wallet(team).balance, _wallet(team).held) == (70, 0)


def test_a_capture_key_reused_on_another_hold_is_refused(team, hold):
    other = credits_reserve(team=team, amount=5, idempotency_key="job-2")
    credits_capture(hold=hold, amount=5, idempotency_key="capture-x")

    with pytest.raises(CreditsError, match="already used"):
        credits_capture(hold=other, amount=5, idempotency_key="capture-x")

    assert _wallet(team).held == 30
