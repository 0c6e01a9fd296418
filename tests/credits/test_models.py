"""The credits tables' own rules: the database refuses overdrafts, and a deleted team takes its ledger along."""

import pytest
from django.db import IntegrityError
from django.db.models import RestrictedError

from studio.credits.models import Hold, LedgerEntry, Wallet
from tests.credits.factories import spend

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_negative_balance(team):
    with pytest.raises(IntegrityError):
        Wallet.objects.filter(team=team).update(balance=-1)


def test_deleting_a_team_deletes_its_wallet_holds_and_ledger(team, other_team):
    spend(team, 6, reserve=10)
    spend(other_team, 4)

    team.delete()

    assert not Wallet.objects.filter(team_id=team.pk).exists()
    assert set(LedgerEntry.objects.values_list("wallet__team", flat=True)) == {other_team.pk}
    assert Hold.objects.count() == 1


def test_a_hold_with_ledger_entries_cannot_be_deleted_on_its_own(team):
    hold = spend(team, 6)

    with pytest.raises(RestrictedError):
        hold.delete()
