"""Team API tokens: only a prefix to recognise them by and the sha256 of the secret are ever stored."""

import hashlib
import secrets

from django.conf import settings
from django.db import models

from studio.teams.models import TeamOwned

TOKEN_PREFIX = "pf_live_"
# How much of the secret the UI shows so people can tell their tokens apart ("pf_live_ab12cd…").
SHOWN_CHARS = len(TOKEN_PREFIX) + 6


def hash_secret(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret():
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(TeamOwned):
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=SHOWN_CHARS)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.shown})"

    @property
    def shown(self):
        return f"{self.prefix}…"

    @property
    def is_active(self):
        return self.revoked_at is None


class IdempotentRequest(TeamOwned):
    """The first answer to a POST sent with an Idempotency-Key, replayed to repeats of it for 24 hours.

    One row per (team, key), enforced by the database: a concurrent repeat waits on the unique index until the
    first request's transaction ends, then finds the answer it stored. Only successful answers are kept; a refused
    or failed request leaves no row, so fixing the cause and retrying with the same key works.
    """

    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of the method, path and body it answered.")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField(null=True, help_text="Empty only inside the claiming transaction.")
    content_type = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=500, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "key"], name="api_idempotency_key_once_per_team")]
        verbose_name = "idempotent request"

    def __str__(self):
        return f"{self.method} {self.path} ({self.key})"
