"""Influencers in the public API: create one from library assets, read it, start a scene series, read the scores."""

from typing import Literal

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from influencers import selectors, services
from influencers.models import MAX_AUTO_RERUNS, TRAIT_FIELDS, Role
from library.models import STILLS, Asset
from studio.api.errors import ApiError
from studio.api.schemas import ERRORS, Line, Text, json_body, parsed_body
from studio.api.services import acting_user
from studio.engines.capabilities import image_models
from studio.generation.selectors import allowed_model_ids
from studio.teams.scoping import scoped

router = Router(tags=["influencers"])

RoleName = Literal[tuple(Role.values)]
Verdict = Literal["same", "drifted", "no_face", "no_identity"]


class ReferenceIn(Schema):
    assetId: int = Field(..., description="An image of the team's library.")
    role: RoleName = Field(..., description="Exactly one reference is the `anchor`: Image 1 of every scene.")


class Traits(Schema):
    hair: Line | None = Field(None, max_length=300)
    eyes: Line | None = Field(None, max_length=300)
    skin: Line | None = Field(None, max_length=300)
    build: Line | None = Field(None, max_length=300)
    wardrobe: Line | None = Field(None, max_length=300)
    props: Line | None = Field(None, max_length=300)


class InfluencerIn(Schema):
    model_config = {"extra": "forbid"}

    name: Line = Field(..., min_length=1, max_length=80)
    references: list[ReferenceIn] = Field(..., min_length=1, max_length=services.MAX_REFERENCES_PER_VERSION)
    traits: Traits | None = None
    nevers: list[Line] = Field(default_factory=list, max_length=services.MAX_NEVERS)
    description: Text | None = Field(None, max_length=2000)
    consentNotes: Text | None = Field(None, max_length=4000)
    usageNotes: Text | None = Field(None, max_length=4000)
    defaultModel: str | None = Field(
        None, description="A model id the team may use; the team's active model if left out."
    )


class ReferenceOut(Schema):
    position: int
    role: RoleName
    assetId: int | None = Field(..., description="Null when the library asset was deleted; the version keeps a copy.")
    faces: int | None = Field(..., description="Faces found by the drift check; null until it has run.")
    warning: str


class VersionOut(Schema):
    id: int
    number: int
    traits: dict[str, str]
    nevers: list[str]
    references: list[ReferenceOut]


class InfluencerOut(Schema):
    id: int
    name: str
    description: str
    consentNotes: str
    usageNotes: str
    defaultModel: str
    version: VersionOut
    url: str


class SeriesIn(Schema):
    model_config = {"extra": "forbid"}

    scenes: list[Text] = Field(..., min_length=1, max_length=services.MAX_SCENES_PER_SERIES)
    title: Line | None = Field(None, max_length=120)
    model: str | None = Field(None, description="The influencer's default model if left out.")
    aspectRatio: Literal["1:1", "4:5", "9:16", "16:9", "4:3", "3:4", "2:3", "3:2"] = "1:1"
    tier: Literal["1K", "2K", "4K"] = "1K"
    quality: Literal["auto", "low", "medium", "high"] = "auto"
    autoRerunMax: int = Field(0, ge=0, le=MAX_AUTO_RERUNS, description="Re-run a drifted scene up to this often.")


class OutputOut(Schema):
    assetId: int
    url: str
    verdict: Verdict | None = Field(..., description="Null until the output has been scored.")
    similarity: int | None = Field(..., description="0–100; null when no face was found.")
    distance: float | None
    threshold: float | None


class SceneOut(Schema):
    id: int
    position: int
    brief: str
    attempt: int
    generationId: str | None
    status: str | None
    creditsReserved: int
    outputs: list[OutputOut]


class SeriesOut(Schema):
    id: int
    title: str
    influencerId: int
    version: int
    model: str
    scenes: list[SceneOut]
    url: str


def _influencer_out(request, influencer):
    version = influencer.current_version
    return {
        "id": influencer.pk,
        "name": influencer.name,
        "description": influencer.description,
        "consentNotes": influencer.consent_notes,
        "usageNotes": influencer.usage_notes,
        "defaultModel": influencer.default_model_id,
        "version": {
            "id": version.pk,
            "number": version.number,
            "traits": version.traits,
            "nevers": version.nevers,
            "references": [
                {
                    "position": ref.position,
                    "role": ref.role,
                    "assetId": ref.asset_id,
                    "faces": ref.face_count,
                    "warning": ref.warning,
                }
                for ref in selectors.version_references(version)
            ],
        },
        "url": request.build_absolute_uri(reverse("influencer_detail", args=[influencer.pk])),
    }


