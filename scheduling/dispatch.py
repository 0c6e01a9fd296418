"""The dispatcher: every post reaches each of its channels exactly once, or says honestly why not.

1. `dispatch_due` (beat, every few seconds) leases due targets in batches with SELECT … FOR UPDATE SKIP LOCKED (a
   lease is next_attempt_at moved a little ahead, so the next tick does not hand them out again) and, after the
   commit, enqueues `scheduling.publish` tasks of SCHEDULING_PUBLISH_BATCH targets each (on the "scheduling" queue)
   so the work spreads over the workers.
2. The task takes its targets one after the other. `target_publish` claims one in one transaction — a conditional
   UPDATE (PENDING → PUBLISHING, only if nobody touched it since it was read) and a PublishAttempt (STARTED) — and
   commits THEN calls the platform. A duplicate or redelivered task finds nothing to claim. What came back is written
   in a second transaction. A worker killed halfway through a batch leaves its unclaimed targets leased: the
   dispatcher hands them out again when the lease runs out; the one whose call was cut is confirmed (3.).
3. An answer lost (timeout, 5xx after the call, a duplicate refusal, a worker killed mid-call) makes the target
   UNCONFIRMED; `target_confirm` asks the platform's read API: found → PUBLISHED, surely absent → PENDING (the next
   tick sends it again), unknown → stays UNCONFIRMED, telling people to check before reposting. Nothing that may have
   reached a platform is sent again blindly. The one exception is the webhook channel, whose confirm delivers again
   with the same delivery id: receivers de-duplicate by it, so that repeat cannot post twice.

publish_at lives in the database, never in a Celery countdown or ETA: a lost message costs a lease, not a post.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from scheduling import channels as channel_services
from scheduling import comments
from scheduling.media_links import media_bytes, media_link
from scheduling.models import Channel, Platform, Post, PostMedia, PostTarget, PublishAttempt, ScheduleSettings
from scheduling.post_links import NotAPostLink, post_link_read
from scheduling.publishers.base import PublishError, PublishMedia, PublishRequest
from scheduling.publishers.registry import publisher_for
from scheduling.push import post_changed, post_changed_on_commit
from scheduling.selectors import target_text
from studio.core.services import audit_record
from studio.teams.scoping import scoped

logger = logging.getLogger(__name__)

S = PostTarget.Status
O = PublishAttempt.Outcome  # noqa: E741
LIVE_POSTS = (Post.Status.SCHEDULED, Post.Status.PUBLISHING)
ENDED = {S.PUBLISHED, S.FAILED, S.BLOCKED, S.CANCELLED}
# Platforms whose API takes the file itself: the publisher gets the bytes instead of fetching our signed URL.
UPLOADS = {Platform.LINKEDIN, Platform.X}
MIME = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif", "mp4": "video/mp4"}
WORKER_LOST = "The worker stopped during the call; Postframe checks the platform before doing anything else."


class RetryRefused(Exception):
    """Why a Retry is not safe for this target, in words for the page."""


class ResolveRefused(Exception):
    """Why a person cannot settle this target by hand (yet), in words for the page; `field` is "link" when the
    address they gave is what is wrong."""

    def __init__(self, message, *, field="found"):
        super().__init__(message)
        self.field = field


def _now():
    return timezone.now()


def _label(platform):
    return Platform(platform).label


def _skip_locked(queryset):
    """Row locks where the database has them (PostgreSQL); SQLite's IMMEDIATE transactions serialise writers."""
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


# 1. The beat's tick --------------------------------------------------------------------------------------------------


def due_targets(now):
    """Targets whose post is approved and due, waiting (and not leased) or deferred until a time now past."""
    return PostTarget.objects.filter(post__status__in=LIVE_POSTS, post__publish_at__lte=now).filter(
        Q(status=S.PENDING, next_attempt_at__isnull=True)
        | Q(status__in=[S.PENDING, S.DEFERRED], next_attempt_at__lte=now)
    )


