"""Video in the public API: a sequence from a brief or from shots, its shot states, run, retry, cancel, and the
clips and stitched MP4 as files."""

from typing import Literal
from uuid import UUID

from django.db import transaction
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from studio.api.errors import ApiError
from studio.api.schemas import ERRORS, Line, Text, json_body, parsed_body
from studio.api.selectors import api_asset_file_response
from studio.api.services import acting_user
from studio.video import selectors, services
from studio.video.models import BRIEF_MAX, FRAME_PROMPT_MAX, MAX_SHOTS, Sequence, Shot

router = Router(tags=["video"])

AspectName = Literal["16:9", "9:16", "1:1"]
MP4 = {
    200: {
        "description": "The MP4 (H.264), streamed, or a redirect to a short-lived storage link.",
        "content": {"video/mp4": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class ShotIn(Schema):
    model_config = {"extra": "forbid"}

    framePrompt: Text = Field(..., min_length=1, max_length=FRAME_PROMPT_MAX, description="The still made first.")
    motionPrompt: Text = Field("", max_length=2500, description="The camera move; the model's own limit applies.")
    duration: int | None = Field(None, ge=1, le=60, description="Seconds; one of the video model's durations.")
    aspect: AspectName | None = None
    modelId: Line | None = Field(None, max_length=80, description="A video model id, e.g. `local:animator`.")
    mode: Line | None = Field(None, max_length=10, description="Kling: `std` or `pro`.")
    influencerId: int | None = Field(None, description="Make the frame a scene of this influencer.")


class ShotPatchIn(Schema):
    model_config = {"extra": "forbid"}

    framePrompt: Text | None = Field(None, min_length=1, max_length=FRAME_PROMPT_MAX)
    motionPrompt: Text | None = Field(None, max_length=2500)
    duration: int | None = Field(None, ge=1, le=60)
    aspect: AspectName | None = None
    modelId: Line | None = Field(None, max_length=80)
    mode: Line | None = Field(None, max_length=10)
    influencerId: int | None = Field(None, description="0 takes the influencer off the shot.")


class ShotMoveIn(Schema):
    model_config = {"extra": "forbid"}

    position: int = Field(..., ge=1, le=MAX_SHOTS, description="Where the shot goes (1 is first); the others shift.")


class SequenceIn(Schema):
    model_config = {"extra": "forbid"}

    brief: Text = Field(..., min_length=1, max_length=BRIEF_MAX)
    aspect: AspectName = "16:9"
    modelId: Line | None = Field(
        None, max_length=80, description="The video model for every shot (default: the team's)."
    )
    shots: list[ShotIn] | None = Field(
        None, max_length=MAX_SHOTS, description="Shots by hand; leave out to have the shot list written from the brief."
    )
    start: bool = Field(False, description="Start at once (the whole cost is held, or nothing is).")


class ShotOut(Schema):
    id: int
    position: int
    status: Literal[tuple(Shot.Status.values)]
    message: str
    framePrompt: str
    motionPrompt: str
    duration: int
    aspect: str
    modelId: str
    mode: str
    influencerId: int | None
    attempt: int
    providerTaskId: str
    externalId: str
    fitNote: str = Field(..., description="How the frame was fitted to the provider's limits, in words.")
    credits: int
    frameAssetId: int | None
    clipAssetId: int | None
    clipUrl: str | None = Field(..., description="The clip's MP4 once the shot is done.")


class CostOut(Schema):
    frames: int
    clips: int
    total: int
    balance: int


class SequenceOut(Schema):
    id: int
    uuid: UUID
    title: str
    brief: str
    aspect: str
    status: Literal[tuple(Sequence.Status.values)]
    message: str
    writer: str = Field(..., description="`offline`, `manual` or the OpenAI text model that wrote the shot list.")
    note: str
    cost: CostOut | None = Field(..., description="What running it costs, while it is a draft.")
    shots: list[ShotOut]
    stitchedAssetId: int | None
    stitchedUrl: str | None = Field(..., description="The stitched MP4 once every shot is done.")
    url: str


def _sequence_out(request, sequence, note=""):
    shots = selectors.shots_of(sequence)
    cost = services.shots_cost(team=sequence.team, shots=shots) if sequence.editable else None
    return {
        "id": sequence.pk,
        "uuid": sequence.uuid,
        "title": sequence.title,
        "brief": sequence.brief,
        "aspect": sequence.aspect,
        "status": sequence.status,
        "message": sequence.message,
        "writer": sequence.writer,
        "note": note,
        "cost": {"frames": cost.frames, "clips": cost.clips, "total": cost.total, "balance": cost.balance}
        if cost
        else None,
        "shots": [
            {
                "id": shot.pk,
                "position": shot.position,
                "status": shot.status,
                "message": selectors.shot_card(shot)["line"],
                "framePrompt": shot.frame_prompt,
                "motionPrompt": shot.motion_prompt,
                "duration": shot.duration,
                "aspect": shot.aspect,
                "modelId": shot.model_id,
                "mode": shot.mode,
                "influencerId": shot.influencer_id,
                "attempt": shot.attempt,
                "providerTaskId": shot.provider_task_id,
                "externalId": shot.external_id,
                "fitNote": shot.fit_note,
                "credits": shot.credits_estimated,
                "frameAssetId": shot.frame_asset_id,
                "clipAssetId": shot.clip_id,
                "clipUrl": request.build_absolute_uri(reverse("api:video_shot_clip", args=[sequence.pk, shot.pk]))
                if shot.clip_id
                else None,
            }
            for shot in shots
        ],
        "stitchedAssetId": sequence.stitched_id,
        "stitchedUrl": request.build_absolute_uri(reverse("api:video_sequence_file", args=[sequence.pk]))
        if sequence.stitched_id
        else None,
        "url": request.build_absolute_uri(reverse("video_sequence", args=[sequence.pk])),
    }


FIELDS = {"model_id": "modelId", "frame_prompt": "framePrompt", "motion_prompt": "motionPrompt"}
SHOT_FIELDS = {
    "framePrompt": "frame_prompt",
    "motionPrompt": "motion_prompt",
    "duration": "duration",
    "aspect": "aspect",
    "modelId": "model_id",
    "mode": "mode",
    "influencerId": "influencer_id",
}


def _shot_data(payload, *, sent_only=False):
    """An API shot (ShotIn, ShotPatchIn) as the services' shot dict; with `sent_only`, only the fields sent."""
    return {SHOT_FIELDS[key]: value for key, value in payload.model_dump(exclude_unset=sent_only).items()}


def _sequence_shot(request, sequence_id, shot_id):
    """The team's sequence and one of its shots; a shot of another sequence (or team) is a 404."""
    sequence = selectors.sequence_get(request.team, sequence_id)
    shot = selectors.shot_get(request.team, shot_id)
    if shot.sequence_id != sequence.pk:
        raise ApiError.one(404, None, "Not found.")
    return sequence, shot


def _refused(error):
    status = 402 if "credits" in error.errors else 400
    pairs = []
    for field, message in error.errors.items():
        if field == "__all__":
            field = None
        elif field.startswith("shots."):
            _, index, name = field.split(".", 2)
            field = f"shots[{index}].{FIELDS.get(name, name)}"
        elif field == "shots" and any(key.startswith("shots.") for key in error.errors):
            continue
        else:
            field = FIELDS.get(field, field)
        pairs.append((field, message))
    raise ApiError(status, pairs)


@router.post("/sequences", response={201: SequenceOut, 402: ERRORS[400], **ERRORS}, summary="Create a video sequence")
def sequence_create(request, payload: SequenceIn):
    """From a brief (the shot list written by OpenAI with the team's key, or the offline writer) or from `shots`.
    With `start`, every shot's frame and clip are queued at once; poll `GET /sequences/{id}` for shot states."""
    user = acting_user(request.auth, "generate" if payload.start else "edit")
    shots = None
    if payload.shots is not None:
        shots = [_shot_data(shot) for shot in payload.shots]
    try:
        sequence = services.sequence_create(
            team=request.team,
            user=user,
            brief=payload.brief,
            aspect=payload.aspect,
            model_id=payload.modelId,
            shots=shots,
        )
    except services.VideoError as error:
        _refused(error)
    note = getattr(sequence, "note", "")
    if payload.start:
        try:
            services.sequence_start(sequence=sequence, user=user)
        except services.VideoError as error:
            sequence.delete()  # refused whole: nothing saved, nothing held
            _refused(error)
        sequence.refresh_from_db()
    return Status(201, _sequence_out(request, sequence, note))


@router.get("/sequences/{int:sequence_id}", response={200: SequenceOut, **ERRORS}, summary="A sequence and its shots")
def sequence_detail(request, sequence_id: int):
    """Every shot's state (draft, framing, submitting, rendering, downloading, done, failed, cancelled, expired) with
    its message; the clips' and the stitched MP4's addresses once they exist."""
    return _sequence_out(request, selectors.sequence_get(request.team, sequence_id))


@router.post(
    "/sequences/{int:sequence_id}/start",
    response={202: SequenceOut, 402: ERRORS[400], **ERRORS},
    summary="Run a sequence",
)
def sequence_start(request, sequence_id: int):
    """Holds the whole cost (frames and clips) or nothing: 402 when the team is short."""
    sequence = selectors.sequence_get(request.team, sequence_id)
    user = acting_user(request.auth, "generate")
    try:
        services.sequence_start(sequence=sequence, user=user)
    except services.VideoError as error:
        _refused(error)
    sequence.refresh_from_db()
    return Status(202, _sequence_out(request, sequence))


def _shot_action(request, sequence_id, shot_id, action):
    sequence, shot = _sequence_shot(request, sequence_id, shot_id)
    user = acting_user(request.auth, "generate")
    try:
        action(shot=shot, user=user)
    except services.VideoError as error:
        status = 402 if "credits" in error.errors else 409
        raise ApiError(status, [(None, message) for message in error.errors.values()]) from None
    sequence.refresh_from_db()
    return Status(202, _sequence_out(request, sequence))


@router.post(
    "/sequences/{int:sequence_id}/shots/{int:shot_id}/retry",
    response={202: SequenceOut, 402: ERRORS[400], 409: ERRORS[400], **ERRORS},
    summary="Retry a shot",
)
def shot_retry(request, sequence_id: int, shot_id: int):
    """Another attempt for a shot that failed, was cancelled or expired (409 otherwise); its frame is kept."""
    return _shot_action(request, sequence_id, shot_id, services.shot_retry)


@router.post(
    "/sequences/{int:sequence_id}/shots/{int:shot_id}/cancel",
    response={202: SequenceOut, 409: ERRORS[400], **ERRORS},
    summary="Cancel a shot",
)
def shot_cancel(request, sequence_id: int, shot_id: int):
    """Stops a running shot (409 when it is not running); a task still queued at the provider is cancelled there."""
    return _shot_action(request, sequence_id, shot_id, services.shot_cancel)


@router.get(
    "/sequences/{int:sequence_id}/shots/{int:shot_id}/clip",
    response={200: None, 409: ERRORS[400], **ERRORS},
    url_name="video_shot_clip",
    summary="Download a shot's clip",
    openapi_extra={"responses": MP4},
)
def shot_clip(request, sequence_id: int, shot_id: int):
    _, shot = _sequence_shot(request, sequence_id, shot_id)
    if shot.clip_id is None:
        raise ApiError.one(409, None, f"Shot {shot.position} has no clip yet ({shot.get_status_display().lower()}).")
    return api_asset_file_response(team=request.team, asset_id=shot.clip_id)


@router.get(
    "/sequences/{int:sequence_id}/video",
    response={200: None, 409: ERRORS[400], **ERRORS},
    url_name="video_sequence_file",
    summary="Download the stitched sequence",
    openapi_extra={"responses": MP4},
)
def sequence_file(request, sequence_id: int):
    sequence = selectors.sequence_get(request.team, sequence_id)
    if sequence.stitched_id is None:
        raise ApiError.one(409, None, f"The sequence is not stitched yet ({sequence.get_status_display().lower()}).")
    return api_asset_file_response(team=request.team, asset_id=sequence.stitched_id)


# Editing a draft's shot list ---------------------------------------------------------------------------------------


def _shot_values(shot):
    return {
        "frame_prompt": shot.frame_prompt,
        "motion_prompt": shot.motion_prompt,
        "duration": shot.duration,
        "aspect": shot.aspect,
        "model_id": shot.model_id,
        "mode": shot.mode,
        "influencer_id": shot.influencer_id,
    }


def _edit_refused(error):
    """A shot list that can no longer change is a 409; a field at fault a 400 naming it."""
    if set(error.errors) == {"__all__"}:
        raise ApiError.one(409, None, error.errors["__all__"])
    _refused(error)


EDIT_ERRORS = {400: ERRORS[400], 409: ERRORS[400], **ERRORS}


@router.patch(
    "/sequences/{int:sequence_id}/shots/{int:shot_id}",
    response={200: SequenceOut, **EDIT_ERRORS},
    summary="Change a shot of a draft sequence",
    openapi_extra=json_body(ShotPatchIn),
)
def shot_patch(request, sequence_id: int, shot_id: int):
    """Only the fields sent change; the shot is checked whole against its video model, as the page does. 409 once
    the sequence has started."""
    sequence, shot = _sequence_shot(request, sequence_id, shot_id)
    payload = parsed_body(request, ShotPatchIn)
    acting_user(request.auth, "edit")
    try:
        services.shot_update(shot=shot, data={**_shot_values(shot), **_shot_data(payload, sent_only=True)})
    except services.VideoError as error:
        _edit_refused(error)
    return _sequence_out(request, sequence)


@router.post(
    "/sequences/{int:sequence_id}/shots",
    response={201: SequenceOut, **EDIT_ERRORS},
    summary="Add a shot to a draft sequence",
    openapi_extra=json_body(ShotIn),
)
def shot_create(request, sequence_id: int):
    """Added last. Refused whole (nothing added) when a field is at fault, the list is full or the sequence has
    started."""
    sequence = selectors.sequence_get(request.team, sequence_id)
    payload = parsed_body(request, ShotIn)
    acting_user(request.auth, "edit")
    try:
        with transaction.atomic():
            shot = services.shot_add(sequence=sequence)
            values = {**_shot_values(shot), "aspect": sequence.aspect, **_shot_data(payload, sent_only=True)}
            services.shot_update(shot=shot, data=values)
    except services.VideoError as error:
        _edit_refused(error)
    return Status(201, _sequence_out(request, sequence))


@router.delete(
    "/sequences/{int:sequence_id}/shots/{int:shot_id}",
    response={200: SequenceOut, **EDIT_ERRORS},
    summary="Delete a shot of a draft sequence",
)
def shot_remove(request, sequence_id: int, shot_id: int):
    sequence, shot = _sequence_shot(request, sequence_id, shot_id)
    acting_user(request.auth, "edit")
    try:
        services.shot_delete(shot=shot)
    except services.VideoError as error:
        _edit_refused(error)
    return _sequence_out(request, sequence)


@router.post(
    "/sequences/{int:sequence_id}/shots/{int:shot_id}/move",
    response={200: SequenceOut, **EDIT_ERRORS},
    summary="Move a shot of a draft sequence",
    openapi_extra=json_body(ShotMoveIn),
)
def shot_reorder(request, sequence_id: int, shot_id: int):
    sequence, shot = _sequence_shot(request, sequence_id, shot_id)
    payload = parsed_body(request, ShotMoveIn)
    acting_user(request.auth, "edit")
    count = sequence.shots.count()
    if payload.position > count:
        raise ApiError.one(400, "position", f"The sequence has {count} shots: give a position from 1 to {count}.")
    try:
        with transaction.atomic():
            step = 1 if payload.position > shot.position else -1
            for _ in range(abs(payload.position - shot.position)):
                shot = services.shot_move(shot=shot, offset=step)
    except services.VideoError as error:
        _edit_refused(error)
    return _sequence_out(request, sequence)
