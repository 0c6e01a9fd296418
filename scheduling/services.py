"""Writes about posts: drafts from library assets, a slides carousel or a video sequence, per-channel variants,
approval (submit, approve, return), rescheduling, cancelling, and the team's schedule settings and iCal secret.

Every step is audited. A post a platform would refuse is refused here, with the platform's words beside the channel,
so nothing is caught only at publish time.
"""

import datetime
import secrets
import uuid
import zoneinfo
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from library.models import Asset
from scheduling import selectors
from scheduling.models import Channel, Post, PostMedia, PostTarget, ScheduleSettings
from studio.core.services import audit_record
from studio.teams.models import Membership, Role
from studio.teams.scoping import scoped

CAPTION_MAX = 10_000
HASHTAGS_MAX = 500
FIRST_COMMENT_MAX = 2_200
ALT_TEXT_MAX = 1_000
MEDIA_MAX = 20
QUEUE_SLOTS_MAX = 42
EDITABLE = (Post.Status.DRAFT, Post.Status.RETURNED, Post.Status.IN_REVIEW, Post.Status.SCHEDULED)
MOVABLE = EDITABLE
CANCELLABLE = EDITABLE
# A post page in these states watches the post over its websocket: the worker is about to publish or publishing.
LIVE_PAGE = (Post.Status.SCHEDULED, Post.Status.PUBLISHING)
NOT_FOUND = "Not found in this team: "


class PostError(Exception):
    """A refusal: {field: message}; "__all__" for the whole post, "channel-<id>" for one channel's problems."""

    def __init__(self, errors):
        self.errors = errors if isinstance(errors, dict) else {"__all__": str(errors)}
        # An id that is not the team's (asset, carousel, sequence, channel): pages and the API answer 404.
        self.not_found = any(str(message).startswith(NOT_FOUND) for message in self.errors.values())
        super().__init__("; ".join(str(message) for message in self.errors.values()))


@dataclass
class PostInput:
    """What the composer (or the API) hands in; ids are looked up inside the team here."""

    caption: str = ""
    hashtags: str = ""
    first_comment: str = ""
    asset_ids: list = field(default_factory=list)  # in order
    alt_texts: dict = field(default_factory=dict)  # asset id -> alt text
    carousel_id: int | None = None
    sequence_id: int | None = None
    channel_ids: list = field(default_factory=list)
    variants: dict = field(default_factory=dict)  # channel id -> caption variant ("" = the post's caption)
    options: dict = field(default_factory=dict)  # channel id -> {"privacy_level": …}
    publish_at: datetime.datetime | None = None  # aware; None with next_free_slot=False leaves a draft undated
    next_free_slot: bool = False


# Settings --------------------------------------------------------------------------------------------------------


def schedule_settings_for(*, team):
    """The team's schedule settings, made with UTC and no queue the first time they are asked for."""
    settings_row, _ = ScheduleSettings.objects.get_or_create(team=team)
    return settings_row


def parse_queue_slots(text):
    """Queue slots from lines like "Mon 09:30" (or several: "Mon Wed Fri 09:30"); raises PostError on a bad line."""
    slots, days = [], {name: index for index, name in enumerate(selectors.WEEKDAYS_SHORT)}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        words = raw.replace(",", " ").split()
        if not words:
            continue
        *names, clock = words
        try:
            at = datetime.datetime.strptime(clock, "%H:%M").time()
        except ValueError:
            raise PostError({"queue_slots": f"Line {number}: “{raw.strip()}” needs a time as HH:MM, e.g. Mon 09:30."})
        chosen = set()
        for name in names or ["daily"]:
            key = name[:3].title()
            if name.lower() in {"daily", "every", "everyday"}:
                chosen.update(range(7))
            elif name.lower() in {"weekdays", "workdays"}:
                chosen.update(range(5))
            elif key in days:
                chosen.add(days[key])
            else:
                raise PostError({"queue_slots": f"Line {number}: “{name}” is not a day; use Mon … Sun or daily."})
        slots += [{"weekday": day, "time": at.strftime("%H:%M")} for day in sorted(chosen)]
    unique = sorted({(slot["weekday"], slot["time"]) for slot in slots})
    if len(unique) > QUEUE_SLOTS_MAX:
        raise PostError({"queue_slots": f"At most {QUEUE_SLOTS_MAX} slots a week; this has {len(unique)}."})
    return [{"weekday": day, "time": clock} for day, clock in unique]