def publish_batches(target_ids):
    """The targets in tasks of SCHEDULING_PUBLISH_BATCH ids each."""
    size = max(1, settings.SCHEDULING_PUBLISH_BATCH)
    target_ids = list(target_ids)
    return [target_ids[start : start + size] for start in range(0, len(target_ids), size)]


def _enqueue_publish(target_ids):
    from scheduling.tasks import target_publish_task

    with target_publish_task.app.producer_or_acquire() as producer:
        for batch in publish_batches(target_ids):
            target_publish_task.apply_async(args=[batch], producer=producer)


def _enqueue_confirm(target_ids):
    from scheduling.tasks import target_confirm_task

    with target_confirm_task.app.producer_or_acquire() as producer:
        for target_id in target_ids:
            target_confirm_task.apply_async(args=[target_id], producer=producer)


def _lease_batch(now, size):
    with transaction.atomic():
        ids = list(
            _skip_locked(due_targets(now).order_by("post__publish_at", "id")).values_list("id", flat=True)[:size]
        )
        if not ids:
            return []
        lease = now + timedelta(seconds=settings.SCHEDULING_DISPATCH_LEASE_SECONDS)
        # A deferred target is waiting again; the lease keeps the next ticks from handing it out twice.
        PostTarget.objects.filter(pk__in=ids).update(status=S.PENDING, next_attempt_at=lease)
        Post.objects.filter(targets__in=ids, status=Post.Status.SCHEDULED).update(status=Post.Status.PUBLISHING)
        transaction.on_commit(lambda: _enqueue_publish(ids))
    return ids


def dispatch_due(*, now=None, batch=None):
    """One tick: lease what is due, batch by batch, up to SCHEDULING_DISPATCH_MAX_QUEUED handed out and not yet
    claimed, and enqueue a publish task for each; stale attempts become unconfirmed. Returns how many were handed."""
    now = now or _now()
    batch = batch or settings.SCHEDULING_DISPATCH_BATCH
    waiting = PostTarget.objects.filter(status=S.PENDING, next_attempt_at__gt=now).count()
    room = max(0, settings.SCHEDULING_DISPATCH_MAX_QUEUED - waiting)
    handed = 0
    while room > 0:
        ids = _lease_batch(now, min(batch, room))
        handed += len(ids)
        room -= len(ids)
        if not ids or len(ids) < batch:
            break
    attempts_stale(now=now)
    return handed


# 2. One target, once -----------------------------------------------------------------------------------------------


def _blocked(target, media, now):
    """Why the target cannot go now (before any call), or ""; refreshes a token about to expire first."""
    missing = [item.asset_name for item in media if item.asset_id is None]
    if missing:
        return f"The image '{missing[0]}' was deleted; add another or remove it."
    deck = target.options.get("carousel_pdf")
    if deck and (problem := _document_problem(target.post, deck)) is not None:
        return problem
    channel = target.channel
    if channel.status == Channel.Status.CONNECTED and channel.expires_at is not None:
        usable = channel_services.channel_usable(channel=channel, now=now)  # may refresh: outside any transaction
        if usable is None:
            channel.refresh_from_db(fields=["status", "status_message"])
        else:
            target.channel = channel = usable
    if channel.status != Channel.Status.CONNECTED:
        reason = channel.status_message or f"The channel is {channel.get_status_display().lower()}."
        return f"{channel} cannot publish: {reason} An admin can reconnect it in Channels, then Retry."
    return ""


def _carousel(post, carousel_id):
    from slides.models import Carousel

    return scoped(Carousel, post.team).filter(pk=carousel_id).first()


def _document_problem(post, carousel_id):
    """Why a carousel cannot go to LinkedIn as its PDF document now (deleted, or a slide fails its checks), or None."""
    from slides.services import export_blockers

    carousel = _carousel(post, carousel_id)
    if carousel is None:
        return "The slides carousel of this post was deleted; pick another or images, then Retry."
    if blockers := export_blockers(carousel):
        first = next(iter(blockers))
        return f"Slide {first} of '{carousel.topic}' needs a fix before it can go out as a PDF: {blockers[first][0]}"
    return None


