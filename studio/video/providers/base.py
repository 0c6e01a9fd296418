"""The one small protocol every video provider speaks: submit a frame with a motion prompt, look the task up, cancel.

The pipeline (studio/video/services.py, tasks.py) talks only to this protocol; each provider is one module
(kling.py, seedance.py, local.py). Providers never touch the database, credits or the library.
"""

from dataclasses import dataclass, field
from typing import Protocol

from studio.engines.video import FrameLimits, VideoModel  # noqa: F401  (the table's rows, re-exported)


class VideoProviderError(Exception):
    """A classified failure with a message fit to show on the shot.

    kind: "user" (refused input, policy), "quota" (out of credit or quota at the provider), "auth" (the key failed),
    "rate" (rate or concurrency limit: try again after `retry_after` seconds), "outage" (5xx, network: retry with
    backoff), "expired" (the task or its result is gone: report, never retry blindly), "not_found",
    "unknown" (a create whose answer was lost after the request may have reached the provider: look the task up by
    external id, or by the provider's recovery listing, before submitting again; never resubmit blindly).
    """

    def __init__(self, message, *, kind, provider, code=None, retry_after=None):
        super().__init__(message)
        self.message, self.kind, self.provider, self.code, self.retry_after = message, kind, provider, code, retry_after

    @property
    def retryable(self):
        return self.kind in {"rate", "outage"}


@dataclass(frozen=True)
class ShotSubmission:
    """What the pipeline hands a provider for one shot."""

    external_id: str  # deterministic per shot and attempt: the provider's idempotency handle (Kling external_task_id)
    model: str  # the provider's model name, e.g. "kling-v2-6", "seedance-1-0-pro-250528", "local:animator"
    frame: bytes  # the first frame, PNG or JPEG, already fitted to the provider's limits (see `fit_frame`)
    frame_format: str  # "png" or "jpeg"
    prompt: str  # the motion prompt
    duration: int  # seconds
    aspect: str  # "16:9", "9:16", "1:1", "4:5" ...
    mode: str = "std"  # Kling std/pro; others ignore it
    negative_prompt: str = ""
    callback_url: str = ""  # an unguessable per-shot URL; a callback only triggers a confirming lookup
    seed: int | None = None
    resolution: str = ""  # Seedance "480p" / "720p" / "1080p"; others ignore it
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TaskState:
    """A provider task as the provider reports it, mapped to one vocabulary."""

    task_id: str
    status: str  # "queued" | "running" | "succeeded" | "failed" | "cancelled" | "expired"
    message: str = ""
    video_url: str = ""  # set when succeeded; may be a data-less local path for the offline animator
    video_bytes: bytes | None = None  # the offline animator returns the clip itself
    duration: float | None = None
    raw: dict = field(default_factory=dict)

    @property
    def finished(self):
        return self.status in {"succeeded", "failed", "cancelled", "expired"}


class VideoProvider(Protocol):
    name: str  # "kling" | "seedance" | "local"

    def submit(self, shot: ShotSubmission) -> TaskState:
        """Create the task. Not idempotent at every provider: the caller saves the returned task id at once."""

    def lookup(self, *, task_id: str = "", external_id: str = "") -> TaskState:
        """Read the task's state (safe to repeat); by external id when the task id was never saved."""

    def cancel(self, *, task_id: str) -> None:
        """Cancel a queued task where the provider allows it; VideoProviderError otherwise."""

    def download(self, state: TaskState) -> bytes:
        """The finished clip's bytes (MP4)."""
