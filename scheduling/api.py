"""Scheduling in the public API: create posts, send them for approval, approve or return them, move or cancel them,
and read each channel's state — the same services and checks as the composer and the post page."""

import datetime
from typing import Literal

from django.urls import reverse
from ninja import Field, Router, Schema, Status

from scheduling import comments, dispatch, selectors, services
from scheduling.models import Post, PostTarget
from studio.api.errors import ApiError
from studio.api.schemas import ERRORS, Line, Text, json_body, parsed_body
from studio.api.services import acting_user

router = Router(tags=["scheduling"])

PostStatus = Literal[tuple(Post.Status.values)]
TargetStatus = Literal[tuple(PostTarget.Status.values)]
FIELDS = {
    "__all__": None,
    "first_comment": "firstComment",
    "assets": "assetIds",
    "carousel": "carouselId",
    "sequence": "sequenceId",
    "publish_at": "publishAt",
}


class ChannelChoiceIn(Schema):
    model_config = {"extra": "forbid"}

    channelId: int = Field(..., description="A connected channel of the team (`GET /channels`).")
    text: Text = Field(
        "",
        max_length=20_000,
        description="This channel's own text, sent as written; empty sends the caption and hashtags.",
    )
    privacyLevel: Line | None = Field(
        None, max_length=40, description="TikTok only: one of the channel's `privacyLevelOptions`."
    )


class AltTextIn(Schema):
    model_config = {"extra": "forbid"}

    assetId: int
    altText: Text = Field("", max_length=1000)


class PostIn(Schema):
    model_config = {"extra": "forbid"}

    caption: Text = Field("", max_length=10_000)
    hashtags: Line = Field("", max_length=500, description="Added after the caption (not to a channel's own text).")
    firstComment: Text = Field("", max_length=2_200)
    assetIds: list[int] = Field(default_factory=list, max_length=20, description="Library assets, in order.")
    altTexts: list[AltTextIn] = Field(default_factory=list, max_length=20)
    carouselId: int | None = Field(None, description="A slides carousel: its exported slides, in order.")
    sequenceId: int | None = Field(None, description="A video sequence: its stitched video.")
    channels: list[ChannelChoiceIn] = Field(default_factory=list, max_length=20)
    publishAt: datetime.datetime | None = Field(
        None, description="When to publish; without an offset it is read in the team's time zone."
    )
    nextFreeSlot: bool = Field(False, description="Take the queue's next free slot instead of `publishAt`.")
    submit: bool = Field(False, description="Send it for approval at once (a draft otherwise).")


class ScheduleIn(Schema):
    model_config = {"extra": "forbid"}

    publishAt: datetime.datetime = Field(..., description="The new time; without an offset, the team's time zone.")


class ReturnIn(Schema):
    model_config = {"extra": "forbid"}

    comment: Text = Field(..., min_length=1, max_length=2000, description="What the author should change.")


class ResolveIn(Schema):
    model_config = {"extra": "forbid"}

    found: bool = Field(
        ...,
        description="true: the post is on the platform (marked published, nothing is sent); false: it is not there "
        "(sent once more at the next dispatch).",
    )
    link: str = Field(
        "",
        max_length=500,
        description="With found: the post's address on the platform, kept on the channel; where it names the post "
        "(X, LinkedIn, TikTok) the first comment goes under it. 400 when it is not a post's address there.",
    )


class CommentResolveIn(Schema):
    model_config = {"extra": "forbid"}

    found: bool = Field(
        ...,
        description="true: the first comment is under the post (marked posted, nothing is sent); false: it is not "
        "there (posted once more).",
    )