def _carousel_document(post, carousel_id):
    """The deck as LinkedIn's document post takes it: the PDF with real, selectable text, made from it as it is now."""
    from slides.services import carousel_export_pdf

    carousel = _carousel(post, carousel_id)
    data = carousel_export_pdf(carousel=carousel, user=post.created_by)
    return PublishMedia(
        url="", kind="pdf", mime="application/pdf", size=len(data), data=data, pages=carousel.slides.count()
    )


def _claimable(target_ids, now):
    """{id: target} of those still waiting and due, as the claim needs them, in one query: post, channel, the last
    attempt's number and whether the post has media. (The teams load when a refusal or a refresh needs them.)"""
    last = PublishAttempt.objects.filter(target_id=OuterRef("pk")).order_by("-number").values("number")[:1]
    targets = (
        PostTarget.objects.select_related("post", "channel")
        .annotate(last_number=Subquery(last), has_media=Exists(PostMedia.objects.filter(post_id=OuterRef("post_id"))))
        .filter(pk__in=target_ids, status=S.PENDING, post__status__in=LIVE_POSTS, post__publish_at__lte=now)
    )
    return {target.pk: target for target in targets}


def _media_of(targets):
    """{post id: [PostMedia with asset]} for the targets whose post has media; no query when none has."""
    post_ids = {target.post_id for target in targets if target.has_media}
    media = {}
    if post_ids:
        for item in PostMedia.objects.filter(post_id__in=post_ids).select_related("asset").order_by("position"):
            media.setdefault(item.post_id, []).append(item)
    return media


def _claim(target, now):
    """PENDING → PUBLISHING with a STARTED attempt, committed before any call; None when there is nothing to claim.

    `target` comes from `_claimable`. The claim is one conditional UPDATE: still waiting, its post still live and
    due, its channel still connected, and neither the target nor the channel touched since they were read
    (updated_at; every claim, every outcome, a refresh or a disconnect moves it), so the attempt number and the
    tokens read with it are still current. A concurrent claim of the same row waits for the first one's commit and
    then finds it no longer waiting. Returns the attempt, its .target the one passed in."""
    stamp = _now()
    with transaction.atomic():
        claimed = PostTarget.objects.filter(
            pk=target.pk,
            status=S.PENDING,
            updated_at=target.updated_at,
            post__status__in=LIVE_POSTS,
            post__publish_at__lte=now,
            channel__status=Channel.Status.CONNECTED,
            channel__updated_at=target.channel.updated_at,
        ).update(status=S.PUBLISHING, next_attempt_at=None, updated_at=stamp)
        if not claimed:
            return None
        attempt = PublishAttempt.objects.create(target=target, number=(target.last_number or 0) + 1)
        if target.post.status == Post.Status.SCHEDULED:
            Post.objects.filter(pk=target.post_id, status=Post.Status.SCHEDULED).update(status=Post.Status.PUBLISHING)
            target.post.status = Post.Status.PUBLISHING
    target.status, target.next_attempt_at, target.updated_at = S.PUBLISHING, None, stamp
    attempt.target = target
    post_changed(target.post)
    return attempt


