"""The asset library: every image a team uploads or generates, its files, provenance, tags and boards."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Lower
from django.utils.functional import cached_property

from studio.teams.models import TeamOwned

# Long edges of the WebP renditions made at ingest: the grid's tile and the detail page's large view.
THUMB_EDGE = 384
PREVIEW_EDGE = 1024
# A generated image's first title: at most this many of its prompt's words, within this many characters.
TITLE_WORDS = 8
TITLE_CHARS = 60
# The formats other features read as pixels (references, backgrounds, identity photos): not a video, an animated GIF
# or an SVG, which the library keeps too.
STILL_FORMATS = ("png", "jpeg", "webp")


class Asset(TeamOwned):
    """One stored file of a team, with how it was made.

    `provenance` is filled by the generation pipeline and holds, when known: prompt, revised_prompt, model_id,
    parameters (every request parameter), reference_asset_ids, mask_asset_id, parent_asset_id, seed, cost
    (credits), timings (milliseconds by phase), response_id and job_id. Other keys are kept and shown as they are.
    """

    class Kind(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"
        PDF = "pdf", "PDF"

    class Source(models.TextChoices):
        UPLOAD = "upload", "Uploaded"
        GENERATED = "generated", "Generated"
        IMPORTED = "imported", "Imported"

    # The title people see and edit; a generated image's starts as its prompt's first words (title_from_prompt).
    name = models.CharField("title", max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.IMAGE)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UPLOAD)
    # Storage keys are random; the user's filename never reaches a path.
    file = models.CharField(max_length=255)
    thumb = models.CharField(max_length=255, blank=True)
    preview = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=10)
    bytes = models.PositiveBigIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # A video's length; None for stills (and for an animated GIF, which loops).
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    rating = models.PositiveSmallIntegerField(default=0)
    tags = models.ManyToManyField("library.Tag", blank=True, related_name="assets")
    provenance = models.JSONField(default=dict, blank=True)
    # Copied out of provenance so the grid can filter by model with an index.
    model_id = models.CharField(max_length=80, blank=True)
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children")
    # Name, prompts and tags in one text: the full-text vector on PostgreSQL, icontains on SQLite.
    search_text = models.TextField(blank=True, default="")
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "-created_at", "-id"], name="asset_team_recent"),
            models.Index(fields=["team", "sha256"], name="asset_team_sha256"),
            models.Index(fields=["team", "model_id"], name="asset_team_model"),
            models.Index(fields=["team", "created_by"], name="asset_team_creator"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=0, rating__lte=5), name="asset_rating_0_to_5"),
            # Uploads are de-duplicated within a team; generated images never are (each keeps its provenance).
            models.UniqueConstraint(
                fields=["team", "sha256"],
                condition=~models.Q(source="generated"),
                name="asset_unique_upload_per_team",
            ),
        ]

    def __str__(self):
        return self.name

    @staticmethod
    def title_from_prompt(prompt, *, number=None, words=TITLE_WORDS):
        """A readable title from a prompt's first words: "Make the background blue and change the text…".

        Quotes and line breaks go, the first letter is capitalised, and it stops at a word within TITLE_CHARS;
        `number` (image 2 of a job's 4) is appended so a job's images can be told apart. "" for no prompt.
        """
        text = " ".join(str(prompt or "").replace('"', " ").replace("“", " ").replace("”", " ").split())
        if not text:
            return ""
        chosen = text.split(" ")[:words]
        while len(chosen) > 1 and len(" ".join(chosen)) > TITLE_CHARS:
            chosen.pop()
        title = " ".join(chosen)[:TITLE_CHARS].rstrip(" ,;:.-–—")
        if len(title) < len(text.rstrip(" .")):
            title += "…"
        title = title[:1].upper() + title[1:]
        return f"{title} ({number})" if number else title

    @property
    def content_type(self):
        return CONTENT_TYPES.get(self.format, "application/octet-stream")

    @property
    def is_video(self):
        return self.kind == self.Kind.VIDEO

    @property
    def is_vector(self):
        return self.format == "svg"

    @property
    def is_animation(self):
        return self.format == "gif"

    @property
    def is_still(self):
        """A PNG, JPEG or WebP image: what the studio takes as a reference or refines."""
        return self.kind == self.Kind.IMAGE and self.format in STILL_FORMATS

    @property
    def duration_label(self):
        """A video's length as a player shows it: "0:07", "12:30"; "" for stills."""
        if self.duration_ms is None:
            return ""
        seconds = max(1, round(self.duration_ms / 1000)) if self.duration_ms else 0
        return f"{seconds // 60}:{seconds % 60:02d}"

    @property
    def stars(self):
        return "★" * self.rating

    @property
    def prompt(self):
        return (self.provenance or {}).get("prompt", "")

    def rendition_size(self, edge):
        """Width and height of a rendition whose long edge is at most `edge`, for <img width height>."""
        if not self.width or not self.height:
            return edge, edge
        scale = min(1.0, edge / max(self.width, self.height))
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))

    @cached_property
    def thumb_size(self):
        return self.rendition_size(THUMB_EDGE)

    @cached_property
    def preview_size(self):
        return self.rendition_size(PREVIEW_EDGE)

    def get_absolute_url(self):
        from library.selectors import asset_page_url

        return asset_page_url(self)

    @property
    def thumb_url(self):
        from library.selectors import asset_url

        return asset_url(self, "thumb")

    @property
    def storage_keys(self):
        return [key for key in (self.file, self.thumb, self.preview) if key]


# The still images among a team's assets, as a filter: scoped(Asset, team).filter(STILLS).
STILLS = models.Q(kind=Asset.Kind.IMAGE, format__in=STILL_FORMATS)

CONTENT_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "svg": "image/svg+xml",
    "mp4": "video/mp4",
}


class Tag(TeamOwned):
    name = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "team", name="tag_unique_name_per_team"),
        ]

    def __str__(self):
        return self.name


class Board(TeamOwned):
    """A named, ordered selection of assets: a campaign, a mood board, a client review."""

    name = models.CharField(max_length=80)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class BoardItem(models.Model):
    TEAM_FIELD = "board__team"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="items")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="board_items")
    position = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["board", "asset"], name="boarditem_asset_once_per_board")]

    def __str__(self):
        return f"{self.asset} on {self.board}"
