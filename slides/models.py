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
    # The brief's options: the team's brand kit (fonts, colours, logo), a person whose references go with every
    # background that shows a person, and a library image whose style every background follows.
    follow_brand = models.BooleanField(default=False)
    influencer = models.ForeignKey(
        "influencers.Influencer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    style_reference = models.ForeignKey(
        "library.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
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
    # Asked for, but held back until the deck's first background (its style reference) is done; no credit held.
    background_waiting = models.BooleanField(default=False)
    # Why the background could not be asked for when its turn came (e.g. credits ran out); nothing was held.
    background_error = models.CharField(max_length=300, blank=True)
    # The carousel's influencer appears in this slide's background (its references go with the job).
    with_influencer = models.BooleanField(default=False)
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


def _hex_colour(default):
    return models.CharField(max_length=7, default=default)


class LogoPlacement(models.TextChoices):
    TOP_LEFT = "top-left", "Top left"
    TOP_RIGHT = "top-right", "Top right"
    BOTTOM_LEFT = "bottom-left", "Bottom left"
    BOTTOM_RIGHT = "bottom-right", "Bottom right"
    NONE = "none", "No logo on slides"


LOGO_SIZES = (8, 12, 16, 20, 25)  # percent of the slide's width


class BrandFont(TeamOwned):
    """A TTF/OTF a team uploaded, stored under a random key; the uploader confirmed the team holds a licence."""

    family = models.CharField(max_length=120)
    style = models.CharField(max_length=60, blank=True)
    file = models.CharField(max_length=300)  # the storage key
    format = models.CharField(max_length=3)  # ttf | otf
    bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    glyph_count = models.PositiveIntegerField(default=0)
    licence_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family", "style", "id"]

    def __str__(self):
        return f"{self.family} {self.style}".strip()

    @property
    def label(self):
        return str(self)


class BrandKit(TeamOwned):
    """One per team: colours, the fonts for headlines and body text, and a logo with its place on a slide."""

    team = models.OneToOneField("teams.Team", on_delete=models.CASCADE, related_name="brand_kit")
    primary = _hex_colour("#1F4E79")
    secondary = _hex_colour("#2E8B87")
    text = _hex_colour("#FFFFFF")
    background = _hex_colour("#10141C")
    headline_font = models.ForeignKey(BrandFont, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    body_font = models.ForeignKey(BrandFont, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    logo = models.ForeignKey("library.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    logo_placement = models.CharField(max_length=12, choices=LogoPlacement.choices, default=LogoPlacement.BOTTOM_RIGHT)
    logo_size = models.PositiveSmallIntegerField(default=16)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(logo_size__gte=5, logo_size__lte=30), name="brandkit_logo_size")
        ]

    def __str__(self):
        return f"brand kit of {self.team_id}"

    @property
    def colours(self):
        return {"primary": self.primary, "secondary": self.secondary, "text": self.text, "background": self.background}