def publish_request(target, attempt, *, publisher, media=None):
    """What the platform is sent: the channel's text, media at signed URLs (bytes for uploads, JPEG where needed),
    and what earlier attempts left on the platform so a resumed publish does not start over."""
    post, platform = target.post, target.channel.platform
    formats = publisher.rules.image_formats
    items = media if media is not None else post.media.select_related("asset").all()
    media = []
    if platform == Platform.LINKEDIN and (deck := target.options.get("carousel_pdf")):
        items = []  # the deck goes as one document, not as its slide images
        media.append(_carousel_document(post, deck))
    for item in items:
        asset = item.asset
        # A format the platform refuses goes as a JPEG copy (every platform here takes JPEG).
        as_jpeg = asset.kind == "image" and asset.format not in formats and "jpeg" in formats
        mime = "image/jpeg" if as_jpeg else MIME.get(asset.format, "application/pdf" if asset.kind == "pdf" else "")
        media.append(
            PublishMedia(
                url=media_link(asset=asset, jpeg=as_jpeg),
                kind=asset.kind,
                mime=mime,
                width=asset.width or 0,
                height=asset.height or 0,
                size=asset.bytes or 0,
                duration_ms=asset.duration_ms or 0,
                alt_text=item.alt_text,
                data=media_bytes(asset=asset, jpeg=as_jpeg) if platform in UPLOADS else None,
            )
        )
    caption = target_text(target)  # the composer's rule: the channel's variant, else caption and hashtags
    options = {**target.options, "attempted_at": attempt.started_at.isoformat()}
    previous = None
    if attempt.number > 1:
        previous = target.attempts.filter(number__lt=attempt.number).order_by("-number").first()
    if previous is not None and previous.outcome == O.DEFERRED:
        options.update(previous.partial)  # e.g. Instagram's container still processing: resume, not a second one
    options.update(attempt.partial)

    def progress(partial):
        # Saved at once (autocommit), so a worker killed next still leaves what the platform holds on record.
        PublishAttempt.objects.filter(pk=attempt.pk).update(partial={**attempt.partial, **partial})
        attempt.partial = {**attempt.partial, **partial}

    return PublishRequest(
        external_id=target.external_id,
        text=caption,
        media=tuple(media),
        first_comment=post.first_comment,
        options=options,
        on_progress=progress,
    )


def _local_time(team, moment):
    import zoneinfo

    zone_name = ScheduleSettings.objects.filter(team=team).values_list("timezone", flat=True).first() or "UTC"
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local, today = moment.astimezone(zone), _now().astimezone(zone).date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%a %d %b, %H:%M}"


def _finish(attempt, *, outcome, status, message="", partial=None, **fields):
    """Write what came back, once: only while the attempt is unresolved (a late real answer beats the sweep's
    guess). Returns False when someone else already settled it."""
    now = _now()
    with transaction.atomic():
        done = PublishAttempt.objects.filter(pk=attempt.pk, outcome__in=[O.STARTED, O.UNCONFIRMED]).update(
            outcome=outcome,
            message=message[:1000],
            finished_at=now,
            partial={**attempt.partial, **(partial or {})},
        )
        if not done:
            return False
        PostTarget.objects.filter(pk=attempt.target_id, status__in=[S.PUBLISHING, S.UNCONFIRMED]).update(
            status=status, message=message[:1000], updated_at=now, **fields
        )
        if status == S.PUBLISHED:
            comments.comment_queue(attempt.target, remote_id=fields.get("remote_id", ""))
        if status in ENDED:  # only then can the post be done
            post_settle(post_id=attempt.target.post_id)
        if status == S.UNCONFIRMED:
            transaction.on_commit(lambda: _enqueue_confirm([attempt.target_id]))
        post_changed_on_commit(attempt.target.post)
    return True


# Deferrals that mean "the platform is still processing the media" (Instagram containers, X and LinkedIn media),
# not a limit.
STILL_PROCESSING = {"container_in_progress", "media_processing"}


