"""Scheduling: a team's connected channels, posts with their media and per-channel targets, and publish attempts.

Exactly once: `Post.publish_at` lives here (never a Celery countdown); the dispatcher claims due targets with
SELECT … FOR UPDATE SKIP LOCKED, saves a PublishAttempt before it calls the platform, and a target whose answer was
lost is "unconfirmed" until the platform's read API says whether it went through.
"""

import json
import secrets
import uuid

from django.conf import settings
from django.db import models

from studio.teams.crypto import decrypt, encrypt
from studio.teams.models import TeamOwned


class Platform(models.TextChoices):
    INSTAGRAM = "instagram", "Instagram"
    LINKEDIN = "linkedin", "LinkedIn"
    X = "x", "X"
    TIKTOK = "tiktok", "TikTok"
    WEBHOOK = "webhook", "Webhook"
    BUNDLE = "bundle", "Download bundle"


class Channel(TeamOwned):
    """One account a team publishes to; its tokens are encrypted at rest like provider keys."""

    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        EXPIRED = "expired", "Token expired"  # refresh failed or no refresh token: an admin must reconnect
        REVOKED = "revoked", "Access revoked"  # the platform refused the token
        DISCONNECTED = "disconnected", "Disconnected"

    class AccountKind(models.TextChoices):
        PERSON = "person", "Member"
        ORGANIZATION = "organization", "Organisation"

    platform = models.CharField(max_length=12, choices=Platform.choices)
    name = models.CharField(max_length=120)  # what people see: "@acme", "Acme Inc. (LinkedIn page)"
    account_id = models.CharField(max_length=200, blank=True)  # IG user id, LinkedIn URN, X user id, TikTok open_id
    account_kind = models.CharField(max_length=12, choices=AccountKind.choices, default=AccountKind.PERSON)
    credentials_ciphertext = models.BinaryField(default=b"")  # encrypted JSON: access/refresh tokens, webhook secret
    expires_at = models.DateTimeField(null=True, blank=True)  # the access token's expiry
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CONNECTED)
    status_message = models.CharField(max_length=500, blank=True)
    config = models.JSONField(default=dict, blank=True)  # e.g. TikTok privacy_level_options, webhook url
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["platform", "name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "platform", "account_id"], name="channel_unique_account"),
        ]

    def __str__(self):
        return f"{self.get_platform_display()} · {self.name}"

    @property
    def credentials(self) -> dict:
        if not self.credentials_ciphertext:
            return {}
        return json.loads(decrypt(bytes(self.credentials_ciphertext)))

    @credentials.setter
    def credentials(self, value: dict):
        self.credentials_ciphertext = encrypt(json.dumps(value))


class ScheduleSettings(TeamOwned):
    """A team's calendar: its time zone, the queue's weekly slots and the secret of its iCal feed."""

    timezone = models.CharField(max_length=64, default="UTC")
    # The queue: weekly slots as [{"weekday": 0-6 (Monday 0), "time": "09:30"}, …] in the team's time zone.
    queue_slots = models.JSONField(default=list, blank=True)
    ical_token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team"], name="schedulesettings_one_per_team")]

    def __str__(self):
        return f"schedule of {self.team}"


