"""Slides in the public API: a carousel from a brief, its outline and checks, a slide's text, backgrounds, exports."""

from typing import Literal

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from slides import selectors, services
from slides.models import DEFAULT_SLIDES, MAX_SLIDES, MIN_SLIDES, Layout, Preset
from studio.api.errors import ApiError
from studio.api.schemas import ERRORS, Line, Text, json_body, parsed_body
from studio.api.services import acting_user

router = Router(tags=["slides"])

LayoutName = Literal[tuple(Layout.values)]
PresetName = Literal[tuple(Preset.values)]


class BriefIn(Schema):
    model_config = {"extra": "forbid"}

    topic: Text = Field(..., min_length=1, max_length=300)
    audience: Line | None = Field(None, max_length=200)
    goal: Line | None = Field(None, max_length=200)
    tone: Line | None = Field(None, max_length=100)
    slideCount: int = Field(DEFAULT_SLIDES, ge=MIN_SLIDES, le=MAX_SLIDES)
    preset: PresetName = Field(Preset.INSTAGRAM, description="instagram 1080×1350, square, story 1080×1920, …")
    followBrandKit: bool = Field(False, description="Set the slides in the team's brand kit (fonts, colours, logo).")
    influencerId: int | None = Field(None, description="An influencer whose references go with person slides.")
    styleReferenceId: int | None = Field(None, description="A library image every background follows in style.")


class SlideIn(Schema):
    model_config = {"extra": "forbid"}

    headline: Line = Field(..., min_length=1, max_length=120)
    body: Text = Field("", max_length=400)
    layout: LayoutName | None = Field(None, description="Leave out to keep the slide's layout.")


class CheckOut(Schema):
    name: str
    ok: bool
    blocking: bool = Field(..., description="A failed blocking check stops the export.")
    message: str


class SlideOut(Schema):
    id: int
    position: int
    layout: LayoutName
    headline: str
    body: str
    backgroundPrompt: str
    backgroundState: Literal["none", "waiting", "pending", "failed", "done"]
    generationId: str | None
    backgroundAssetId: int | None
    imageUrl: str = Field(..., description="The slide as the studio set it, at the preset size (signed-in pages).")
    checks: list[CheckOut]


class CarouselOut(Schema):
    id: int
    topic: str
    audience: str
    goal: str
    tone: str
    preset: PresetName
    width: int
    height: int
    status: str
    outliner: str = Field(..., description="`offline` or the OpenAI text model that wrote the outline.")
    note: str
    slides: list[SlideOut]
    url: str


def _carousel_out(request, carousel, note=""):
    width, height = carousel.size
    slides = []
    for slide in selectors.slides_of(carousel):
        state, _line = selectors.background_state(slide)
        slides.append(
            {
                "id": slide.pk,
                "position": slide.position,
                "layout": slide.layout,
                "headline": slide.headline,
                "body": slide.body,
                "backgroundPrompt": slide.background_prompt,
                "backgroundState": state,
                "generationId": str(slide.background_job.uuid) if slide.background_job_id else None,
                "backgroundAssetId": slide.background_id,
                "imageUrl": request.build_absolute_uri(reverse("slides_slide_image", args=[slide.pk])),
                "checks": slide.checks,
            }
        )
    return {
        "id": carousel.pk,
        "topic": carousel.topic,
        "audience": carousel.audience,
        "goal": carousel.goal,
        "tone": carousel.tone,
        "preset": carousel.preset,
        "width": width,
        "height": height,
        "status": carousel.status,
        "outliner": carousel.outliner,
        "note": note,
        "slides": slides,
        "url": request.build_absolute_uri(reverse("slides_carousel", args=[carousel.pk])),
    }


def _refused(error, status=400):
    fields = {
        "__all__": None,
        "slide_count": "slideCount",
        "influencer": "influencerId",
        "style_reference": "styleReferenceId",
    }
    raise ApiError(status, [(fields.get(field, field), message) for field, message in error.errors.items()])


