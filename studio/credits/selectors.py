"""Reads about credits: wallets, the ledger with its filters and totals, spending per day, requests for credits."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from studio.credits.models import CreditRequest, LedgerEntry, Wallet
from studio.teams.permissions import can
from studio.teams.scoping import scoped


def wallet_for(team):
    wallet, _ = Wallet.objects.get_or_create(team=team)
    return wallet


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def ledger_for(team, filters=None):
    """The team's ledger entries, newest first, narrowed by any of kind, model_id, user, date_from, date_to."""
    filters = filters or {}
    entries = scoped(LedgerEntry, team).select_related("user")
    if filters.get("kind"):
        entries = entries.filter(kind=filters["kind"])
    if filters.get("model_id"):
        entries = entries.filter(model_id=filters["model_id"])
    if filters.get("user"):
        entries = entries.filter(user=filters["user"])
    # Whole days in the studio's time zone, as ranges on created_at so the index serves them.
    if filters.get("date_from"):
        entries = entries.filter(created_at__gte=_start_of(filters["date_from"]))
    if filters.get("date_to"):
        entries = entries.filter(created_at__lt=_start_of(filters["date_to"] + timedelta(days=1)))
    return entries.order_by("-created_at", "-id")


def ledger_totals(entries):
    """Count and credits per kind of the given entries, in one aggregate query."""
    kinds = LedgerEntry.Kind
    totals = entries.order_by().aggregate(
        count=Count("id"),
        **{kind.value: Sum("amount", filter=Q(kind=kind), default=0) for kind in kinds},
    )
    return totals


def ledger_model_ids(team):
    """The models that appear in the team's ledger, for the ledger's model filter."""
    return list(
        scoped(LedgerEntry, team)
        .exclude(model_id="")
        .order_by("model_id")
        .values_list("model_id", flat=True)
        .distinct()
    )


def usage_by_day(team, by="model", days=30):
    """Credits captured per day and per model (or member) over the last `days` days, in one aggregate query.

    Returns (days, rows): the list of dates, oldest first, and rows of {"day", "key", "label", "credits"}.
    A member's key is their user id (None for work no member started), labelled with their email.
    """
    if by not in ("model", "member"):
        raise ValueError(f"usage_by_day groups by 'model' or 'member', not {by!r}")
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    group = ("model_id",) if by == "model" else ("user_id", "user__email")
    aggregated = (
        scoped(LedgerEntry, team)
        .filter(kind=LedgerEntry.Kind.CAPTURE, created_at__gte=_start_of(first))
        .annotate(day=TruncDate("created_at"))
        .values("day", *group)
        .annotate(credits=Sum("amount"))
        .order_by("day", *group)
    )
    rows = [
        {
            "day": row["day"],
            "key": row[group[0]],
            "label": row["model_id"] if by == "model" else row["user__email"],
            "credits": row["credits"],
        }
        for row in aggregated
    ]
    return [first + timedelta(days=i) for i in range(days)], rows


def credit_requests_open(team):
    """Requests waiting for an admin's answer, oldest first (first asked, first answered)."""
    return (
        scoped(CreditRequest, team)
        .filter(status=CreditRequest.Status.OPEN)
        .select_related("requested_by")
        .order_by("created_at", "id")
    )


def credit_requests_answered(team, limit=20):
    return (
        scoped(CreditRequest, team)
        .exclude(status=CreditRequest.Status.OPEN)
        .select_related("requested_by", "answered_by")
        .order_by("-answered_at", "-id")[:limit]
    )


def credit_requests_of(membership, limit=20):
    """A member's own requests, newest first."""
    return (
        scoped(CreditRequest, membership.team)
        .filter(requested_by_id=membership.user_id)
        .select_related("answered_by")
        .order_by("-created_at", "-id")[:limit]
    )


def credit_request_badges(membership):
    """What the top bar flags: open requests for an admin to answer, answers a member has not seen yet."""
    if membership is None:
        return {"open": 0, "answered": 0}
    mine = scoped(CreditRequest, membership.team).filter(requested_by_id=membership.user_id)
    if can(membership, "view_credits"):
        counts = scoped(CreditRequest, membership.team).aggregate(
            open=Count("id", filter=Q(status=CreditRequest.Status.OPEN) & ~Q(requested_by_id=membership.user_id)),
            answered=Count(
                "id",
                filter=Q(requested_by_id=membership.user_id, answered_at__isnull=False, answer_seen_at=None),
            ),
        )
        return counts
    return {"open": 0, "answered": mine.filter(answered_at__isnull=False, answer_seen_at=None).count()}