class Post(TeamOwned):
    """What a team wants published: a caption, media, the channels and when, through approval."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "Waiting for approval"
        RETURNED = "returned", "Returned with a comment"
        SCHEDULED = "scheduled", "Scheduled"  # approved; the dispatcher takes it at publish_at
        PUBLISHING = "publishing", "Publishing"
        DONE = "done", "Finished"  # every target ended; each target says how (published, failed …)
        CANCELLED = "cancelled", "Cancelled"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    caption = models.TextField(blank=True)
    hashtags = models.CharField(max_length=500, blank=True)
    first_comment = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(null=True, blank=True, db_index=True)  # UTC; shown in the team's time zone
    carousel = models.ForeignKey("slides.Carousel", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)  # the admin's words when a post is returned
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["publish_at", "id"]
        indexes = [models.Index(fields=["status", "publish_at"], name="post_due")]

    def __str__(self):
        return (self.caption or "Untitled post")[:60]

    @property
    def group_name(self):
        """The Channels group every page watching this post joins."""
        return f"post-{self.uuid.hex}"


class PostMedia(models.Model):
    """One asset of a post, in order; a deleted asset leaves the row (asset null) so publishing is blocked, not
    silently done without it."""

    TEAM_FIELD = "post__team"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="media")
    asset = models.ForeignKey("library.Asset", on_delete=models.SET_NULL, null=True, related_name="+")
    asset_name = models.CharField(max_length=200)  # kept to name what went missing
    position = models.PositiveSmallIntegerField()
    alt_text = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["post", "position"], name="postmedia_unique_position")]

    def __str__(self):
        return f"{self.asset_name} in {self.post}"


class PostTarget(models.Model):
    """A post on one channel: its caption variant, options and how publishing there went."""

    TEAM_FIELD = "post__team"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"  # not due, or the post is not approved yet
        DEFERRED = "deferred", "Deferred"  # rate limit or quota: next_attempt_at says until when
        PUBLISHING = "publishing", "Publishing"  # an attempt is running
        UNCONFIRMED = "unconfirmed", "Unconfirmed"  # sent, answer lost: checked against the platform before more
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"
        BLOCKED = "blocked", "Blocked"  # cannot go: channel disconnected, token revoked, asset deleted
        CANCELLED = "cancelled", "Cancelled"

    class Comment(models.TextChoices):
        """The post's first comment on this channel, posted once the post is live (where the platform takes one)."""

        NONE = "", "None"
        WAITING = "waiting", "Waiting"  # the post is live: the comment task is queued
        POSTING = "posting", "Posting"  # claimed and committed before the call
        POSTED = "posted", "Posted"
        UNCONFIRMED = "unconfirmed", "Unconfirmed"  # sent, answer lost: the read API decides
        FAILED = "failed", "Failed"  # refused, or never reached the platform: safe to post again

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="targets")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="targets")
    text = models.TextField(blank=True)  # this channel's caption variant; empty means the post's caption
    options = models.JSONField(default=dict, blank=True)  # e.g. TikTok privacy_level, LinkedIn document title
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    external_id = models.CharField(max_length=80, unique=True)  # sent where the platform takes one; used to confirm
    remote_id = models.CharField(max_length=200, blank=True)
    remote_url = models.URLField(max_length=500, blank=True)
    message = models.CharField(max_length=1000, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    comment_status = models.CharField(max_length=12, choices=Comment.choices, default=Comment.NONE, blank=True)
    comment_remote_id = models.CharField(max_length=200, blank=True)
    comment_message = models.CharField(max_length=1000, blank=True)
    comment_started_at = models.DateTimeField(null=True, blank=True)
    # Lookups of an unconfirmed first comment that could not tell (reset when it is sent again).
    comment_checks = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["channel__platform", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "channel"], name="posttarget_one_per_channel")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="posttarget_due")]

    def __str__(self):
        return f"{self.post} on {self.channel}"


class PublishAttempt(models.Model):
    """One call to a platform, saved before the call is made; what came back is written after."""

    TEAM_FIELD = "target__post__team"

    class Outcome(models.TextChoices):
        STARTED = "started", "Started"  # saved before the call; a worker killed here leaves it so
        PUBLISHED = "published", "Published"
        REFUSED = "refused", "Refused"
        DEFERRED = "deferred", "Deferred"
        UNCONFIRMED = "unconfirmed", "Unconfirmed"
        CONFIRMED = "confirmed", "Confirmed published"  # an unconfirmed attempt the read API found
        ABSENT = "absent", "Confirmed not published"  # the read API says it never went out: safe to try again

    target = models.ForeignKey(PostTarget, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.STARTED)
    message = models.CharField(max_length=1000, blank=True)
    partial = models.JSONField(default=dict, blank=True)  # what the platform gave before the end (container ids)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["target", "number"]
        constraints = [models.UniqueConstraint(fields=["target", "number"], name="publishattempt_unique_number")]

    def __str__(self):
        return f"attempt {self.number} of {self.target}: {self.outcome}"