@transaction.atomic
def schedule_settings_update(*, team, user, timezone_name, queue_slots):
    try:
        zoneinfo.ZoneInfo(timezone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise PostError({"timezone": f"“{timezone_name}” is not a time zone; pick one like Europe/Berlin."})
    settings_row = schedule_settings_for(team=team)
    settings_row.timezone, settings_row.queue_slots = timezone_name, queue_slots
    settings_row.save(update_fields=["timezone", "queue_slots"])
    audit_record(
        team=team,
        actor=user,
        action="schedule.settings_changed",
        summary=f"Schedule set to {timezone_name} with {len(queue_slots)} queue slot"
        + ("s" if len(queue_slots) != 1 else ""),
        detail={"timezone": timezone_name, "queue_slots": queue_slots},
    )
    return settings_row


@transaction.atomic
def ical_token_rotate(*, team, user):
    """A new secret for the iCal feed; the old address stops answering at once."""
    settings_row = schedule_settings_for(team=team)
    settings_row.ical_token = secrets.token_urlsafe()
    settings_row.save(update_fields=["ical_token"])
    audit_record(team=team, actor=user, action="schedule.ical_rotated", summary="Calendar feed address replaced")
    return settings_row


# Composing -------------------------------------------------------------------------------------------------------


def _media_for(team, data, errors):
    """The post's assets in order: a carousel's slides, a sequence's stitched video, or the picked assets."""
    if data.carousel_id:
        from slides.models import Carousel

        carousel = scoped(Carousel, team).filter(pk=data.carousel_id).first()
        if carousel is None:
            errors["carousel"] = NOT_FOUND + f"carousel #{data.carousel_id}."
            return None, []
        slides = list(carousel.slides.select_related("exported_asset").order_by("position"))
        assets = [slide.exported_asset for slide in slides if slide.exported_asset_id]
        if not assets or len(assets) < len(slides):
            errors["carousel"] = (
                f"“{carousel.topic[:60]}” has slides not yet in the library; export its images on the slides page "
                "first."
            )
        return carousel, assets
    if data.sequence_id:
        sequence = selectors.sequence_get(team, data.sequence_id)
        if sequence is None:
            errors["sequence"] = NOT_FOUND + f"video sequence #{data.sequence_id}."
            return None, []
        if sequence.stitched_id is None:
            errors["sequence"] = f"“{sequence.title}” has no stitched video yet; finish it on the video page first."
            return None, []
        return None, [sequence.stitched]
    ids = [int(asset_id) for asset_id in data.asset_ids]
    if len(ids) != len(set(ids)):
        errors["assets"] = "The same asset is picked twice; pick each once."
        return None, []
    if len(ids) > MEDIA_MAX:
        errors["assets"] = f"At most {MEDIA_MAX} assets in one post."
        return None, []
    found = scoped(Asset, team).in_bulk(ids)
    missing = [asset_id for asset_id in ids if asset_id not in found]
    if missing:
        errors["assets"] = NOT_FOUND + ", ".join(f"asset #{asset_id}" for asset_id in missing) + "."
        return None, []
    return None, [found[asset_id] for asset_id in ids]


def _channels_for(team, data, errors):
    ids = [int(channel_id) for channel_id in data.channel_ids]
    found = scoped(Channel, team).in_bulk(ids)
    if missing := [channel_id for channel_id in ids if channel_id not in found]:
        errors["channels"] = NOT_FOUND + ", ".join(f"channel #{channel_id}" for channel_id in missing) + "."
        return []
    channels = [found[channel_id] for channel_id in dict.fromkeys(ids)]
    for channel in channels:
        if channel.status != Channel.Status.CONNECTED:
            errors[f"channel-{channel.pk}"] = (
                f"{channel} is {channel.get_status_display().lower()}: an admin reconnects it on the channels page."
            )
    return channels


def _publish_time(team, data, errors, now):
    if data.next_free_slot:
        slot = selectors.next_free_slot(team, after=now)
        if slot is None:
            errors["publish_at"] = "The queue has no slots; set them under Schedule settings or pick a time."
        return slot
    if data.publish_at is not None and data.publish_at <= now + datetime.timedelta(seconds=30):
        errors["publish_at"] = "That time has passed; pick a time in the future."
    return data.publish_at


def _check(team, data, *, now=None):
    """Everything the composer refuses, as {field: message}; and what it found, for the save."""
    errors = {}
    now = now or timezone.now()
    caption, hashtags, comment = data.caption.strip(), data.hashtags.strip(), data.first_comment.strip()
    if len(caption) > CAPTION_MAX:
        errors["caption"] = f"At most {CAPTION_MAX:,} characters; this has {len(caption):,}."
    if len(hashtags) > HASHTAGS_MAX:
        errors["hashtags"] = f"At most {HASHTAGS_MAX} characters of hashtags."
    if len(comment) > FIRST_COMMENT_MAX:
        errors["first_comment"] = f"At most {FIRST_COMMENT_MAX:,} characters; this has {len(comment):,}."
    carousel, assets = _media_for(team, data, errors)
    for asset_id, text in data.alt_texts.items():
        if len(text or "") > ALT_TEXT_MAX:
            errors["assets"] = f"Alt text is at most {ALT_TEXT_MAX} characters (asset #{asset_id})."
    channels = _channels_for(team, data, errors)
    publish_at = _publish_time(team, data, errors, now)
    variants = {int(key): (value or "").strip() for key, value in data.variants.items()}
    has_text = caption or any(variants.get(channel.pk) for channel in channels)
    if not has_text and not assets and "assets" not in errors and "carousel" not in errors:
        errors["__all__"] = "An empty post cannot be saved: write a caption or pick at least one asset."
    options = {}
    media = selectors.publish_media(assets, data.alt_texts)
    for channel in channels:
        chosen = dict(data.options.get(channel.pk) or data.options.get(str(channel.pk)) or {})
        if channel.platform == "linkedin" and carousel is not None and carousel.is_pdf:
            # The deck goes to LinkedIn as its PDF document (slides' export), titled with its topic.
            chosen.update(document_title=carousel.topic[:200], carousel_pdf=carousel.pk)
        chosen = {key: value for key, value in chosen.items() if value not in (None, "")}
        options[channel.pk] = chosen
        text = selectors.compose_text(caption, hashtags, variants.get(channel.pk))
        problems = selectors.channel_problems(
            channel, text=text, media=media, first_comment=comment, options=selectors.check_options(channel, chosen)
        )
        if problems and f"channel-{channel.pk}" not in errors:
            errors[f"channel-{channel.pk}"] = " ".join(problems)
    return errors, {
        "caption": caption,
        "hashtags": hashtags,
        "first_comment": comment,
        "carousel": carousel,
        "assets": assets,
        "channels": channels,
        "variants": variants,
        "options": options,
        "publish_at": publish_at,
    }


def _write(post, found, alt_texts):
    post.caption, post.hashtags, post.first_comment = found["caption"], found["hashtags"], found["first_comment"]
    post.carousel, post.publish_at = found["carousel"], found["publish_at"]
    post.save()
    PostMedia.objects.filter(post=post).delete()
    PostMedia.objects.bulk_create(
        PostMedia(
            post=post,
            asset=asset,
            asset_name=asset.name[:200],
            position=position,
            alt_text=(alt_texts.get(asset.pk) or alt_texts.get(str(asset.pk)) or "").strip(),
        )
        for position, asset in enumerate(found["assets"], start=1)
    )
    keep = {channel.pk for channel in found["channels"]}
    post.targets.exclude(channel_id__in=keep).filter(attempts__isnull=True).delete()
    existing = {target.channel_id: target for target in post.targets.all()}
    for channel in found["channels"]:
        target = existing.get(channel.pk) or PostTarget(post=post, channel=channel, external_id=_external_id())
        target.text = found["variants"].get(channel.pk, "")
        target.options = found["options"].get(channel.pk, {})
        target.status, target.message, target.next_attempt_at = PostTarget.Status.PENDING, "", None
        target.save()


def _external_id():
    return f"pf-{uuid.uuid4().hex}"


@transaction.atomic
def post_create(*, team, user, data: PostInput):
    """A new draft; refused whole (nothing saved) with the reasons by field."""
    errors, found = _check(team, data)
    if errors:
        raise PostError(errors)
    post = Post(team=team, created_by=user, status=Post.Status.DRAFT)
    _write(post, found, data.alt_texts)
    audit_record(
        team=team,
        actor=user,
        action="post.created",
        summary=f"Post drafted: {selectors.post_label(post)}",
        detail={"post_id": post.pk, "channels": [channel.pk for channel in found["channels"]]},
    )
    return post


@transaction.atomic
def post_update(*, post, user, data: PostInput):
    """Edit a post not yet publishing. An approved post goes back to review: what was approved is not what goes."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status not in EDITABLE:
        raise PostError(f"This post is {post.get_status_display().lower()} and can no longer be edited.")
    errors, found = _check(post.team, data)
    if errors:
        raise PostError(errors)
    was = post.status
    if was == Post.Status.SCHEDULED:
        post.status = Post.Status.IN_REVIEW
        post.approved_by, post.approved_at = None, None
        post.submitted_by, post.submitted_at = user, timezone.now()
    _write(post, found, data.alt_texts)
    summary = f"Post edited: {selectors.post_label(post)}"
    if was == Post.Status.SCHEDULED:
        summary += " (it was approved, so it went back to review)"
    audit_record(team=post.team, actor=user, action="post.updated", summary=summary, detail={"post_id": post.pk})
    return post


def _ready_errors(post):
    """Why a saved post cannot go for approval or be approved now, as {field: message}."""
    errors = {}
    targets = list(post.targets.select_related("channel"))
    if not targets:
        errors["channels"] = "Pick at least one channel to publish to."
    if post.publish_at is None:
        errors["publish_at"] = "Pick a time, or take the queue's next free slot."
    elif post.publish_at <= timezone.now():
        errors["publish_at"] = "That time has passed; pick a time in the future."
    missing = [media.asset_name for media in post.media.all() if media.asset_id is None]
    if missing:
        errors["assets"] = "Deleted from the library since: " + ", ".join(missing) + ". Remove it or pick another."
    data = selectors.post_input(post)
    data.publish_at = post.publish_at if post.publish_at and post.publish_at > timezone.now() else None
    check_errors, _ = _check(post.team, data)
    for key, message in check_errors.items():
        errors.setdefault(key, message)
    return errors


@transaction.atomic
def post_submit(*, post, user):
    """A member asks for approval; the time, channels and rules are checked again now."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status not in (Post.Status.DRAFT, Post.Status.RETURNED):
        raise PostError(f"This post is {post.get_status_display().lower()}; only drafts go for approval.")
    if errors := _ready_errors(post):
        raise PostError(errors)
    post.status, post.submitted_by, post.submitted_at = Post.Status.IN_REVIEW, user, timezone.now()
    post.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    audit_record(
        team=post.team,
        actor=user,
        action="post.submitted",
        summary=f"Post sent for approval: {selectors.post_label(post)}",
        detail={"post_id": post.pk},
    )
    return post


def approval_refusal(post, user):
    """Why `user` may not approve `post` now, or None. Nobody approves their own post."""
    membership = Membership.objects.filter(team=post.team, user=user).first()
    if membership is None or not membership.has_role(Role.ADMIN):
        return "Only admins approve posts."
    if user.pk in {post.created_by_id, post.submitted_by_id}:
        return "Nobody approves their own post: another admin has to approve this one."
    if post.status != Post.Status.IN_REVIEW:
        return f"This post is {post.get_status_display().lower()}, not waiting for approval."
    return None


@transaction.atomic
def post_approve(*, post, user):
    """IN_REVIEW → SCHEDULED and every target PENDING: the dispatcher takes it at publish_at."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if refusal := approval_refusal(post, user):
        raise PostError(refusal)
    if errors := _ready_errors(post):
        raise PostError(errors)
    post.status, post.approved_by, post.approved_at = Post.Status.SCHEDULED, user, timezone.now()
    post.review_comment = ""
    post.save(update_fields=["status", "approved_by", "approved_at", "review_comment", "updated_at"])
    post.targets.update(status=PostTarget.Status.PENDING, message="", next_attempt_at=None)
    audit_record(
        team=post.team,
        actor=user,
        action="post.approved",
        summary=f"Post approved for {selectors.local_time_label(post.team, post.publish_at)}: "
        f"{selectors.post_label(post)}",
        detail={"post_id": post.pk},
    )
    return post


@transaction.atomic
def post_return(*, post, user, comment):
    """An admin sends the post back to its author with what to change."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    comment = (comment or "").strip()
    membership = Membership.objects.filter(team=post.team, user=user).first()
    if membership is None or not membership.has_role(Role.ADMIN):
        raise PostError("Only admins return posts.")
    if post.status != Post.Status.IN_REVIEW:
        raise PostError(f"This post is {post.get_status_display().lower()}, not waiting for approval.")
    if not comment:
        raise PostError({"comment": "Say what to change, so the author knows what to do."})
    if len(comment) > 2000:
        raise PostError({"comment": "At most 2,000 characters."})
    post.status, post.review_comment = Post.Status.RETURNED, comment
    post.save(update_fields=["status", "review_comment", "updated_at"])
    audit_record(
        team=post.team,
        actor=user,
        action="post.returned",
        summary=f"Post returned with a comment: {selectors.post_label(post)}",
        detail={"post_id": post.pk, "comment": comment},
    )
    return post


@transaction.atomic
def post_reschedule(*, post, user, publish_at):
    """A new time (drag in the calendar, or the Move to… form); an approved post stays approved.

    Conditional on the status, so a post the dispatcher has claimed meanwhile is not moved behind its back.
    """
    if publish_at is None:
        raise PostError({"publish_at": "Pick a date and time."})
    if publish_at <= timezone.now() + datetime.timedelta(seconds=30):
        raise PostError({"publish_at": "That time has passed; pick a time in the future."})
    moved = Post.objects.filter(pk=post.pk, status__in=MOVABLE).exclude(
        targets__status__in=[PostTarget.Status.PUBLISHING, PostTarget.Status.UNCONFIRMED, PostTarget.Status.PUBLISHED]
    )
    if not moved.update(publish_at=publish_at, updated_at=timezone.now()):
        post.refresh_from_db()
        raise PostError(f"This post is {post.get_status_display().lower()} and can no longer be moved.")
    before = post.publish_at
    post.refresh_from_db()
    audit_record(
        team=post.team,
        actor=user,
        action="post.rescheduled",
        summary=f"Post moved to {selectors.local_time_label(post.team, publish_at)}: {selectors.post_label(post)}",
        detail={"post_id": post.pk, "from": before.isoformat() if before else None, "to": publish_at.isoformat()},
    )
    return post


@transaction.atomic
def post_cancel(*, post, user):
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status not in CANCELLABLE:
        raise PostError(f"This post is {post.get_status_display().lower()} and cannot be cancelled.")
    post.status = Post.Status.CANCELLED
    post.save(update_fields=["status", "updated_at"])
    post.targets.filter(status__in=[PostTarget.Status.PENDING, PostTarget.Status.DEFERRED]).update(
        status=PostTarget.Status.CANCELLED, message="Cancelled before it was published."
    )
    audit_record(
        team=post.team,
        actor=user,
        action="post.cancelled",
        summary=f"Post cancelled: {selectors.post_label(post)}",
        detail={"post_id": post.pk},
    )
    return post


def preview(*, team, data: PostInput):
    """The composer's live check: the refusals it would meet and what will be converted, nothing saved."""
    errors, found = _check(team, data)
    return errors, found
