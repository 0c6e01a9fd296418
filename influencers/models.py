"""Influencers: a character whose identity (reference images with roles, traits, nevers) is locked per version.

A version never changes once made: editing the reference set, the traits or the never-list makes the next version,
so every image made with an influencer can name the exact identity it was made from. Each reference keeps its own
copy of the image, so deleting the library asset it came from leaves the version whole.
"""

from django.conf import settings
from django.db import models

from studio.teams.models import TeamOwned

DEFAULT_DRIFT_THRESHOLD = 0.6  # dlib's own same-person distance for its ResNet face embedding
MAX_AUTO_RERUNS = 3


class Role(models.TextChoices):
    ANCHOR = "anchor", "Identity anchor"
    FRONT = "front", "Front"
    THREE_QUARTER = "three_quarter", "Three-quarter"
    PROFILE = "profile", "Profile"
    FULL_BODY = "full_body", "Full body"
    STYLE = "style", "Style"
    WARDROBE = "wardrobe", "Wardrobe"
    PROPS = "props", "Props"


# Roles whose images show the person: they carry the identity and are embedded for the drift check.
IDENTITY_ROLES = (Role.ANCHOR, Role.FRONT, Role.THREE_QUARTER, Role.PROFILE, Role.FULL_BODY)
# The order images are sent in after the anchor, and so the order they are left out in when the model takes fewer.
ROLE_ORDER = [*IDENTITY_ROLES, Role.WARDROBE, Role.PROPS, Role.STYLE]

TRAIT_FIELDS = [
    ("hair", "Hair"),
    ("eyes", "Eyes"),
    ("skin", "Skin"),
    ("build", "Build"),
    ("wardrobe", "Signature wardrobe"),
    ("props", "Signature props"),
]


class Influencer(TeamOwned):
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    consent_notes = models.TextField(blank=True)
    usage_notes = models.TextField(blank=True)
    default_model_id = models.CharField(max_length=80, blank=True)
    current_version = models.ForeignKey(
        "InfluencerVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class InfluencerVersion(models.Model):
    """One locked identity: its references, traits and nevers never change after it is made."""

    TEAM_FIELD = "influencer__team"

    influencer = models.ForeignKey(Influencer, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    traits = models.JSONField(default=dict, blank=True)
    nevers = models.JSONField(default=list, blank=True)
    change_note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once the identity references' face embeddings are stored; they are computed once per version.
    embedded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["influencer", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["influencer", "number"], name="influencer_version_number_once"),
        ]

    def __str__(self):
        return f"{self.influencer.name} v{self.number}"

    @property
    def label(self):
        return f"v{self.number}"

    def trait_items(self):
        return [(label, self.traits.get(key, "")) for key, label in TRAIT_FIELDS if self.traits.get(key)]


class IdentityReference(models.Model):
    """One image of a version's reference set, with its role and its own copy of the pixels."""

    TEAM_FIELD = "version__influencer__team"

    version = models.ForeignKey(InfluencerVersion, on_delete=models.CASCADE, related_name="references")
    position = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=20, choices=Role.choices)
    # The library asset sent to the engine; when it is deleted the version re-files its copy (services).
    asset = models.ForeignKey("library.Asset", on_delete=models.SET_NULL, null=True, related_name="+")
    data = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    # Filled by the face check: how many faces, the chosen face's embedding, and what the user should know.
    face_count = models.PositiveSmallIntegerField(null=True, blank=True)
    embedding = models.JSONField(null=True, blank=True)
    warning = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="identity_reference_position_once"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} of {self.version}"

    @property
    def is_identity(self):
        return self.role in IDENTITY_ROLES


class DriftPolicy(TeamOwned):
    """The team's drift threshold: an output whose face is farther than this from the identity set has drifted."""

    threshold = models.FloatField(default=DEFAULT_DRIFT_THRESHOLD)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team"], name="drift_policy_one_per_team"),
            models.CheckConstraint(condition=models.Q(threshold__gt=0, threshold__lt=2), name="drift_threshold_range"),
        ]


class SceneSeries(TeamOwned):
    """Scenes rendered with one influencer version, one generation job per scene run."""

    influencer = models.ForeignKey(Influencer, on_delete=models.CASCADE, related_name="series")
    version = models.ForeignKey(InfluencerVersion, on_delete=models.PROTECT, related_name="series")
    title = models.CharField(max_length=120)
    model_id = models.CharField(max_length=80)
    # aspect, tier, quality, partial_images: what every scene of the series is asked with.
    params = models.JSONField(default=dict)
    auto_rerun_max = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(auto_rerun_max__lte=MAX_AUTO_RERUNS), name="series_rerun_cap"),
        ]

    def __str__(self):
        return self.title


class Scene(models.Model):
    TEAM_FIELD = "series__team"

    series = models.ForeignKey(SceneSeries, on_delete=models.CASCADE, related_name="scenes")
    position = models.PositiveSmallIntegerField()
    brief = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["series", "position"], name="scene_position_once")]

    def __str__(self):
        return f"Scene {self.position}"


class SceneRun(models.Model):
    """One generation job of a scene; a re-run (asked for, or automatic after drift) is the next attempt."""

    TEAM_FIELD = "scene__series__team"

    scene = models.ForeignKey(Scene, on_delete=models.CASCADE, related_name="runs")
    job = models.OneToOneField("generation.GenerationJob", on_delete=models.CASCADE, related_name="scene_run")
    attempt = models.PositiveSmallIntegerField(default=1)
    automatic = models.BooleanField(default=False)
    prompt = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scene", "-attempt"]
        constraints = [models.UniqueConstraint(fields=["scene", "attempt"], name="scene_run_attempt_once")]

    def __str__(self):
        return f"{self.scene} attempt {self.attempt}"


class DriftScore(models.Model):
    """How close an output's face is to an influencer version's identity set."""

    TEAM_FIELD = "asset__team"

    class Verdict(models.TextChoices):
        SAME = "same", "Same person"
        DRIFTED = "drifted", "Drifted"
        NO_FACE = "no_face", "No face found"
        NO_IDENTITY = "no_identity", "No reference face"

    asset = models.ForeignKey("library.Asset", on_delete=models.CASCADE, related_name="drift_scores")
    version = models.ForeignKey(InfluencerVersion, on_delete=models.CASCADE, related_name="scores")
    run = models.ForeignKey(SceneRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="scores")
    distance = models.FloatField(null=True, blank=True)
    threshold = models.FloatField()
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    faces = models.PositiveSmallIntegerField(default=0)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["asset", "version"], name="drift_score_once_per_version")]

    def __str__(self):
        return f"{self.get_verdict_display()} ({self.version})"

    @property
    def similarity(self):
        """0–100: 100 is the identity set's own face, below 100 × (1 − threshold) has drifted."""
        if self.distance is None:
            return None
        return max(0, round((1 - self.distance) * 100))

    @property
    def is_drift(self):
        return self.verdict in (self.Verdict.DRIFTED, self.Verdict.NO_FACE)
