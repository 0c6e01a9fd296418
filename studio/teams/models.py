"""Team workspaces, memberships with roles, invitations and provider keys (the audit log is in studio.core)."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    MEMBER = "member", "Member"
    ADMIN = "admin", "Admin"
    OWNER = "owner", "Owner"

    @property
    def rank(self):
        return ROLE_RANK[self]


ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


OFFLINE_VIDEO_MODEL_ID = "local:animator"


def default_video_models():
    return [OFFLINE_VIDEO_MODEL_ID]


class Team(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=90, unique=True)
    allowed_models = models.JSONField(default=list, blank=True)
    active_model = models.CharField(max_length=80, default="local:draft")
    # Video providers' models (studio/video/providers/registry.py): the offline animator is always allowed.
    allowed_video_models = models.JSONField(default=default_video_models, blank=True)
    active_video_model = models.CharField(max_length=80, default=OFFLINE_VIDEO_MODEL_ID)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def may_use(self, model_id):
        return model_id in self.allowed_models


class TeamOwned(models.Model):
    """Base for every row that belongs to a team; `scoped()` filters through TEAM_FIELD."""

    TEAM_FIELD = "team"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Membership(models.Model):
    TEAM_FIELD = "team"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique_user_per_team"),
            models.UniqueConstraint(
                fields=["team"], condition=models.Q(role="owner"), name="membership_one_owner_per_team"
            ),
        ]
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.user} in {self.team} as {self.role}"

    def has_role(self, minimum):
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(minimum)]


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    TEAM_FIELD = "team"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=[c for c in Role.choices if c[0] != Role.OWNER])
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"invitation of {self.email} to {self.team}"

    @staticmethod
    def new_token():
        return secrets.token_urlsafe(32)

    @property
    def is_pending(self):
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def state(self):
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class Provider(models.TextChoices):
    OPENAI = "openai", "OpenAI"
    KLING = "kling", "Kling"
    ARK = "ark", "Ark (Seedance)"


class ProviderKey(TeamOwned):
    provider = models.CharField(max_length=20, choices=Provider.choices)
    ciphertext = models.BinaryField()
    last_four = models.CharField(max_length=4)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "provider"], name="providerkey_one_per_provider")]

    def __str__(self):
        return f"{self.get_provider_display()} key ending {self.last_four}"
