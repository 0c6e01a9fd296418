"""Video sequences: a brief, its shot list, and per shot a generated frame handed to a video provider as a clip.

A shot moves draft → framing → submitting → rendering → downloading → done, or ends failed / cancelled / expired;
every step is one conditional UPDATE (`WHERE status = …`), so a second worker, a replayed callback or the sweeper
racing a slow worker all leave one state. When every shot is done the sequence is stitched into one MP4.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models

from studio.teams.models import TeamOwned

MIN_SHOTS, MAX_SHOTS = 1, 12
BRIEF_MAX, FRAME_PROMPT_MAX = 2000, 2000
ASPECTS = ("16:9", "9:16", "1:1")


def new_callback_token():
    return secrets.token_urlsafe(32)


class Sequence(TeamOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RUNNING = "running", "Rendering"
        STITCHING = "stitching", "Stitching"
        DONE = "done", "Done"
        STOPPED = "stopped", "Needs attention"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=120)
    brief = models.TextField(max_length=BRIEF_MAX)
    aspect = models.CharField(max_length=8, default="16:9")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    writer = models.CharField(max_length=40, blank=True)  # "offline", "manual" or the OpenAI text model
    stitched = models.ForeignKey("library.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    message = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    stitch_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def group_name(self):
        return f"video-sequence-{self.uuid.hex}"

    @property
    def editable(self):
        """The shot list can be reshaped until the sequence is started."""
        return self.status == self.Status.DRAFT


class Shot(models.Model):
    TEAM_FIELD = "sequence__team"

    class Status(models.TextChoices):
        DRAFT = "draft", "Not started"
        FRAMING = "framing", "Making the frame"
        SUBMITTING = "submitting", "Submitting"
        RENDERING = "rendering", "Rendering"
        DOWNLOADING = "downloading", "Downloading"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    ACTIVE = (Status.FRAMING, Status.SUBMITTING, Status.RENDERING, Status.DOWNLOADING)
    ENDED = (Status.FAILED, Status.CANCELLED, Status.EXPIRED)
    # States in which the shot holds a place at its provider (the per-provider concurrency limit counts them).
    AT_PROVIDER = (Status.SUBMITTING, Status.RENDERING)

    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="shots")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    position = models.PositiveSmallIntegerField()
    frame_prompt = models.TextField(max_length=FRAME_PROMPT_MAX)
    influencer = models.ForeignKey(
        "influencers.Influencer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    motion_prompt = models.TextField(blank=True)
    duration = models.PositiveSmallIntegerField(default=5)
    aspect = models.CharField(max_length=8, default="16:9")
    model_id = models.CharField(max_length=80)
    mode = models.CharField(max_length=10, default="std")
    provider = models.CharField(max_length=20, blank=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    message = models.TextField(blank=True)
    error_kind = models.CharField(max_length=20, blank=True)
    frame_job = models.ForeignKey(
        "generation.GenerationJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    frame_asset = models.ForeignKey("library.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    fit_note = models.CharField(max_length=300, blank=True)  # how the frame was fitted to the provider's limits
    attempt = models.PositiveSmallIntegerField(default=0)
    external_id = models.CharField(max_length=80, blank=True)
    provider_task_id = models.CharField(max_length=120, blank=True)
    # A submit in flight: who claimed it and when; a claim older than VIDEO_SUBMIT_STALE_SECONDS may be taken over
    # (after looking the task up by its external id, so an accepted task is never created twice).
    submit_token = models.UUIDField(null=True, blank=True)
    submit_claimed_at = models.DateTimeField(null=True, blank=True)
    submit_tries = models.PositiveSmallIntegerField(default=0)
    polls = models.PositiveIntegerField(default=0)
    # The pipeline's one live chain of steps: a step whose token is not this one is a stray and does nothing.
    step_token = models.UUIDField(null=True, blank=True)
    step_due_at = models.DateTimeField(null=True, blank=True)
    clip = models.ForeignKey("library.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    hold = models.ForeignKey("credits.Hold", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    credits_estimated = models.PositiveIntegerField(default=0)
    callback_token = models.CharField(max_length=64, default=new_callback_token, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["provider", "status"], name="video_shot_provider_status")]

    def __str__(self):
        return f"shot {self.position} of {self.sequence_id}"

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    @property
    def has_ended(self):
        return self.status in self.ENDED

    @property
    def dom_id(self):
        return f"shot-{self.pk}-card"
