"""GenerationJob: one request to an image engine, from submit through streamed frames to library assets."""

import uuid

from django.conf import settings
from django.db import models

from studio.teams.models import TeamOwned

REFERENCE_ROLES = [
    ("identity", "Identity"),
    ("style", "Style"),
    ("object", "Object"),
    ("environment", "Environment"),
]


class GenerationJob(TeamOwned):
    """A job moves queued → running → succeeded | failed | cancelled, each step one conditional UPDATE."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    TERMINAL = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    model_id = models.CharField(max_length=80)
    prompt = models.TextField()
    # size, aspect, tier, quality, n, output_format, output_compression, background, moderation,
    # partial_images, input_fidelity: everything the engine is asked, as submitted.
    params = models.JSONField(default=dict)
    # [{"asset_id": 12, "role": "identity"}, …] in the order the user labelled them Image 1…N.
    references = models.JSONField(default=list, blank=True)
    # RGBA PNG the size of the first reference, alpha 0 where the image may change. Kept in the row so a
    # rejected or rolled-back submit leaves no file behind.
    mask_png = models.BinaryField(null=True, blank=True, editable=False)
    # Transparent PNG the size of the first reference: strokes, arrows, boxes and labels guiding the edit
    # (GPT Image 2.5 `markup`); never together with a mask.
    markup_png = models.BinaryField(null=True, blank=True, editable=False)
    seed = models.PositiveIntegerField(default=0)
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="refinements")
    parent_asset = models.ForeignKey(
        "library.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="refinement_jobs"
    )

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error_kind = models.CharField(max_length=20, blank=True)
    error_message = models.TextField(blank=True)

    hold = models.ForeignKey("credits.Hold", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    credits_estimated = models.PositiveIntegerField(default=0)
    credits_per_image = models.PositiveIntegerField(default=0)
    credits_captured = models.PositiveIntegerField(default=0)

    partial_count = models.PositiveSmallIntegerField(default=0)
    # The newest partial frame as a small JPEG, so a page opened late shows where the job is.
    latest_frame = models.BinaryField(null=True, blank=True, editable=False)
    response_id = models.CharField(max_length=200, blank=True)
    revised_prompt = models.TextField(blank=True)

    submitted_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    first_frame_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True)
    # Set by each claim; a run whose token no longer matches has been replaced or swept and stops.
    run_token = models.UUIDField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    outputs = models.ManyToManyField("library.Asset", through="JobOutput", related_name="generation_jobs")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["team", "-submitted_at"], name="job_team_recent"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "succeeded", "failed", "cancelled"]),
                name="job_status_known",
            ),
        ]

    def __str__(self):
        return f"job {self.uuid} ({self.status})"

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    @property
    def is_terminal(self):
        return self.status in self.TERMINAL

    @property
    def group_name(self):
        """The Channels group every page watching this job joins."""
        return f"job-{self.uuid}"

    @property
    def frames_expected(self):
        return int(self.params.get("partial_images") or 0)

    @property
    def n(self):
        return int(self.params.get("n") or 1)

    @property
    def size(self):
        return self.params.get("size", "auto")

    @property
    def dimensions(self):
        """(width, height) asked for; "auto" shows as a square until the images exist."""
        try:
            width, height = self.size.split("x")
            return int(width), int(height)
        except (AttributeError, ValueError):
            return 1024, 1024

    @property
    def has_mask(self):
        return self.mask_png is not None and len(self.mask_png) > 0

    @property
    def has_markup(self):
        return self.markup_png is not None and len(self.markup_png) > 0

    @property
    def duration_seconds(self):
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def credits_back_note(self):
        """After a failure or a cancel: the sentence that the credits it held are back, unless its message says so."""
        if self.status not in (self.Status.FAILED, self.Status.CANCELLED) or not self.credits_estimated:
            return ""
        if "credits" in self.error_message:
            return ""
        return f"The {self.credits_estimated} credits it held are back in the balance."


class JobOutput(models.Model):
    """An image a job produced, in the order the engine returned them."""

    TEAM_FIELD = "job__team"

    job = models.ForeignKey(GenerationJob, on_delete=models.CASCADE, related_name="job_outputs")
    asset = models.ForeignKey("library.Asset", on_delete=models.CASCADE, related_name="job_outputs")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="joboutput_one_per_position"),
        ]

    def __str__(self):
        return f"output {self.position} of {self.job_id}"