@router.post("/carousels", response={201: CarouselOut, **ERRORS}, summary="Create a carousel from a brief")
def carousel_create(request, payload: BriefIn):
    """The outline is written at once (OpenAI with the team's key, the offline outliner without one) and every
    slide is set on a neutral background; ask for backgrounds with `POST /carousels/{id}/backgrounds`."""
    user = acting_user(request.auth, "edit")
    brief = {
        "topic": payload.topic,
        "audience": payload.audience or "",
        "goal": payload.goal or "",
        "tone": payload.tone or "",
        "slide_count": payload.slideCount,
        "preset": payload.preset,
        "follow_brand": payload.followBrandKit,
        "influencer": payload.influencerId,
        "style_reference": payload.styleReferenceId,
    }
    try:
        carousel = services.carousel_create(team=request.team, user=user, brief_data=brief)
    except services.SlidesError as error:
        _refused(error)
    return Status(201, _carousel_out(request, carousel, carousel.note))


@router.get("/carousels/{int:carousel_id}", response={200: CarouselOut, **ERRORS}, summary="A carousel and slides")
def carousel_detail(request, carousel_id: int):
    """The outline in order, each slide's background state and its checks. Poll while backgrounds are pending."""
    carousel = selectors.carousel_get(request.team, carousel_id)
    services.slides_render_stale(carousel=carousel)
    for slide in selectors.slides_of(carousel):
        services.slide_background_sync(slide=slide)
    carousel.refresh_from_db()
    return _carousel_out(request, carousel)


@router.patch(
    "/slides/{int:slide_id}",
    response={200: CarouselOut, **ERRORS},
    summary="Edit a slide's text",
    openapi_extra=json_body(SlideIn),
)
def slide_edit(request, slide_id: int):
    """New headline, body or layout: the slide is set again over its background; no new image is made."""
    slide = selectors.slide_get(request.team, slide_id)
    payload = parsed_body(request, SlideIn)
    acting_user(request.auth, "edit")
    try:
        services.slide_update(
            slide=slide, layout=payload.layout or slide.layout, headline=payload.headline, body=payload.body
        )
    except services.SlidesError as error:
        _refused(error)
    return _carousel_out(request, slide.carousel)


@router.post(
    "/carousels/{int:carousel_id}/backgrounds",
    response={202: CarouselOut, 402: ERRORS[400], **ERRORS},
    summary="Make the slides' backgrounds",
)
def backgrounds_make(request, carousel_id: int):
    """One generation per slide with the team's active model, priced for the whole deck first (402 when the balance
    falls short, nothing held). Without a style reference slide 1 goes first and the rest follow in its style."""
    carousel = selectors.carousel_get(request.team, carousel_id)
    user = acting_user(request.auth, "generate")
    try:
        services.backgrounds_start(carousel=carousel, user=user)
    except services.SlidesError as error:
        _refused(error, 402 if "credit" in str(error).lower() else 400)
    return Status(202, _carousel_out(request, carousel))


@router.post(
    "/carousels/{int:carousel_id}/export/{kind}",
    response={200: None, 409: ERRORS[400], **ERRORS},
    summary="Export the carousel as a PDF or a zip of JPEGs",
    openapi_extra={
        "responses": {
            200: {
                "description": "application/pdf for `pdf`, application/zip of JPEGs for `images`.",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "application/zip": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def carousel_export(request, carousel_id: int, kind: Literal["pdf", "images"]):
    """Refused (409) while a slide fails a blocking check; each slide is also kept in the library."""
    carousel = selectors.carousel_get(request.team, carousel_id)
    user = acting_user(request.auth, "edit")
    try:
        if kind == "pdf":
            data, content_type = services.carousel_export_pdf(carousel=carousel, user=user), "application/pdf"
        else:
            data, content_type = services.carousel_export_images(carousel=carousel, user=user), "application/zip"
    except services.SlidesError as error:
        _refused(error, 409)
    return HttpResponse(data, content_type=content_type)
