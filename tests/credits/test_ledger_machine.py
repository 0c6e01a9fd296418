"""A Hypothesis state machine over grant, reserve, capture, release, release-the-rest and retries.

After every step the wallet must match both a simple model of the credits and the sum of its ledger.
"""

import itertools

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from studio.credits.models import Hold, LedgerEntry, Wallet
from studio.credits.services import (
    CreditsError,
    InsufficientCredits,
    credits_capture,
    credits_grant,
    credits_release,
    credits_release_rest,
    credits_reserve,
)
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

amounts = st.integers(min_value=1, max_value=40)


class CreditsMachine(RuleBasedStateMachine):
    holds = Bundle("holds")

    def __init__(self):
        super().__init__()
        self.team = TeamFactory()
        self.keys = itertools.count()
        self.granted = self.captured = 0
        self.balance = self.held = 0
        self.outstanding = {}  # hold pk -> credits neither captured nor released
        self.done = []  # calls that succeeded, to retry with the same key

    def _key(self, prefix):
        return f"{prefix}-{next(self.keys)}"

    @rule(amount=amounts)
    def grant(self, amount):
        call = (credits_grant, {"team": self.team, "amount": amount, "idempotency_key": self._key("grant")})
        call[0](**call[1])
        self.granted += amount
        self.balance += amount
        self.done.append(call)

    @rule(target=holds, amount=amounts)
    def reserve(self, amount):
        kwargs = {"team": self.team, "amount": amount, "idempotency_key": self._key("job")}
        if amount > self.balance:
            with pytest.raises(InsufficientCredits):
                credits_reserve(**kwargs)
            return None
        hold = credits_reserve(**kwargs)
        self.balance -= amount
        self.held += amount
        self.outstanding[hold.pk] = amount
        self.done.append((credits_reserve, kwargs))
        return hold

    def _settle(self, service, hold, amount, returned):
        if hold is None:
            return
        kwargs = {"hold": hold, "amount": amount, "idempotency_key": self._key("settle")}
        if amount > self.outstanding[hold.pk]:
            with pytest.raises(CreditsError):
                service(**kwargs)
            return
        service(**kwargs)
        self.outstanding[hold.pk] -= amount
        self.held -= amount
        if returned:
            self.balance += amount
        else:
            self.captured += amount
        self.done.append((service, kwargs))

    @rule(hold=holds, amount=amounts)
    def capture(self, hold, amount):
        self._settle(credits_capture, hold, amount, returned=False)

    @rule(hold=holds, amount=amounts)
    def release(self, hold, amount):
        self._settle(credits_release, hold, amount, returned=True)

    @rule(hold=holds)
    def release_rest(self, hold):
        if hold is None:
            return
        kwargs = {"hold": hold, "idempotency_key": self._key("rest")}
        entry = credits_release_rest(**kwargs)
        rest = self.outstanding[hold.pk]
        assert (entry.amount if entry else 0) == rest
        self.outstanding[hold.pk] = 0
        self.held -= rest
        self.balance += rest
        if entry:
            self.done.append((credits_release_rest, kwargs))

    @rule(data=st.data())
    def retry_with_the_same_key(self, data):
        if not self.done:
            return
        service, kwargs = data.draw(st.sampled_from(self.done))
        service(**kwargs)  # the model does not change: a retry moves nothing

    @invariant()
    def the_wallet_matches_the_model_and_the_ledger(self):
        wallet = Wallet.objects.get(team=self.team)
        assert wallet.balance >= 0 and wallet.held >= 0
        assert (wallet.balance, wallet.held) == (self.balance, self.held)
        holds = Hold.objects.filter(wallet=wallet)
        assert wallet.held == sum(hold.outstanding for hold in holds)
        sums = {
            row["kind"]: row["total"]
            for row in LedgerEntry.objects.filter(wallet=wallet).values("kind").annotate(total=Sum("amount"))
        }
        grants, reserved = sums.get("grant", 0), sums.get("hold", 0)
        captures, releases = sums.get("capture", 0), sums.get("release", 0)
        assert (grants, captures) == (self.granted, self.captured)
        assert wallet.balance + wallet.held + captures == grants
        assert wallet.balance == grants - reserved + releases
        assert wallet.held == reserved - captures - releases


def test_the_wallet_always_equals_its_ledger():
    run_state_machine_as_test(
        CreditsMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
            database=None,
        ),
    )
