"""credits_release_rest: what a job did not use goes back to the team, once."""

import pytest

from studio.credits.models import LedgerEntry, Wallet
from studio.credits.services import credits_capture, credits_grant, credits_release_rest, credits_reserve

pytestmark = pytest.mark.django_db


@pytest.fixture
def hold(team):
    credits_grant(team=team, amount=100, idempotency_key="top-up")
    return credits_reserve(team=team, amount=40, idempotency_key="job-1")


def _wallet(team):
    return Wallet.objects.get(team=team)


def test_it_returns_everything_a_job_did_not_capture(team, hold):
    credits_capture(hold=hold, amount=16, idempotency_key="job-1-capture")

    entry = credits_release_rest(hold=hold, idempotency_key="job-1-rest")

    assert entry.amount == 24
    assert (_wallet(team).balance, _wallet(team).held) == (84, 0)


def test_it_reads_the_hold_fresh_so_a_stale_copy_cannot_release_too_much(team, hold):
    stale = type(hold).objects.get(pk=hold.pk)
    credits_capture(hold=hold, amount=16, idempotency_key="job-1-capture")

    credits_release_rest(hold=stale, idempotency_key="job-1-rest")

    assert (_wallet(team).balance, _wallet(team).held) == (84, 0)


def test_a_retry_returns_the_same_entry_and_moves_nothing(team, hold):
    first = credits_release_rest(hold=hold, idempotency_key="job-1-rest")
    again = credits_release_rest(hold=hold, idempotency_key="job-1-rest")

    assert again.pk == first.pk
    assert (_wallet(team).balance, _wallet(team).held) == (100, 0)
    assert LedgerEntry.objects.filter(kind="release").count() == 1


def test_it_does_nothing_for_a_hold_that_is_fully_captured(team, hold):
    credits_capture(hold=hold, amount=40, idempotency_key="job-1-capture")

    assert credits_release_rest(hold=hold, idempotency_key="job-1-rest") is None
    assert (_wallet(team).balance, _wallet(team).held) == (60, 0)
    assert not LedgerEntry.objects.filter(kind="release").exists()
