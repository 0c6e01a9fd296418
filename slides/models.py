"""Carousels: a brief, its outline as ordered slides, and per slide a background job and the studio-set typography.

The model never writes the text into the image: each slide's headline and body are set by `slides.typography` over
its background, so a changed word re-renders one slide and never asks for a new background.
"""

from django.conf import settings
from django.db import models

from studio.teams.models import TeamOwned

MIN_SLIDES, MAX_SLIDES, DEFAULT_SLIDES = 3, 10, 10


class Preset(models.TextChoices):
    INSTAGRAM = "instagram", "Instagram 4:5 · 1080 × 1350"
    SQUARE = "square", "Square 1:1 · 1080 × 1080"
    STORY = "story", "Story / TikTok 9:16 · 1080 × 1920"
    LINKEDIN_PORTRAIT = "linkedin-4x5", "LinkedIn PDF 4:5 · 1080 × 1350"
    LINKEDIN_SQUARE = "linkedin-1x1", "LinkedIn PDF 1:1 · 1080 × 1080"


# preset → (width, height, the aspect asked of the image model)
PRESET_SIZES = {
    Preset.INSTAGRAM: (1080, 1350, "4:5"),
    Preset.SQUARE: (1080, 1080, "1:1"),
    Preset.STORY: (1080, 1920, "9:16"),
    Preset.LINKEDIN_PORTRAIT: (1080, 1350, "4:5"),
    Preset.LINKEDIN_SQUARE: (1080, 1080, "1:1"),
}


class Layout(models.TextChoices):
    TITLE = "title", "Title"
    CAPTION = "caption", "Caption"
    QUOTE = "quote", "Quote"
    LIST = "list", "List"
    STATISTIC = "statistic", "Statistic"
    CTA = "cta", "Call to action"


class Carousel(TeamOwned):
    class Status(models.TextChoices):
        OUTLINE = "outline", "Outline"
        BACKGROUNDS = "backgrounds", "Backgrounds"
        READY = "ready", "Ready"

    topic = models.CharField(max_length=300)
    audience = models.CharField(max_length=200, blank=True)
    goal = models.CharField(max_length=200, blank=True)
    tone = models.CharField(max_length=100, blank=True)
    slide_count = models.PositiveSmallIntegerField(default=DEFAULT_SLIDES)
    preset = models.CharField(max_length=20, choices=Preset.choices, default=Preset.INSTAGRAM)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OUTLINE)
    outliner = models.CharField(max_length=40, blank=True)  # "offline" or the OpenAI text model that wrote it
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(slide_count__gte=MIN_SLIDES, slide_count__lte=MAX_SLIDES),
                name="carousel_slide_count_in_range",
            )
        ]

    def __str__(self):
        return self.topic

    @property
    def size(self):
        width, height, _ = PRESET_SIZES[Preset(self.preset)]
        return width, height

    @property
    def aspect(self):
        return PRESET_SIZES[Preset(self.preset)][2]

    @property
    def is_pdf(self):
        return self.preset.startswith("linkedin")

    @property
    def editable_outline(self):
        """The outline can be reshaped (reorder, add, delete) until the first background is asked for."""
        return self.status == self.Status.OUTLINE


class Slide(models.Model):
    TEAM_FIELD = "carousel__team"

    carousel = models.ForeignKey(Carousel, on_delete=models.CASCADE, related_name="slides")
    position = models.PositiveSmallIntegerField()
    layout = models.CharField(max_length=12, choices=Layout.choices, default=Layout.CAPTION)
    headline = models.CharField(max_length=200)
    body = models.TextField(blank=True, max_length=600)
    background_prompt = models.TextField(blank=True, max_length=1000)
    background_job = models.ForeignKey(
        "generation.GenerationJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    background = models.ForeignKey("library.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The studio-set slide as last rendered (JPEG at the preset size) and what its checks found.
    rendered = models.BinaryField(null=True, blank=True, editable=False)
    # The same render's layers for the PDF: the background with its scrim (JPEG) and the positioned lines of text.
    base = models.BinaryField(null=True, blank=True, editable=False)
    lines = models.JSONField(default=list, blank=True)
    checks = models.JSONField(default=list, blank=True)
    render_version = models.PositiveIntegerField(default=0)
    exported_asset = models.ForeignKey(
        "library.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"slide {self.position}: {self.headline}"

    @property
    def failed_checks(self):
        return [check for check in self.checks if not check.get("ok")]
