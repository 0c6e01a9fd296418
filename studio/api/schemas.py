"""The shapes of the public API's requests and answers, as the OpenAPI schema documents them."""

import unicodedata
from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from ninja import Field, Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AfterValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from studio.generation.selectors import MAX_SEED

ROLES = Literal["identity", "style", "object", "environment"]
ASPECT_RATIOS = Literal["auto", "1:1", "4:5", "9:16", "16:9", "4:3", "3:4", "2:3", "3:2"]
PROMPT_MAX_CHARS = 32_000

# What the text validators refuse, as JSON Schema patterns, so a schema-valid request is never refused for them.
# C0 controls, DEL and C1 controls; a multi-line text (a prompt) keeps tab, line feed and carriage return.
SINGLE_LINE_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
MULTI_LINE_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
MULTI_LINE_ALLOWED = {"\t", "\n", "\r"}


def refused_character(value, *, multi_line=False):
    """The first character a text field may not hold (a control character or a lone surrogate), or None."""
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs" or (category == "Cc" and not (multi_line and char in MULTI_LINE_ALLOWED)):
            return char
    return None


def refusal_message(char, *, multi_line=False):
    if unicodedata.category(char) == "Cs":
        return f"This text holds a broken character (a lone surrogate, U+{ord(char):04X}); send valid UTF-8 text."
    allowed = "only tabs and line breaks are allowed" if multi_line else "no control characters are allowed"
    return f"This text holds a control character (U+{ord(char):04X}); {allowed} here."


def _plain(multi_line):
    def check(value):
        char = refused_character(value, multi_line=multi_line)
        if char is not None:
            raise PydanticCustomError("control_character", refusal_message(char, multi_line=multi_line))
        return value

    return check


class _Documented:
    """Adds the pattern a validator enforces to the field's JSON Schema, keeping its other constraints."""

    def __init__(self, pattern):
        self.pattern = pattern

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        schema["pattern"] = self.pattern
        return schema


# A one-line text (names, ids, URLs, sizes) and a multi-line one (a prompt): every str field of a request is one.
Line = Annotated[str, AfterValidator(_plain(False)), _Documented(SINGLE_LINE_PATTERN)]
Text = Annotated[str, AfterValidator(_plain(True)), _Documented(MULTI_LINE_PATTERN)]


def _model_ids(schema):
    """The configured models' ids, read when the schema is served: adding a model is a row of configuration."""
    from studio.engines.capabilities import image_models

    for member in schema.get("anyOf", []):
        if member.get("type") == "string":
            member["enum"] = list(image_models())


def json_body(schema):
    """openapi_extra documenting `schema` as the JSON body of an operation that reads the body itself."""
    return {"requestBody": {"content": {"application/json": {"schema": schema.model_json_schema()}}, "required": True}}


def parsed_body(request, schema):
    """The request's JSON body as `schema`, for an operation that looks up its path's ids before reading the body
    (another team's id is a 404 whatever the body); a bad body raises the error ninja's own parsing would."""
    try:
        return schema.model_validate_json(request.body or b"")
    except ValidationError as invalid:
        raise NinjaValidationError(
            [{**error, "loc": ("body", "payload", *error["loc"])} for error in invalid.errors()]
        ) from None


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

    image: Line | int = Field(
        ..., description="A library asset id of this team, an http(s) URL to fetch, or a data: URI of a PNG/JPEG/WebP."
    )
    role: ROLES = Field("object", description="What the image is for: identity, style, object or environment.")


