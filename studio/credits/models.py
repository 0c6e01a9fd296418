"""Prepaid credits: one wallet per team, an append-only ledger, holds for running jobs, price rules."""

from django.conf import settings
from django.db import models

from studio.teams.models import Team


class Wallet(models.Model):
    """`balance` is spendable; `held` is reserved by running jobs. Both can never go negative."""

    TEAM_FIELD = "team"

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="wallet")
    balance = models.BigIntegerField(default=0)
    held = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [("grant_credits", "Can grant credits to a team")]
        constraints = [
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="wallet_balance_not_negative"),
            models.CheckConstraint(condition=models.Q(held__gte=0), name="wallet_held_not_negative"),
        ]

    def __str__(self):
        return f"{self.team}: {self.balance} credits"


class Hold(models.Model):
    """Credits reserved for one piece of work, later captured (spent) or released (returned)."""

    TEAM_FIELD = "wallet__team"

    wallet = models.ForeignKey(Wallet, on_delete=models.CASCADE, related_name="holds")
    key = models.CharField(max_length=120)
    amount = models.BigIntegerField()
    captured = models.BigIntegerField(default=0)
    released = models.BigIntegerField(default=0)
    model_id = models.CharField(max_length=80, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wallet", "key"], name="hold_unique_key_per_wallet"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="hold_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(captured__gte=0, released__gte=0)
                & models.Q(amount__gte=models.F("captured") + models.F("released")),
                name="hold_settled_within_amount",
            ),
        ]

    def __str__(self):
        return f"hold {self.key}: {self.amount}"

    @property
    def outstanding(self):
        return self.amount - self.captured - self.released


class LedgerEntry(models.Model):
    """One movement of credits. Rows are only ever added; the wallet is their running sum."""

    TEAM_FIELD = "wallet__team"

    class Kind(models.TextChoices):
        GRANT = "grant", "Grant"
        HOLD = "hold", "Hold"
        CAPTURE = "capture", "Capture"
        RELEASE = "release", "Release"

    # The ledger goes with its team when the team is deleted; a hold with entries cannot be deleted alone.
    wallet = models.ForeignKey(Wallet, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.BigIntegerField()
    idempotency_key = models.CharField(max_length=160)
    hold = models.ForeignKey(Hold, on_delete=models.RESTRICT, null=True, blank=True, related_name="entries")
    model_id = models.CharField(max_length=80, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    memo = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        # The ledger page and the usage chart filter a wallet's entries by kind over a span of days.
        indexes = [models.Index(fields=["wallet", "kind", "created_at"], name="ledger_wallet_kind_created")]
        constraints = [
            models.UniqueConstraint(fields=["wallet", "idempotency_key"], name="ledger_unique_idempotency_key"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_amount_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class PriceRule(models.Model):
    """Credits per image for a model at a size tier and quality; `*` matches any quality."""

    class Tier(models.TextChoices):
        K1 = "1K", "1K (up to 1.6 MP)"
        K2 = "2K", "2K (up to 4.2 MP)"
        K4 = "4K", "4K (above 4.2 MP)"

    model_id = models.CharField(max_length=80)
    tier = models.CharField(max_length=2, choices=Tier.choices)
    quality = models.CharField(max_length=10, default="*")
    credits = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model_id", "tier", "quality"]
        constraints = [
            models.UniqueConstraint(fields=["model_id", "tier", "quality"], name="pricerule_unique"),
        ]

    def __str__(self):
        return f"{self.model_id} {self.tier} {self.quality}: {self.credits}"


class CreditRequest(models.Model):
    """A member's request for more credits, answered by a team admin: granted (through the ledger) or declined."""

    TEAM_FIELD = "team"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for an answer"
        GRANTED = "granted", "Granted"
        DECLINED = "declined", "Declined"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="credit_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    amount = models.PositiveIntegerField()
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer_note = models.CharField(max_length=500, blank=True)
    granted_amount = models.PositiveIntegerField(null=True, blank=True)
    ledger_entry = models.ForeignKey(LedgerEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # When the member last looked at their requests after an answer: an unseen answer shows as a badge.
    answer_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="credit_request_amount_positive"),
            # One open request per member and team: a second one would only repeat the first.
            models.UniqueConstraint(
                fields=["team", "requested_by"], condition=models.Q(status="open"), name="credit_request_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.requested_by} asks {self.team} for {self.amount} credits ({self.status})"


class VideoPriceRule(models.Model):
    """Credits for one clip of a video model in a mode (`*` matches any) and a duration in seconds."""

    model_id = models.CharField(max_length=80)
    mode = models.CharField(max_length=10, default="*")
    duration = models.PositiveSmallIntegerField()
    credits = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model_id", "mode", "duration"]
        constraints = [
            models.UniqueConstraint(fields=["model_id", "mode", "duration"], name="videopricerule_unique"),
            models.CheckConstraint(condition=models.Q(duration__gt=0), name="videopricerule_duration_positive"),
        ]

    def __str__(self):
        return f"{self.model_id} {self.mode} {self.duration} s: {self.credits}"