def _record_error(target, attempt, error: PublishError):
    label = _label(target.channel.platform)
    if error.kind == "user":
        return _finish(attempt, outcome=O.REFUSED, status=S.FAILED, message=error.message, partial=error.partial)
    if error.kind == "rate":
        until = error.retry_at or _now() + timedelta(seconds=settings.SCHEDULING_OUTAGE_RETRY_SECONDS)
        when = _local_time(target.post.team, until)
        if error.code in STILL_PROCESSING:
            message = f"{label} is still processing the media; trying again at {when}."
        else:
            message = f"{label}'s publishing limit is reached; trying again at {when}."
        return _finish(
            attempt, outcome=O.DEFERRED, status=S.DEFERRED, message=message, partial=error.partial,
            next_attempt_at=until,
        )  # fmt: skip
    if error.kind == "auth":
        status = Channel.Status.EXPIRED if error.code in ("expired", "no_refresh_token") else Channel.Status.REVOKED
        channel_services.channel_mark_unusable(channel=target.channel, status=status, message=error.message)
        message = f"{error.message} Reconnect {target.channel} in Channels, then Retry."
        return _finish(attempt, outcome=O.REFUSED, status=S.BLOCKED, message=message, partial=error.partial)
    if error.kind == "outage":
        # Nothing reached the platform: trying again later is safe, a few times.
        if attempt.number < settings.SCHEDULING_MAX_ATTEMPTS:
            until = _now() + timedelta(seconds=settings.SCHEDULING_OUTAGE_RETRY_SECONDS * attempt.number)
            message = f"{error.message} Next try at {_local_time(target.post.team, until)}."
            return _finish(
                attempt, outcome=O.DEFERRED, status=S.DEFERRED, message=message, partial=error.partial,
                next_attempt_at=until,
            )  # fmt: skip
        message = f"{error.message} Gave up after {attempt.number} tries; Retry when {label} is back."
        return _finish(attempt, outcome=O.REFUSED, status=S.FAILED, message=message, partial=error.partial)
    # "duplicate" and "unconfirmed": it may be out there; the read API decides.
    return _finish(attempt, outcome=O.UNCONFIRMED, status=S.UNCONFIRMED, message=error.message, partial=error.partial)


UNCLAIMED = object()  # the claim found the target or its channel changed since it was read


def targets_publish(*, target_ids, now=None):
    """The task's work: its targets read in one query, then published one after the other, each claimed (and its
    attempt committed) just before its own call. One changed since the read is read afresh and tried once more; one
    that fails unexpectedly is logged and left to its lease, and the others still go. Returns how many it claimed."""
    now = now or _now()
    targets = _claimable(target_ids, now)
    media = _media_of(targets.values())
    done = 0
    for target_id in target_ids:
        if target_id not in targets:
            continue  # claimed by another task meanwhile, cancelled, or no longer due
        try:
            target = targets[target_id]
            channel = target.channel
            if channel.expires_at is not None or channel.status != Channel.Status.CONNECTED:
                # Decided on what the channel is now: a token another worker refreshed meanwhile, or a channel
                # reconnected since the read, is never judged from the batch's copy. (A connected channel without
                # an expiry needs no look: the claim checks it is unchanged.)
                channel.refresh_from_db()
            attempt = _publish(target, media.get(target.post_id, []), now)
            if attempt is UNCLAIMED:
                attempt = target_publish(target_id=target_id, now=now)
            done += attempt is not None
        except Exception:
            logger.exception("post target %s: publishing failed; it is handed out again after its lease", target_id)
    return done


def target_publish(*, target_id, now=None):
    """Claim the target, call the platform once, record what came back. Safe to run twice."""
    now = now or _now()
    target = _claimable([target_id], now).get(target_id)
    if target is None:
        return None
    attempt = _publish(target, _media_of([target]).get(target.post_id, []), now)
    if attempt is UNCLAIMED:
        logger.info("post target %s: nothing to claim", target_id)
        return None
    return attempt


def _publish(target, media, now):
    """One target: blocked before any call, or claimed, called once and recorded; UNCLAIMED when the claim lost."""
    target_id = target.pk
    if reason := _blocked(target, media, now):
        with transaction.atomic():
            blocked = PostTarget.objects.filter(pk=target.pk, status=S.PENDING).update(
                status=S.BLOCKED, message=reason, next_attempt_at=None, updated_at=_now()
            )
            if blocked:
                post_settle(post_id=target.post_id)
                post_changed_on_commit(target.post)
        return None
    attempt = _claim(target, now)
    if attempt is None:
        return UNCLAIMED
    publisher = publisher_for(target.channel.platform)
    try:
        request = publish_request(target, attempt, publisher=publisher, media=media)
    except Exception as error:  # nothing was sent: a file missing from storage, say
        logger.exception("post target %s: could not prepare the request", target_id)
        _finish(attempt, outcome=O.REFUSED, status=S.FAILED, message=f"Postframe could not prepare the post: {error}")
        return attempt
    try:
        result = publisher.publish(channel_services.channel_credentials(target.channel), request)
    except PublishError as error:
        _record_error(target, attempt, error)
    except Exception:
        # Unknown whether the call went out: never guess, confirm.
        logger.exception("post target %s: the publisher failed unexpectedly", target_id)
        message = f"{_label(target.channel.platform)} gave no usable answer; Postframe checks before anything else."
        _finish(attempt, outcome=O.UNCONFIRMED, status=S.UNCONFIRMED, message=message)
    else:
        url = result.url
        if target.channel.platform == Platform.BUNDLE:  # nothing remote: the team downloads the post as a zip
            url = reverse("scheduling_bundle", args=[target.pk])
        _finish(
            attempt, outcome=O.PUBLISHED, status=S.PUBLISHED, partial={"result": _plain(result.raw)},
            remote_id=result.remote_id[:200], remote_url=url[:500], published_at=_now(),
        )  # fmt: skip
    return attempt


