"""Writes about credits: open a wallet, grant, reserve, capture, release.

Every call carries an idempotency key and is safe to repeat: the second call finds the ledger entry the
first one wrote and returns it without moving credits again. Each call first claims its key (the row it
inserts is unique per wallet and key), then moves credits with one conditional UPDATE, so concurrent
reservations can never overdraw a wallet and concurrent retries of one key move credits once.
"""

from django.db import IntegrityError, transaction
from django.db.models import F

from studio.credits.models import Hold, LedgerEntry, Wallet
from studio.teams.services import audit_record


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


def _positive(amount):
    # bool is an int in Python; True credits is a bug in the caller, not one credit.
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise CreditsError("An amount of credits must be a whole number above zero.")


def _existing(wallet_id, key, kind, hold=None):
    """The entry an earlier call with this key wrote, or None; a key reused for another movement is refused."""
    entry = LedgerEntry.objects.filter(wallet_id=wallet_id, idempotency_key=key).first()
    if entry is None:
        return None
    if entry.kind != kind or (hold is not None and entry.hold_id != hold.pk):
        raise CreditsError(f"The key {key!r} was already used for another movement of credits.")
    return entry


def _claim(model, lookup, **fields):
    """Insert the row that claims an idempotency key; None when a concurrent or earlier call holds it.

    A concurrent insert of the same key waits on the unique index until the other transaction ends, so
    None here means the other call committed (its row is visible to our next statement).
    """
    try:
        with transaction.atomic():
            return model.objects.create(**lookup, **fields)
    except IntegrityError:
        if not model.objects.filter(**lookup).exists():
            raise  # some other constraint failed; not a race on the key
        return None


def _grant(*, team, amount, idempotency_key, user, memo):
    """credits_grant, also saying whether this call made the grant (False: an earlier call with the key did)."""
    _positive(amount)
    wallet = wallet_open(team=team)
    if (entry := _existing(wallet.pk, idempotency_key, LedgerEntry.Kind.GRANT)) is not None:
        return entry, False
    entry = _claim(
        LedgerEntry,
        {"wallet": wallet, "idempotency_key": idempotency_key},
        kind=LedgerEntry.Kind.GRANT,
        amount=amount,
        user=user,
        memo=memo,
    )
    if entry is None:
        return _existing(wallet.pk, idempotency_key, LedgerEntry.Kind.GRANT), False
    Wallet.objects.filter(pk=wallet.pk).update(balance=F("balance") + amount)
    return entry, True


@transaction.atomic
def credits_grant(*, team, amount, idempotency_key, user=None, memo=""):
    """Add credits to the team's wallet (an operator's top-up, a sign-up gift)."""
    entry, _ = _grant(team=team, amount=amount, idempotency_key=idempotency_key, user=user, memo=memo)
    return entry


@transaction.atomic
def credits_grant_by_operator(*, team, operator, amount, idempotency_key, memo=""):
    """An operator's top-up from the admin, written to the team's audit log once however often it is submitted."""
    entry, granted = _grant(team=team, amount=amount, idempotency_key=idempotency_key, user=operator, memo=memo)
    if granted:
        summary = f"operator {operator.email or operator.get_username()} granted {amount} credits"
        summary = f"{summary}: {memo}" if memo else summary
        audit_record(
            team=team,
            actor=operator,
            action="credits.granted",
            summary=summary if len(summary) <= 300 else summary[:299] + "…",
            detail={"amount": amount, "memo": memo, "ledger_entry": entry.pk},
        )
    return entry, granted


@transaction.atomic
def credits_reserve(*, team, amount, idempotency_key, model_id="", user=None, memo=""):
    """Hold `amount` credits for a piece of work; raises InsufficientCredits and changes nothing if short."""
    _positive(amount)
    wallet = wallet_open(team=team)
    if (entry := _existing(wallet.pk, idempotency_key, LedgerEntry.Kind.HOLD)) is not None:
        return entry.hold
    hold = _claim(Hold, {"wallet": wallet, "key": idempotency_key}, amount=amount, model_id=model_id, user=user)
    if hold is None:
        # A concurrent call with the same key won and committed: it is the reservation.
        return Hold.objects.get(wallet=wallet, key=idempotency_key)
    moved = Wallet.objects.filter(pk=wallet.pk, balance__gte=amount).update(
        balance=F("balance") - amount, held=F("held") + amount
    )
    if not moved:
        # Raising rolls this call back to its savepoint, taking the claimed hold with it.
        raise InsufficientCredits(amount, Wallet.objects.get(pk=wallet.pk).balance)
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
    return hold


def _settle(*, hold, amount, idempotency_key, kind, memo):
    _positive(amount)
    if (entry := _existing(hold.wallet_id, idempotency_key, kind, hold)) is not None:
        return entry
    entry = _claim(
        LedgerEntry,
        {"wallet_id": hold.wallet_id, "idempotency_key": idempotency_key},
        kind=kind,
        amount=amount,
        hold=hold,
        model_id=hold.model_id,
        user_id=hold.user_id,
        memo=memo,
    )
    if entry is None:
        return _existing(hold.wallet_id, idempotency_key, kind, hold)
    field = "captured" if kind == LedgerEntry.Kind.CAPTURE else "released"
    settled = Hold.objects.filter(pk=hold.pk, amount__gte=F("captured") + F("released") + amount).update(
        **{field: F(field) + amount}
    )
    if not settled:
        left = Hold.objects.get(pk=hold.pk).outstanding
        raise CreditsError(f"The hold {hold.key} has {left} credits left to settle, fewer than {amount}.")
    wallet_change = {"held": F("held") - amount}
    if kind == LedgerEntry.Kind.RELEASE:
        wallet_change["balance"] = F("balance") + amount
    Wallet.objects.filter(pk=hold.wallet_id).update(**wallet_change)
    hold.refresh_from_db(fields=["captured", "released"])
    return entry


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
    """Release whatever of a hold is neither captured nor released yet; None if it was already settled."""
    if (entry := _existing(hold.wallet_id, idempotency_key, LedgerEntry.Kind.RELEASE, hold)) is not None:
        return entry
    # Lock the hold so a capture cannot land between reading what is left and releasing it.
    locked = Hold.objects.select_for_update().get(pk=hold.pk)
    hold.captured, hold.released = locked.captured, locked.released
    if hold.outstanding <= 0:
        return None
    return _settle(
        hold=hold, amount=hold.outstanding, idempotency_key=idempotency_key, kind=LedgerEntry.Kind.RELEASE, memo=memo
    )
