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