def _plain(raw):
    import json

    try:
        return json.loads(json.dumps(raw, default=str))
    except (TypeError, ValueError):
        return {}


# 3. Confirming what may have gone out ------------------------------------------------------------------------------


def target_confirm(*, target_id):
    """Ask the platform's read API about the last attempt of an unconfirmed target; see the module docstring."""
    target = PostTarget.objects.select_related("post__team", "channel__team").filter(pk=target_id).first()
    if target is None or target.status != S.UNCONFIRMED:
        return None
    attempt = target.attempts.order_by("-number").first()
    if attempt is None or attempt.outcome not in (O.UNCONFIRMED, O.STARTED):
        return None
    attempt.target = target
    label = _label(target.channel.platform)
    publisher = publisher_for(target.channel.platform)
    checks = int(attempt.partial.get("checks", 0)) + 1
    try:
        request = publish_request(target, attempt, publisher=publisher)
        # The webhook publisher's confirm delivers again with the same delivery id (receivers de-duplicate).
        found = publisher.confirm(channel_services.channel_credentials(target.channel), request)
    except Exception as error:
        message = (
            f"We couldn't confirm whether the post went out on {label} "
            f"({getattr(error, 'message', None) or type(error).__name__}); check {label} before reposting."
        )
        PublishAttempt.objects.filter(pk=attempt.pk, outcome=attempt.outcome).update(
            outcome=O.UNCONFIRMED, message=message[:1000], partial={**attempt.partial, "checks": checks}
        )
        if PostTarget.objects.filter(pk=target.pk, status=S.UNCONFIRMED).update(message=message[:1000]):
            post_changed(target.post)
        return attempt
    if found is not None:
        _finish(
            attempt, outcome=O.CONFIRMED, status=S.PUBLISHED, partial={"checks": checks},
            message=f"Confirmed on {label} after the answer was lost.",
            remote_id=found.remote_id[:200], remote_url=found.url[:500], published_at=_now(),
        )  # fmt: skip
        return attempt
    if attempt.number < settings.SCHEDULING_MAX_ATTEMPTS:
        _finish(
            attempt, outcome=O.ABSENT, status=S.PENDING, partial={"checks": checks}, next_attempt_at=None,
            message=f"{label} does not have it: it is sent again.",
        )  # fmt: skip
    else:
        _finish(
            attempt, outcome=O.ABSENT, status=S.FAILED, partial={"checks": checks},
            message=f"{label} does not have it after {attempt.number} tries; Retry to send it again.",
        )  # fmt: skip
    return attempt


def attempts_stale(*, now=None):
    """Attempts still STARTED long after their call (a killed worker): UNCONFIRMED and confirmed, never re-sent."""
    now = now or _now()
    cutoff = now - timedelta(seconds=settings.SCHEDULING_ATTEMPT_STALE_SECONDS)
    stale = list(
        PublishAttempt.objects.filter(
            target__status=S.PUBLISHING, outcome=O.STARTED, started_at__lt=cutoff
        ).select_related("target")
    )
    for attempt in stale:
        _finish(attempt, outcome=O.UNCONFIRMED, status=S.UNCONFIRMED, message=WORKER_LOST)
    return len(stale)


