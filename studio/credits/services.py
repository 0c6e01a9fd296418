"""Writes about credits: open a wallet, grant, reserve, capture, release.

Every call carries an idempotency key and is safe to repeat: the second call finds the ledger entry the
first one wrote and returns it without moving credits again. Balances only change through one
conditional UPDATE, so concurrent reservations can never overdraw a wallet.
"""

from django.db import IntegrityError, transaction
from django.db.models import F

from studio.credits.models import Hold, LedgerEntry, Wallet


class CreditsError(Exception):
    """A refused movement of credits, with a message fit to show the user."""


class InsufficientCredits(CreditsError):
    def __init__(self, needed, available):
        self.needed, self.available = needed, available
        super().__init__(f"This needs {needed} credits and the team has {available}. Ask an admin to top up.")


@transaction.atomic
def wallet_open(*, team):
    wallet, _ = Wallet.objects.get_or_create(team=team)
    return wallet


def _existing(wallet, key):
    return LedgerEntry.objects.filter(wallet=wallet, idempotency_key=key).first()


def _positive(amount):
    if not isinstance(amount, int) or amount <= 0:
        raise CreditsError("An amount of credits must be a whole number above zero.")


@transaction.atomic
def credits_grant(*, team, amount, idempotency_key, user=None, memo=""):
    """Add credits to the team's wallet (an operator's top-up, a sign-up gift)."""
    _positive(amount)
    wallet = wallet_open(team=team)
    if (entry := _existing(wallet, idempotency_key)) is not None:
        return entry
    Wallet.objects.filter(pk=wallet.pk).update(balance=F("balance") + amount)
    return LedgerEntry.objects.create(
        wallet=wallet,
        kind=LedgerEntry.Kind.GRANT,
        amount=amount,
        idempotency_key=idempotency_key,
        user=user,
        memo=memo,
    )


@transaction.atomic
def credits_reserve(*, team, amount, idempotency_key, model_id="", user=None, memo=""):
    """Hold `amount` credits for a piece of work; raises InsufficientCredits and changes nothing if short."""
    _positive(amount)
    wallet = wallet_open(team=team)
    if (entry := _existing(wallet, idempotency_key)) is not None:
        return entry.hold
    moved = Wallet.objects.filter(pk=wallet.pk, balance__gte=amount).update(
        balance=F("balance") - amount, held=F("held") + amount
    )
    if not moved:
        raise InsufficientCredits(amount, Wallet.objects.get(pk=wallet.pk).balance)
    try:
        with transaction.atomic():
            hold = Hold.objects.create(wallet=wallet, key=idempotency_key, amount=amount, model_id=model_id, user=user)
            LedgerEntry.objects.create(
                wallet=wallet,
                kind=LedgerEntry.Kind.HOLD,
                amount=amount,
                idempotency_key=idempotency_key,
                hold=hold,
                model_id=model_id,
                user=user,
                memo=memo,
            )
    except IntegrityError:
        # A concurrent call with the same key won; undo our move by rolling back the whole call.
        transaction.set_rollback(True)
        return Hold.objects.get(wallet=wallet, key=idempotency_key)
    return hold


def _settle(*, hold, amount, idempotency_key, kind, memo):
    _positive(amount)
    if (entry := _existing(hold.wallet, idempotency_key)) is not None:
        return entry
    field = "captured" if kind == LedgerEntry.Kind.CAPTURE else "released"
    settled = Hold.objects.filter(pk=hold.pk, amount__gte=F("captured") + F("released") + amount).update(
        **{field: F(field) + amount}
    )
    if not settled:
        raise CreditsError(f"The hold {hold.key} has fewer than {amount} credits left to settle.")
    wallet_change = {"held": F("held") - amount}
    if kind == LedgerEntry.Kind.RELEASE:
        wallet_change["balance"] = F("balance") + amount
    Wallet.objects.filter(pk=hold.wallet_id).update(**wallet_change)
    return LedgerEntry.objects.create(
        wallet_id=hold.wallet_id,
        kind=kind,
        amount=amount,
        idempotency_key=idempotency_key,
        hold=hold,
        model_id=hold.model_id,
        user=hold.user,
        memo=memo,
    )


@transaction.atomic
def credits_capture(*, hold, amount, idempotency_key, memo=""):
    """Spend `amount` of a hold: the credits leave the wallet for good."""
    return _settle(hold=hold, amount=amount, idempotency_key=idempotency_key, kind=LedgerEntry.Kind.CAPTURE, memo=memo)


@transaction.atomic
def credits_release(*, hold, amount, idempotency_key, memo=""):
    """Return `amount` of a hold to the wallet's spendable balance."""
    return _settle(hold=hold, amount=amount, idempotency_key=idempotency_key, kind=LedgerEntry.Kind.RELEASE, memo=memo)


@transaction.atomic
def credits_release_rest(*, hold, idempotency_key, memo=""):
    """Release whatever of a hold is neither captured nor released yet; nothing if it is settled."""
    hold.refresh_from_db()
    if hold.outstanding <= 0:
        return _existing(hold.wallet, idempotency_key)
    return credits_release(hold=hold, amount=hold.outstanding, idempotency_key=idempotency_key, memo=memo)
