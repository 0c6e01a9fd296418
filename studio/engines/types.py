"""What an engine takes and what it yields: one request in, zero to three partial frames, then a final."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class ReferenceImage:
    """An input image; `role` is identity, style, object, environment, or parent (the image being refined,
    see registry.refinement_request); `name` is what the user sees."""

    data: bytes
    role: str = "object"
    name: str = ""


@dataclass(frozen=True)
class ImageRequest:
    model_id: str
    prompt: str
    size: str = "1024x1024"  # "WIDTHxHEIGHT" or "auto"
    quality: str = "auto"  # low | medium | high | auto, and xhigh | max where the model offers them
    n: int = 1
    output_format: str = "png"  # png | jpeg | webp, and gif | svg where the model makes them
    output_compression: int | None = None  # 0-100, jpeg and webp only
    background: str = "auto"  # auto | opaque | transparent
    moderation: str = "auto"  # auto | low
    partial_images: int = 2  # 0-3
    input_fidelity: str | None = None  # low | high, only where the model has the choice
    complexity: str | None = None  # "thinking": low | medium | high planning before rendering; None = model default
    references: tuple[ReferenceImage, ...] = ()
    mask: bytes | None = None  # RGBA PNG the size of the first reference; alpha 0 marks what changes
    # Transparent PNG the size of the first reference, drawn over it to guide the edit; never with a mask.
    markup: bytes | None = None
    seed: int = 0
    previous_response_id: str | None = None  # multi-turn refinement (Responses API)
    user: str = ""  # an opaque end-user id passed to the provider for abuse tracking
    # Ask for a result that can be refined later: the OpenAI engine then makes a single image through
    # the Responses API so Final.response_id is set (the draft engine always sets one).
    refinable: bool = False

    @property
    def is_edit(self):
        return bool(self.references)

    @property
    def dimensions(self):
        if self.size == "auto":
            return None
        width, height = self.size.split("x")
        return int(width), int(height)


@dataclass(frozen=True)
class PartialFrame:
    index: int  # 0-based, coarse to fine
    image: bytes
    output_format: str = "png"


@dataclass(frozen=True)
class Final:
    images: tuple[bytes, ...]
    usage: dict = field(default_factory=dict)
    response_id: str | None = None  # kept on the job so a result can be refined
    output_format: str = "png"
    revised_prompt: str | None = None


Event = PartialFrame | Final


class EngineError(Exception):
    """A classified failure, with a message fit to show the user and whether it was the user's input."""

    USER = "user"
    MODERATION = "moderation"
    AUTH = "auth"
    RATE_LIMIT = "rate_limit"
    OUTAGE = "outage"
    TIMEOUT = "timeout"

    def __init__(self, kind, message, *, param=None, retryable=False):
        super().__init__(message)
        self.kind, self.message, self.param, self.retryable = kind, message, param, retryable

    @property
    def is_user_error(self):
        return self.kind in (self.USER, self.MODERATION)


class Engine(Protocol):
    """One module per engine (local.py, openai.py), behind this protocol."""

    def run(self, request: ImageRequest, *, api_key: str | None = None) -> Iterator[Event]: ...