def unconfirmed_check(*, budget_seconds=20.0):
    """The beat's look at unconfirmed targets that still have checks left: confirmed here, one after the other, for
    up to `budget_seconds`; the rest are queued. Here rather than queued first, because the confirm task enqueued on
    commit waits behind every publish task of a large backlog (both use the "scheduling" queue), and these are the
    posts whose people are waiting for an answer."""
    ids = sorted(
        {
            target_id
            for target_id, partial in PublishAttempt.objects.filter(
                target__status=S.UNCONFIRMED, outcome=O.UNCONFIRMED
            ).values_list("target_id", "partial")
            if int((partial or {}).get("checks", 0)) < settings.SCHEDULING_CONFIRM_MAX_CHECKS
        }
    )
    started = time.monotonic()
    for position, target_id in enumerate(ids):
        if time.monotonic() - started > budget_seconds:
            _enqueue_confirm(ids[position:])
            break
        target_confirm(target_id=target_id)
    return len(ids)


# The post as a whole, retries and the sweep ------------------------------------------------------------------------


def post_settle(*, post_id):
    """A post is DONE once every target ended (published, failed, blocked, cancelled); PUBLISHING while any runs.

    Called inside the transaction that just changed a target. The post's row lock makes two workers finishing its
    last two targets at once take turns, and the second one's check sees the first one's commit."""
    if connection.features.has_select_for_update:
        list(Post.objects.select_for_update().filter(pk=post_id).values_list("pk", flat=True))
    still_open = PostTarget.objects.filter(post_id=OuterRef("pk")).exclude(status__in=ENDED)
    return bool(
        Post.objects.filter(pk=post_id, status__in=LIVE_POSTS)
        .filter(~Exists(still_open))
        .update(status=Post.Status.DONE)
    )


def retry_refusal(target):
    """Why a Retry could post twice or cannot help, or None when it is safe: the platform refused it (or nothing
    reached it), or its read API said the lost attempt is not there."""
    last = target.attempts.order_by("-number").first()
    if target.status == S.FAILED and last is not None and last.outcome in (O.REFUSED, O.ABSENT):
        return None
    if target.status == S.UNCONFIRMED and last is not None and last.outcome == O.ABSENT:
        return None
    if target.status == S.BLOCKED and (last is None or last.outcome == O.REFUSED):
        return None  # blocked before a call, or the platform refused the token: nothing went out
    if target.status == S.UNCONFIRMED:
        return (
            f"{_label(target.channel.platform)} may already have this post: Postframe is checking. "
            "Look on the platform before reposting by hand."
        )
    if target.status == S.PUBLISHED:
        return "It is already published there."
    return f"Nothing to retry: it is {target.get_status_display().lower()}."


def retry_allowed(target):
    return retry_refusal(target) is None


@transaction.atomic
def target_retry(*, target, user):
    """Send a target again where that cannot post twice; refuses otherwise with RetryRefused(message)."""
    target = PostTarget.objects.select_for_update().select_related("post", "channel").get(pk=target.pk)
    if refusal := retry_refusal(target):
        raise RetryRefused(refusal)
    if target.post.status not in (*LIVE_POSTS, Post.Status.DONE):
        raise RetryRefused(f"The post is {target.post.get_status_display().lower()}: schedule it again instead.")
    target.status, target.next_attempt_at, target.message = S.PENDING, None, ""
    target.save(update_fields=["status", "next_attempt_at", "message", "updated_at"])
    Post.objects.filter(pk=target.post_id, status=Post.Status.DONE).update(status=Post.Status.PUBLISHING)
    post_changed_on_commit(target.post)
    audit_record(
        team=target.post.team,
        actor=user,
        action="post.retried",
        summary=f"{user.email or user.get_username()} sent “{target.post}” to {target.channel} again",
        detail={"post_id": target.post_id, "target_id": target.pk},
    )
    return target