class TargetOut(Schema):
    id: int
    channelId: int
    platform: str
    channelName: str
    status: TargetStatus
    statusLabel: str
    message: str = Field(..., description="Why it failed, is blocked, deferred or unconfirmed, in words.")
    text: str = Field(..., description="What this channel receives as text (its caption and the hashtags).")
    options: dict
    remoteUrl: str
    publishedAt: datetime.datetime | None
    nextAttemptAt: datetime.datetime | None
    firstComment: Literal[tuple(PostTarget.Comment.values)] = Field(
        ...,
        description="The post's first comment on this channel: '' (none here), waiting, posting, posted, unconfirmed "
        "or failed.",
    )
    firstCommentMessage: str
    needsCheckByHand: bool = Field(
        ...,
        description="Unconfirmed, and every read-API check is spent: an admin looks on the platform and answers "
        "`POST /posts/{id}/targets/{target_id}/resolve`.",
    )
    needsCommentCheckByHand: bool = Field(
        ...,
        description="The first comment is unconfirmed and Postframe can no longer ask the platform (its checks are "
        "spent, or the platform cannot be asked): an admin looks under the post and answers "
        "`POST /posts/{id}/targets/{target_id}/comment-resolve`.",
    )


class MediaOut(Schema):
    position: int
    assetId: int | None = Field(..., description="null when the asset was deleted from the library since.")
    name: str
    altText: str


class PostOut(Schema):
    id: int
    status: PostStatus
    statusLabel: str
    summary: str = Field(..., description='Every channel\'s outcome in a sentence: "Published on LinkedIn and X; …".')
    caption: str
    hashtags: str
    firstComment: str
    publishAt: datetime.datetime | None
    timezone: str
    carouselId: int | None
    media: list[MediaOut]
    targets: list[TargetOut]
    createdBy: str | None
    submittedBy: str | None
    approvedBy: str | None
    reviewComment: str
    url: str


class ChannelOut(Schema):
    id: int
    platform: str
    name: str
    status: str
    statusMessage: str
    expiresAt: datetime.datetime | None
    privacyLevelOptions: list[str] | None = Field(None, description="TikTok: the privacy levels a post may use.")


def _post_out(request, post):
    post = selectors.post_get(post.team, post.pk)
    return {
        "id": post.pk,
        "status": post.status,
        "statusLabel": post.get_status_display(),
        "summary": selectors.delivery_summary(post),
        "caption": post.caption,
        "hashtags": post.hashtags,
        "firstComment": post.first_comment,
        "publishAt": post.publish_at,
        "timezone": selectors.settings_of(post.team).timezone,
        "carouselId": post.carousel_id,
        "media": [
            {"position": m.position, "assetId": m.asset_id, "name": m.asset_name, "altText": m.alt_text}
            for m in post.media.all()
        ],
        "targets": [
            {
                "id": t.pk,
                "channelId": t.channel_id,
                "platform": t.channel.platform,
                "channelName": t.channel.name,
                "status": t.status,
                "statusLabel": t.get_status_display(),
                "message": t.message,
                "text": selectors.target_text(t),
                "options": t.options,
                "remoteUrl": t.remote_url,
                "publishedAt": t.published_at,
                "nextAttemptAt": t.next_attempt_at,
                "firstComment": t.comment_status,
                "firstCommentMessage": t.comment_message,
                "needsCheckByHand": dispatch.checks_exhausted(t),
                "needsCommentCheckByHand": comments.comment_checks_exhausted(t),
            }
            for t in post.targets.all()
        ],
        "createdBy": post.created_by.email if post.created_by else None,
        "submittedBy": post.submitted_by.email if post.submitted_by else None,
        "approvedBy": post.approved_by.email if post.approved_by else None,
        "reviewComment": post.review_comment,
        "url": request.build_absolute_uri(reverse("schedule_post", args=[post.pk])),
    }


def _refused(error, status=400):
    if error.not_found:
        status = 404
    errors = []
    for field, message in error.errors.items():
        if field.startswith("channel-"):
            errors.append(("channels", f"Channel {field.removeprefix('channel-')}: {message}"))
        else:
            errors.append((FIELDS.get(field, field), message))
    raise ApiError(status, errors)


