"""The one small protocol every publisher speaks: check a post against the platform's rules, publish it once, and
confirm through the platform's read API whether an attempt whose answer was lost went through.

One module per platform (instagram.py, linkedin.py, x.py, tiktok.py, webhook.py, bundle.py). Publishers never
touch the database: the dispatcher (scheduling/services.py) saves an attempt row before calling `publish` and
records what comes back.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class PublishError(Exception):
    """A classified failure with a message fit to show on the post's channel row.

    kind: "auth" (token expired or revoked: mark the channel, notify admins), "rate" (deferred until `retry_at`),
    "user" (the platform refused the content), "duplicate" (the platform says it already has this post),
    "outage" (5xx or network before the request was sent), "unconfirmed" (sent, answer lost or timed out: confirm
    through the read API before anything else).

    partial: what the platform already holds for this attempt (Instagram {"container_id"}, TikTok {"publish_id"},
    LinkedIn/X {"remote_id"} of a duplicate): the dispatcher saves it on the attempt and passes it back in
    PublishRequest.options so confirm() and the next publish() pick up where this one stopped.
    """

    def __init__(
        self, message, *, kind, platform, code=None, retry_at: datetime | None = None, partial: dict | None = None
    ):
        super().__init__(message)
        self.message, self.kind, self.platform, self.code, self.retry_at = message, kind, platform, code, retry_at
        self.partial = partial or {}


@dataclass(frozen=True)
class Credentials:
    access_token: str
    refresh_token: str = ""
    expires_at: datetime | None = None
    account_id: str = ""  # Instagram user id, LinkedIn author URN (person or organization), X user id, TikTok open_id
    extra: dict = field(default_factory=dict)  # webhook: {"url": ..., "secret": ...}


@dataclass(frozen=True)
class PublishMedia:
    url: str  # a short-lived signed public URL under SITE_URL the platform fetches (or a presigned S3 URL)
    kind: str  # "image" | "video" | "pdf"
    mime: str
    width: int = 0
    height: int = 0
    size: int = 0
    alt_text: str = ""
    data: bytes | None = None  # for platforms that take an upload (LinkedIn PUT, X media upload) instead of a URL
    pages: int = 0  # a PDF's page count (LinkedIn documents take up to 300)
    duration_ms: int = 0  # a video's length (0: not known)


@dataclass(frozen=True)
class PublishRequest:
    external_id: str  # unique per (post, channel); sent where the platform takes one, used to confirm
    text: str
    media: tuple = ()  # PublishMedia
    first_comment: str = ""
    options: dict = field(default_factory=dict)  # e.g. TikTok privacy_level, LinkedIn document title
    # Called with the same dict as PublishError.partial as soon as the platform holds something for this attempt
    # (before the irreversible call), so the dispatcher can save it even if the worker dies next.
    on_progress: Callable[[dict], None] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PublishResult:
    remote_id: str
    url: str = ""
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PlatformRules:
    """What the composer checks before saving, so a post the platform would refuse is caught there."""

    caption_max: int
    media_max: int
    media_min: int = 0
    kinds: tuple = ("image",)
    image_formats: tuple = ("jpeg", "png")
    min_aspect: float | None = None  # width / height
    max_aspect: float | None = None
    max_bytes: int | None = None
    comment_max: int = 0  # the longest first comment Postframe posts under the post; 0: it posts none there
    # Where kinds has "video": a video posts on its own (no other items), in these containers, lengths and sizes.
    video_formats: tuple = ("mp4",)
    video_min_ms: int = 0
    video_max_ms: int = 0
    video_max_bytes: int = 0
    video_min_bytes: int = 0
    video_caption_max: int = 0  # a video post's caption limit where it differs (TikTok's title); 0: caption_max
    # How the platform counts a caption's and a first comment's length (X weighs emoji, wide scripts and links).
    length: Callable[[str], int] = field(default=len, compare=False)
    length_note: str = ""  # said with a length refusal when `length` is not plain characters


class Publisher(Protocol):
    platform: str
    rules: PlatformRules

    def problems(self, request: PublishRequest) -> list[str]:
        """What the platform would refuse in this post, in words; empty when it may be scheduled."""

    def publish(self, credentials: Credentials, request: PublishRequest) -> PublishResult:
        """The irreversible step. Never retried blindly: a lost answer raises PublishError(kind="unconfirmed")."""

    def confirm(self, credentials: Credentials, request: PublishRequest) -> PublishResult | None:
        """Through the read API: the published post if the attempt went through, None if it surely did not."""

    def comment(self, credentials: Credentials, remote_id: str, text: str) -> PublishResult:
        """Only where rules.comment_max: the first comment under the published post `remote_id`, once. Irreversible
        like publish(): a lost answer raises PublishError(kind="unconfirmed")."""

    def find_comment(self, credentials: Credentials, remote_id: str, text: str) -> PublishResult | None:
        """Through the read API: the comment with `text` under `remote_id`, or None when it surely is not there."""

    def refresh(self, credentials: Credentials) -> Credentials:
        """New credentials ahead of expiry; keeps the refresh token it has when the platform sends none."""
