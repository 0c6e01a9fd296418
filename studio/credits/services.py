"""Writes about credits: open a wallet, grant, reserve, capture, release; members' requests for credits.

Every call carries an idempotency key and is safe to repeat: the second call finds the ledger entry the
first one wrote and returns it without moving credits again. Each call first claims its key (the row it
inserts is unique per wallet and key), then moves credits with one conditional UPDATE, so concurrent
reservations can never overdraw a wallet and concurrent retries of one key move credits once.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from studio.core.services import audit_record
from studio.credits import notifications
from studio.credits.models import CreditRequest, Hold, LedgerEntry, Wallet
from studio.teams.permissions import can


class CreditsError(Exception):
    """A refused movement of credits, with a message fit to show the user."""


class InsufficientCredits(CreditsError):
    def __init__(self, needed, available):
        self.needed, self.available = needed, available
        super().__init__(
            f"This needs {needed} credits and the team has {available}. "
            "Use Request credits at the top of the page to ask for more."
        )


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


# Requests for credits ------------------------------------------------------------------------------------------

MAX_REQUEST = 1_000_000


def _who(user):
    return user.email or user.get_username()


def _check_amount(amount, what):
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise CreditsError(f"{what} must be a whole number of credits above zero.")
    if amount > MAX_REQUEST:
        raise CreditsError(f"{what} can be at most {MAX_REQUEST:,} credits.")


def credit_request_refusal(membership):
    """Why this member may not ask for credits (the page shows it instead of the form), or None."""
    if not can(membership, "generate"):
        return f"Viewers cannot request credits. Ask an admin of {membership.team.name} for the Member role."
    return None


@transaction.atomic
def credit_request_create(*, membership, amount, note=""):
    """A member asks the team's admins for credits; admins and operators hear of it by e-mail after commit."""
    if refusal := credit_request_refusal(membership):
        raise CreditsError(refusal)
    _check_amount(amount, "The amount")
    note = note.strip()
    if len(note) > 500:
        raise CreditsError("Keep the note under 500 characters.")
    team, user = membership.team, membership.user
    try:
        with transaction.atomic():
            credit_request = CreditRequest.objects.create(team=team, requested_by=user, amount=amount, note=note)
    except IntegrityError:
        raise CreditsError(
            "You already have a request waiting for an answer. Wait for it, or withdraw it to ask again."
        ) from None
    audit_record(
        team=team,
        actor=user,
        action="credits.requested",
        summary=f"{_who(user)} requested {amount} credits",
        detail={"amount": amount, "note": note, "credit_request": credit_request.pk},
    )
    transaction.on_commit(lambda: notifications.credit_request_opened(credit_request), robust=True)
    return credit_request


def _answerable(*, membership, credit_request):
    if not can(membership, "view_credits"):
        raise CreditsError("Only the team's admins and owner can answer credit requests.")
    if credit_request.team_id != membership.team_id:
        raise CreditsError("That request belongs to another team.")
    if credit_request.requested_by_id == membership.user_id:
        raise CreditsError("Another admin or an operator answers your own request.")


def _close(*, credit_request, membership, status, note, **fields):
    """Answer an open request once: a conditional UPDATE, so two admins answering at once cannot both win."""
    note = note.strip()
    if len(note) > 500:
        raise CreditsError("Keep the note under 500 characters.")
    now = timezone.now()
    closed = CreditRequest.objects.filter(pk=credit_request.pk, status=CreditRequest.Status.OPEN).update(
        status=status, answered_by=membership.user, answer_note=note, answered_at=now, **fields
    )
    if not closed:
        current = CreditRequest.objects.get(pk=credit_request.pk)
        raise CreditsError(f"This request was already answered: {current.get_status_display().lower()}.")
    credit_request.refresh_from_db()
    return credit_request


@transaction.atomic
def credit_request_grant(*, membership, credit_request, amount=None, note=""):
    """Grant a member's request (the asked amount unless another is given) through the ledger, once.

    Credits are prepaid, so only an operator (a staff user) adds them; a team admin may decline a request, and the
    operators were e-mailed about it when it was made.
    """
    _answerable(membership=membership, credit_request=credit_request)
    if not membership.user.is_staff:
        raise CreditsError(
            "Credits are prepaid: only an operator can add them. The operators were e-mailed about this request."
        )
    amount = credit_request.amount if amount is None else amount
    _check_amount(amount, "The amount to grant")
    credit_request = _close(
        credit_request=credit_request,
        membership=membership,
        status=CreditRequest.Status.GRANTED,
        note=note,
        granted_amount=amount,
    )
    memo = f"Request of {_who(credit_request.requested_by)}" + (f": {note.strip()}" if note.strip() else "")
    entry = credits_grant(
        team=credit_request.team,
        amount=amount,
        idempotency_key=f"credit-request:{credit_request.pk}",
        user=membership.user,
        memo=memo[:200],
    )
    CreditRequest.objects.filter(pk=credit_request.pk).update(ledger_entry=entry)
    credit_request.ledger_entry = entry
    audit_record(
        team=credit_request.team,
        actor=membership.user,
        action="credits.request_granted",
        summary=f"{_who(membership.user)} granted {amount} credits to {_who(credit_request.requested_by)}'s request",
        detail={"amount": amount, "note": note, "credit_request": credit_request.pk, "ledger_entry": entry.pk},
    )
    transaction.on_commit(lambda: notifications.credit_request_answered(credit_request), robust=True)
    return credit_request


@transaction.atomic
def credit_request_decline(*, membership, credit_request, note=""):
    """Decline a member's request; the note tells them why. Moves no credits."""
    _answerable(membership=membership, credit_request=credit_request)
    if not note.strip():
        raise CreditsError("Say why in a note, so the member knows what to do next.")
    credit_request = _close(
        credit_request=credit_request, membership=membership, status=CreditRequest.Status.DECLINED, note=note
    )
    audit_record(
        team=credit_request.team,
        actor=membership.user,
        action="credits.request_declined",
        summary=f"{_who(membership.user)} declined {_who(credit_request.requested_by)}'s request for "
        f"{credit_request.amount} credits",
        detail={"note": note, "credit_request": credit_request.pk},
    )
    transaction.on_commit(lambda: notifications.credit_request_answered(credit_request), robust=True)
    return credit_request


@transaction.atomic
def credit_request_withdraw(*, membership, credit_request):
    """The member takes back their own open request."""
    if credit_request.requested_by_id != membership.user_id or credit_request.team_id != membership.team_id:
        raise CreditsError("You can only withdraw your own requests.")
    deleted, _ = CreditRequest.objects.filter(pk=credit_request.pk, status=CreditRequest.Status.OPEN).delete()
    if not deleted:
        raise CreditsError("This request was already answered, so it cannot be withdrawn.")


def credit_requests_mark_seen(*, membership):
    """The member has seen the answers to their requests: the badge in the top bar goes away."""
    return CreditRequest.objects.filter(
        team_id=membership.team_id, requested_by_id=membership.user_id, answered_at__isnull=False, answer_seen_at=None
    ).update(answer_seen_at=timezone.now())
