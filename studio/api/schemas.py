"""The shapes of the public API's requests and answers, as the OpenAPI schema documents them."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import ConfigDict

ROLES = Literal["identity", "style", "object", "environment"]


class ErrorItem(Schema):
    field: str | None = Field(
        None,
        description="The request field at fault, e.g. `prompt` or `referenceImages[2]`; null for the whole request.",
    )
    message: str = Field(..., description="What is wrong, in words fit to show a person.")


class ErrorsOut(Schema):
    errors: list[ErrorItem]


class ReferenceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    image: str | int = Field(
        ..., description="A library asset id of this team, an http(s) URL to fetch, or a data: URI of a PNG/JPEG/WebP."
    )
    role: ROLES = Field("object", description="What the image is for: identity, style, object or environment.")


class GenerationIn(Schema):
    """The product sheet's payload, plus the studio's other controls. Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(
        None, description="Model id, e.g. `openai:gpt-image-2` or `local:draft`. Default: the team's active model."
    )
    prompt: str = Field(..., description="What to make, or how to change the references.")
    size: str | None = Field(
        None, description="`WIDTHxHEIGHT` (e.g. `1024x1536`) or `auto`. Takes precedence over aspectRatio."
    )
    aspectRatio: str | None = Field(
        None, description="auto, 1:1, 4:5, 9:16, 16:9, 4:3, 3:4, 2:3 or 3:2, resolved to the nearest valid size."
    )
    resolution: Literal["1K", "2K", "4K"] = Field("1K", description="Size tier used with aspectRatio.")
    quality: Literal["low", "medium", "high", "auto"] = "auto"
    n: int = Field(1, description="How many images, 1 up to the model's maximum (10).")
    referenceImages: list[str | int | ReferenceIn] = Field(
        default_factory=list,
        description="Up to 16 images: library asset ids, http(s) URLs (fetched by the server and imported into the "
        "library), data: URIs, or objects {image, role}.",
    )
    mask: str | int | None = Field(
        None,
        description="An RGBA PNG the size of the first reference, alpha 0 where the image should change: an asset "
        "id, a URL or a data: URI.",
    )
    background: Literal["auto", "opaque", "transparent"] | None = None
    outputFormat: Literal["png", "jpeg", "webp"] | None = None
    outputCompression: int | None = Field(None, description="0–100, for jpeg and webp.")
    inputFidelity: Literal["low", "high"] | None = None
    partialImages: int | None = Field(
        None, description="Partial frames streamed to the studio page while the job runs, 0–3."
    )
    seed: int | None = None
    previousGenerationId: UUID | None = Field(
        None, description="Refine an earlier generation of this team: its id, and a prompt saying what to change."
    )


class GenerationAccepted(Schema):
    id: UUID
    status: str
    url: str = Field(..., description="Where to poll the generation (also in the Location header).")
    creditsReserved: int


class GenerationError(Schema):
    kind: str = Field(..., description="user, moderation, auth, rate_limit, outage, timeout, cancelled or internal.")
    message: str


class OutputOut(Schema):
    assetId: int
    url: str = Field(..., description="The file, for a request carrying a token of the same team.")
    width: int | None
    height: int | None
    format: str


class CostOut(Schema):
    estimated: int = Field(..., description="Credits reserved when the generation was accepted.")
    captured: int = Field(..., description="Credits spent for the images produced (the rest is returned).")


class GenerationOut(Schema):
    id: UUID
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    model: str
    prompt: str
    partialCount: int
    error: GenerationError | None
    cost: CostOut
    outputs: list[OutputOut]
    previousGenerationId: UUID | None
    createdAt: datetime
    finishedAt: datetime | None