class GenerationIn(Schema):
    """The product sheet's payload, plus the studio's other controls. Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    model: Line | None = Field(
        None,
        description="Model id, e.g. `openai:gpt-image-2` or `local:draft`. Default: the team's active model.",
        json_schema_extra=_model_ids,
    )
    prompt: Text = Field(
        ...,
        min_length=1,
        max_length=PROMPT_MAX_CHARS,
        description="What to make, or how to change the references. Tabs and line breaks are kept; other control "
        "characters are refused.",
    )
    size: Line | None = Field(
        None, description="`WIDTHxHEIGHT` (e.g. `1024x1536`) or `auto`. Takes precedence over aspectRatio."
    )
    aspectRatio: ASPECT_RATIOS | None = Field(None, description="Resolved to the nearest size the model can make.")
    resolution: Literal["1K", "2K", "4K"] = Field("1K", description="Size tier used with aspectRatio.")
    quality: Literal["low", "medium", "high", "xhigh", "max", "auto"] = Field(
        "auto", description="xhigh and max only on the GPT Image 2.5 models."
    )
    thinking: Literal["low", "medium", "high"] | None = Field(
        None,
        description="Thinking mode: planning before rendering (the API's `complexity`); helps dense, multi-element "
        "and diagram prompts and adds time. Omit for the model's default. Not on GPT Image 1.5 and 1 Mini.",
    )
    n: int = Field(1, ge=1, le=10, description="How many images, 1 up to the model's maximum (10).")
    referenceImages: list[Line | int | ReferenceIn] = Field(
        default_factory=list,
        max_length=16,
        description="Up to 16 images: library asset ids, http(s) URLs (fetched by the server and imported into the "
        "library), data: URIs, or objects {image, role}.",
    )
    mask: Line | int | None = Field(
        None,
        description="An RGBA PNG the size of the first reference, alpha 0 where the image should change: an asset "
        "id, a URL or a data: URI.",
    )
    markup: Line | int | None = Field(
        None,
        description="A transparent PNG the size of the first reference with strokes, arrows, boxes or labels that "
        "guide the edit (GPT Image 2.5 and local:draft): an asset id, a URL or a data: URI. Never with mask.",
    )
    background: Literal["auto", "opaque", "transparent"] | None = None
    outputFormat: Literal["png", "jpeg", "webp", "gif", "svg"] | None = Field(
        None, description="gif and svg on the GPT Image 2.5 models; svg makes one image; neither streams frames."
    )
    outputCompression: int | None = Field(None, ge=0, le=100, description="0–100, for jpeg and webp.")
    inputFidelity: Literal["low", "high"] | None = None
    partialImages: int | None = Field(
        None, ge=0, le=3, description="Partial frames streamed to the studio page while the job runs, 0–3."
    )
    seed: int | None = Field(None, ge=0, le=MAX_SEED, description="The same seed and settings give the same image.")
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


# The library ----------------------------------------------------------------------------------------------------

ASSET_KINDS = Literal["image", "video", "pdf"]
ASSET_SOURCES = Literal["upload", "generated", "imported"]
FILE_VARIANTS = Literal["original", "thumb", "preview"]
BOARD_NAME_MAX_CHARS = 80


class AssetFilters(Schema):
    """The library grid's search and filters, as query parameters; empty ones are ignored."""

    q: Line | None = Field(None, max_length=200, description="Words to find in names, prompts and tags.")
    kind: ASSET_KINDS | None = None
    source: ASSET_SOURCES | None = None
    model: Line | None = Field(None, max_length=80, description="A model id, e.g. `local:draft`.")
    member: int | None = Field(None, ge=1, description="The id of the team member who made the asset.")
    board: int | None = Field(None, ge=1, description="Only assets on this board of the team.")
    tag: Line | None = Field(None, max_length=40, description="Only assets with this tag (its exact name).")
    rating: int | None = Field(None, ge=1, le=5, description="At least this many stars.")
    dateFrom: date | None = Field(None, description="Made on or after this day (YYYY-MM-DD).")
    dateTo: date | None = Field(None, description="Made on or before this day (YYYY-MM-DD).")
    cursor: Line | None = Field(None, max_length=50, description="`nextCursor` of the previous page.")
    limit: int = Field(40, ge=1, le=100, description="Assets per page.")


class FileVariant(Schema):
    variant: FILE_VARIANTS = Field(
        "original", description="The original, or the grid's WebP tile (`thumb`) or large view (`preview`)."
    )


class AssetOut(Schema):
    id: int
    name: str = Field(..., description="The asset's title, as the library shows it.")
    kind: str
    source: str
    format: str
    width: int | None
    height: int | None
    bytes: int
    durationMs: int | None = Field(None, description="A video's length in milliseconds; null for images.")
    sha256: str
    rating: int = Field(..., description="0 (none) to 5 stars.")
    tags: list[str]
    model: str | None = Field(..., description="The model that made it; null for uploads and imports.")
    prompt: str
    parentId: int | None = Field(..., description="The asset this one was made from, when it was.")
    createdAt: datetime
    url: str = Field(..., description="The original file, for a request carrying a token of the same team.")
    thumbnailUrl: str = Field(..., description="A small WebP rendition for lists.")


class AssetDetailOut(AssetOut):
    provenance: dict = Field(..., description="How it was made: prompt, model, parameters, references, seed, cost…")
    boardIds: list[int] = Field(..., description="The team's boards it is on.")


class AssetUploaded(AssetOut):
    created: bool = Field(..., description="False when the team already had this image: the existing asset is shown.")
    notes: list[str] = Field(..., description="What was changed on the way in, e.g. metadata removed.")


class AssetPageOut(Schema):
    items: list[AssetOut]
    nextCursor: str | None = Field(..., description="Pass it as `cursor` for the next page; null on the last page.")
    total: int = Field(..., description="How many assets match, counted up to 1,000.")
    totalIsCapped: bool = Field(..., description="True when more than 1,000 match.")


class BoardIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Line = Field(..., min_length=1, max_length=BOARD_NAME_MAX_CHARS, description="A campaign, client, mood…")


class BoardAssetsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    assetIds: list[int] = Field(
        ..., min_length=1, max_length=500, description="Assets of this team to add after the board's last one."
    )


class BoardOut(Schema):
    id: int
    name: str
    assetCount: int
    coverAssetId: int | None = Field(..., description="The board's first asset.")
    createdAt: datetime
    updatedAt: datetime


class BoardDetailOut(BoardOut):
    assetIds: list[int] = Field(..., description="The board's assets in their order.")


class BoardAssetsAdded(BoardDetailOut):
    added: int = Field(..., description="How many of the assets were not on the board yet.")


ERRORS = {400: ErrorsOut, 401: ErrorsOut, 403: ErrorsOut, 404: ErrorsOut, 413: ErrorsOut, 422: ErrorsOut}