def checks_exhausted(target, last=None):
    """An unconfirmed target whose read-API checks have all been spent: only a person who looked can settle it."""
    if target.status != S.UNCONFIRMED:
        return False
    last = last or target.attempts.order_by("-number").first()
    return (
        last is not None
        and last.outcome == O.UNCONFIRMED
        and int(last.partial.get("checks", 0)) >= settings.SCHEDULING_CONFIRM_MAX_CHECKS
    )


@transaction.atomic
def target_resolve(*, target, user, found, link=""):
    """An admin looked on the platform after the checks ran out: `found` marks the target published (nothing is
    sent), otherwise it is sent once more at the next tick. With `found`, the post's `link` on the platform may come
    too: it is kept, and where it names the post (X, LinkedIn, TikTok) the first comment goes under it. Refuses with
    ResolveRefused(message) while Postframe can still ask the platform itself, when the target is no longer
    unconfirmed, or when the link is not the address of a post on that platform."""
    target = PostTarget.objects.select_for_update().select_related("post__team", "channel").get(pk=target.pk)
    label = _label(target.channel.platform)
    last = target.attempts.order_by("-number").first()
    if target.status != S.UNCONFIRMED:
        raise ResolveRefused(f"Nothing to settle on {label}: it is {target.get_status_display().lower()}.")
    if not checks_exhausted(target, last):
        raise ResolveRefused(f"Postframe is still asking {label} whether it went out; wait for its answer.")
    try:
        link, remote_id = post_link_read(target.channel.platform, link if found else "", label=label)
    except NotAPostLink as error:
        raise ResolveRefused(str(error), field="link") from None
    last.target = target
    who = user.email or user.get_username()
    if found:
        message = f"{who} found it on {label} and marked it published."
        if comments.comment_due(target):
            if remote_id:
                message += " Its first comment goes under it now."
            elif link:
                message += f" Its first comment was not posted ({label}'s addresses do not name the post for its API)."
            else:
                message += " Its first comment was not posted (no address to find the post by)."
        _finish(
            last, outcome=O.CONFIRMED, status=S.PUBLISHED, partial={"resolved_by": user.pk}, message=message,
            published_at=_now(), remote_id=remote_id, remote_url=link,
        )  # fmt: skip
        action, summary = "post.marked_published", f"{who} found “{target.post}” on {target.channel}: published"
    else:
        _finish(
            last, outcome=O.ABSENT, status=S.PENDING, partial={"resolved_by": user.pk}, next_attempt_at=None,
            message=f"{who} checked {label} and it is not there: it is sent again.",
        )  # fmt: skip
        action, summary = "post.sent_again", f"{who} did not find “{target.post}” on {target.channel}: sent again"
    audit_record(
        team=target.post.team,
        actor=user,
        action=action,
        summary=summary,
        detail={"post_id": target.post_id, "target_id": target.pk, "attempt": last.number},
    )
    target.refresh_from_db()
    return target


def sweep(*, now=None):
    """Hourly: posts due long ago whose channels still wait (a lost dispatch) are reported and handed out again;
    stale attempts go to confirm; posts whose targets all ended are closed. Returns what it found."""
    now = now or _now()
    late = now - timedelta(seconds=settings.SCHEDULING_LATE_SECONDS)
    lost = list(
        PostTarget.objects.filter(
            post__status__in=LIVE_POSTS, post__publish_at__lt=late, status=S.PENDING, next_attempt_at__lt=now
        ).values_list("id", flat=True)
    )
    if lost:
        logger.warning("scheduling sweep: %d channel posts due long ago were still waiting: %s", len(lost), lost[:20])
        PostTarget.objects.filter(pk__in=lost, status=S.PENDING).update(next_attempt_at=None)
    stale = attempts_stale(now=now)
    open_posts = Post.objects.filter(status__in=LIVE_POSTS, publish_at__lt=now).values_list("id", flat=True)
    settled = sum(post_settle(post_id=post_id) for post_id in open_posts)
    handed = dispatch_due(now=now)
    return {"lost": len(lost), "stale": stale, "settled": settled, "dispatched": handed}