def _acted(request, post_id, permission, action):
    """A post of the team, `action(post=, user=)` by the token's user with `permission`; a refusal is a 409."""
    post = selectors.post_get(request.team, post_id)
    user = acting_user(request.auth, permission)
    try:
        post = action(post=post, user=user)
    except services.PostError as error:
        _refused(error, 409)
    return _post_out(request, post)


def _moment(team, value):
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=selectors.team_zone(team))


def _input(team, payload):
    return services.PostInput(
        caption=payload.caption,
        hashtags=payload.hashtags,
        first_comment=payload.firstComment,
        asset_ids=payload.assetIds,
        alt_texts={item.assetId: item.altText for item in payload.altTexts},
        carousel_id=payload.carouselId,
        sequence_id=payload.sequenceId,
        channel_ids=[choice.channelId for choice in payload.channels],
        variants={choice.channelId: choice.text for choice in payload.channels},
        options={
            choice.channelId: {"privacy_level": choice.privacyLevel}
            for choice in payload.channels
            if choice.privacyLevel
        },
        publish_at=_moment(team, payload.publishAt),
        next_free_slot=payload.nextFreeSlot,
    )


@router.get("/channels", response={200: list[ChannelOut], **ERRORS}, summary="The team's connected channels")
def channel_list(request):
    """Each channel's id (for `channels[].channelId`), platform, status and, for TikTok, its privacy levels."""
    return [
        {
            "id": c.pk,
            "platform": c.platform,
            "name": c.name,
            "status": c.status,
            "statusMessage": c.status_message,
            "expiresAt": c.expires_at,
            "privacyLevelOptions": selectors.privacy_levels(c) if c.platform == "tiktok" else None,
        }
        for c in selectors.channels_for(request.team)
    ]


@router.post("/posts", response={201: PostOut, **ERRORS}, summary="Create a post")
def post_create(request, payload: PostIn):
    """A draft from library assets, a carousel or a sequence, with a caption per channel; every platform's rules are
    checked now (a post a platform would refuse answers 400 naming the channel). `submit: true` also sends it for
    approval; an admin approves it with `POST /posts/{id}/approve`."""
    user = acting_user(request.auth, "draft_posts")
    try:
        post = services.post_create(team=request.team, user=user, data=_input(request.team, payload))
        if payload.submit:
            post = services.post_submit(post=post, user=user)
    except services.PostError as error:
        _refused(error)
    return Status(201, _post_out(request, post))


@router.get("/posts", response={200: list[PostOut], **ERRORS}, summary="The team's posts")
def post_list(
    request,
    status: PostStatus | None = None,
    publishFrom: datetime.datetime | None = None,
    publishTo: datetime.datetime | None = None,
):
    """Newest publish time last, at most 200; filter by `status` and a publish window."""
    posts = selectors.posts_of(request.team).order_by("publish_at", "id")
    if status:
        posts = posts.filter(status=status)
    if publishFrom:
        posts = posts.filter(publish_at__gte=_moment(request.team, publishFrom))
    if publishTo:
        posts = posts.filter(publish_at__lt=_moment(request.team, publishTo))
    return [_post_out(request, post) for post in posts[:200]]


@router.get("/posts/{int:post_id}", response={200: PostOut, **ERRORS}, summary="A post and each channel's state")
def post_detail(request, post_id: int):
    """Poll it after the publish time: each target says published (with its URL), failed, blocked, deferred (until
    `nextAttemptAt`) or unconfirmed (Postframe checks with the platform before anything else)."""
    return _post_out(request, selectors.post_get(request.team, post_id))


@router.post(
    "/posts/{int:post_id}/submit",
    response={200: PostOut, 409: ERRORS[400], **ERRORS},
    summary="Send a post for approval",
)
def post_submit(request, post_id: int):
    return _acted(request, post_id, "draft_posts", services.post_submit)