def _series_out(request, series):
    scenes = []
    for frame in selectors.storyboard(series):
        outputs = [
            {
                "assetId": asset.pk,
                "url": request.build_absolute_uri(reverse("api:asset_file", kwargs={"asset_id": asset.pk})),
                "verdict": score.verdict if score else None,
                "similarity": score.similarity if score else None,
                "distance": score.distance if score else None,
                "threshold": score.threshold if score else None,
            }
            for asset, score in frame.outputs
        ]
        scenes.append(
            {
                "id": frame.scene.pk,
                "position": frame.scene.position,
                "brief": frame.scene.brief,
                "attempt": frame.run.attempt if frame.run else 0,
                "generationId": str(frame.job.uuid) if frame.job else None,
                "status": frame.job.status if frame.job else None,
                "creditsReserved": frame.job.credits_estimated if frame.job else 0,
                "outputs": outputs,
            }
        )
    return {
        "id": series.pk,
        "title": series.title,
        "influencerId": series.influencer_id,
        "version": series.version.number,
        "model": series.model_id,
        "scenes": scenes,
        "url": request.build_absolute_uri(reverse("influencer_series", args=[series.pk])),
    }


def _refused(error, status=400):
    fields = {"__all__": None, "briefs": "scenes", "references": "references", "nevers": "nevers"}
    raise ApiError(status, [(fields.get(field, field), message) for field, message in error.errors.items()])


@router.post("/influencers", response={201: InfluencerOut, **ERRORS}, summary="Create an influencer from assets")
def influencer_create(request, payload: InfluencerIn):
    """Version 1 from images already in the library (upload them with `POST /assets` first), each with a role.

    Identity images with no face or several faces are accepted: each reference's `warning` says so."""
    user = acting_user(request.auth, "edit")
    team = request.team
    ids = [item.assetId for item in payload.references]
    found = scoped(Asset, team).filter(STILLS).in_bulk(ids)
    missing = [index for index, pk in enumerate(ids) if pk not in found]
    if missing:
        raise ApiError(
            404, [(f"references.{index}.assetId", "No image with this id in the library.") for index in missing]
        )
    model_id = payload.defaultModel or ""
    if model_id and (model_id not in image_models() or model_id not in allowed_model_ids(team)):
        raise ApiError.one(400, "defaultModel", "Choose one of the models the team may use.")
    traits = payload.traits.model_dump() if payload.traits else {}
    try:
        influencer = services.influencer_create(
            team=team,
            user=user,
            name=payload.name,
            references=[(found[item.assetId], item.role) for item in payload.references],
            traits={key: traits.get(key) or "" for key, _label in TRAIT_FIELDS},
            nevers=payload.nevers,
            details={
                "description": payload.description or "",
                "consent_notes": payload.consentNotes or "",
                "usage_notes": payload.usageNotes or "",
                "default_model_id": model_id,
            },
        )
    except services.InfluencerError as error:
        _refused(error)
    services.version_embed(version=influencer.current_version)
    return Status(201, _influencer_out(request, influencer))


@router.get(
    "/influencers/{int:influencer_id}", response={200: InfluencerOut, **ERRORS}, summary="An influencer's identity"
)
def influencer_detail(request, influencer_id: int):
    """The current version: its references with roles and face-check warnings, traits and nevers."""
    influencer = selectors.influencer_or_404(request.team, influencer_id)
    return _influencer_out(request, influencer)


@router.post(
    "/influencers/{int:influencer_id}/series",
    response={202: SeriesOut, 402: ERRORS[400], **ERRORS},
    summary="Start a scene series",
    openapi_extra=json_body(SeriesIn),
)
def series_create(request, influencer_id: int, response: HttpResponse):
    """One generation per scene with the influencer's current version, each an edit of the identity anchor.

    The whole series is refused (nothing queued, no credit held) when any scene cannot be paid for or run."""
    influencer = selectors.influencer_or_404(request.team, influencer_id)  # another team's: 404 whatever the body
    payload = parsed_body(request, SeriesIn)
    user = acting_user(request.auth, "generate")
    model_id = payload.model or selectors.model_for(request.team, influencer)
    if model_id not in image_models() or model_id not in allowed_model_ids(request.team):
        raise ApiError.one(403, "model", "This model is not enabled for the team; an admin can enable it.")
    try:
        series = services.series_create(
            team=request.team,
            user=user,
            influencer=influencer,
            title=payload.title or "",
            briefs=payload.scenes,
            model_id=model_id,
            params={
                "aspect": payload.aspectRatio,
                "tier": payload.tier,
                "quality": payload.quality,
                "partial_images": 0,
            },
            auto_rerun_max=payload.autoRerunMax,
        )
    except services.InfluencerError as error:
        _refused(error, 402 if "credit" in str(error).lower() else 400)
    shown = _series_out(request, series)
    response["Location"] = shown["url"]
    return Status(202, shown)


@router.get(
    "/influencers/series/{int:series_id}", response={200: SeriesOut, **ERRORS}, summary="A series and its scores"
)
def series_detail(request, series_id: int):
    """Each scene's newest attempt: its generation, outputs and their drift scores. Poll until every output has a
    `verdict`."""
    return _series_out(request, selectors.series_or_404(request.team, series_id))