@router.post(
    "/posts/{int:post_id}/approve",
    response={200: PostOut, 409: ERRORS[400], **ERRORS},
    summary="Approve a post (admins)",
)
def post_approve(request, post_id: int):
    """The post becomes scheduled and each channel waits for its time. Nobody approves their own post: a token acts
    as the admin who made it, so that admin's own posts need another admin's token."""
    return _acted(request, post_id, "approve_posts", services.post_approve)


@router.post(
    "/posts/{int:post_id}/return",
    response={200: PostOut, 409: ERRORS[400], **ERRORS},
    summary="Return a post with a comment (admins)",
    openapi_extra=json_body(ReturnIn),
)
def post_return(request, post_id: int):
    post = selectors.post_get(request.team, post_id)
    payload = parsed_body(request, ReturnIn)
    user = acting_user(request.auth, "approve_posts")
    try:
        post = services.post_return(post=post, user=user, comment=payload.comment)
    except services.PostError as error:
        _refused(error, 409)
    return _post_out(request, post)


@router.post(
    "/posts/{int:post_id}/schedule",
    response={200: PostOut, 409: ERRORS[400], **ERRORS},
    summary="Move a post to another time",
    openapi_extra=json_body(ScheduleIn),
)
def post_schedule(request, post_id: int):
    """A new publish time in the future; an approved post stays approved. Refused once a channel is publishing."""
    post = selectors.post_get(request.team, post_id)
    payload = parsed_body(request, ScheduleIn)
    user = acting_user(request.auth, "draft_posts")
    try:
        post = services.post_reschedule(post=post, user=user, publish_at=_moment(request.team, payload.publishAt))
    except services.PostError as error:
        _refused(error, 400 if "publish_at" in error.errors else 409)
    return _post_out(request, post)


@router.post(
    "/posts/{int:post_id}/cancel", response={200: PostOut, 409: ERRORS[400], **ERRORS}, summary="Cancel a post"
)
def post_cancel(request, post_id: int):
    return _acted(request, post_id, "draft_posts", services.post_cancel)


def _post_target(request, post_id, target_id):
    """A post of the team and one of its channels, or 404."""
    post = selectors.post_get(request.team, post_id)
    target = post.targets.filter(pk=target_id).first()
    if target is None:
        raise ApiError.one(404, "target_id", "Not found in this post.")
    return post, target


@router.post(
    "/posts/{int:post_id}/targets/{int:target_id}/resolve",
    response={200: PostOut, 409: ERRORS[400], **ERRORS},
    summary="Say whether an unconfirmed post is on the platform (admins)",
    openapi_extra=json_body(ResolveIn),
)
def post_target_resolve(request, post_id: int, target_id: int):
    """Only once Postframe has spent its read-API checks (`needsCheckByHand`); before that, and for a channel that
    is not unconfirmed, 409 says why."""
    post, target = _post_target(request, post_id, target_id)
    payload = parsed_body(request, ResolveIn)
    user = acting_user(request.auth, "approve_posts")
    try:
        dispatch.target_resolve(target=target, user=user, found=payload.found, link=payload.link)
    except dispatch.ResolveRefused as error:
        raise ApiError.one(400 if error.field == "link" else 409, error.field, str(error)) from None
    return _post_out(request, post)


@router.post(
    "/posts/{int:post_id}/targets/{int:target_id}/comment-resolve",
    response={200: PostOut, 409: ERRORS[400], **ERRORS},
    summary="Say whether an unconfirmed first comment is under the post (admins)",
    openapi_extra=json_body(CommentResolveIn),
)
def post_target_comment_resolve(request, post_id: int, target_id: int):
    """Only once Postframe can no longer ask the platform about the first comment (`needsCommentCheckByHand`);
    before that, and for a first comment that is not unconfirmed, 409 says why."""
    post, target = _post_target(request, post_id, target_id)
    payload = parsed_body(request, CommentResolveIn)
    user = acting_user(request.auth, "approve_posts")
    try:
        comments.comment_resolve(target=target, user=user, found=payload.found)
    except comments.CommentRefused as error:
        raise ApiError.one(409, "found", str(error)) from None
    return _post_out(request, post)
