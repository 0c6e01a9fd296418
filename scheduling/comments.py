"""A post's first comment, posted once under the live post on each channel whose platform takes one (Instagram,
LinkedIn and X: `rules.comment_max`; webhook channels and bundles carry it in their payload instead).

When a target becomes PUBLISHED with the platform's id and the post has a first comment, the target's comment waits
(WAITING) and `scheduling.comment` is queued once that transaction commits. `comment_post` claims it (WAITING →
POSTING, committed) and only then calls the platform; what came back is written after. A lost answer makes it
UNCONFIRMED and `comment_confirm` reads the post's comments: found → POSTED, surely absent → WAITING and queued once
more, unknown → it stays UNCONFIRMED and says to look under the post before adding it by hand. Once Postframe can no
longer ask (`comment_checks_exhausted`), an admin who looked answers: there → POSTED, nothing sent; not there →
posted once more (`comment_resolve`). A refusal, or a platform that was not reached, is FAILED: nothing went out, so
the page offers to post it again. The post itself is never touched by any of this.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from scheduling import channels as channel_services
from scheduling.models import PostTarget
from scheduling.publishers.base import PublishError
from scheduling.publishers.registry import publisher_for
from scheduling.push import post_changed, post_changed_on_commit
from studio.core.services import audit_record

logger = logging.getLogger(__name__)

C = PostTarget.Comment
# How long the beat keeps asking a platform about a comment whose answer was lost before leaving it to a person.
CONFIRM_WINDOW = timedelta(hours=24)


class CommentRefused(Exception):
    """Why the first comment cannot be posted again now, in words for the page."""


def _label(target):
    return target.channel.get_platform_display()


def _text(target):
    return (target.post.first_comment or "").strip()


def takes_comments(platform):
    return publisher_for(platform).rules.comment_max > 0


def comment_due(target):
    """Whether the post has a first comment for this channel: it has one, and the platform takes it from Postframe."""
    return bool(_text(target)) and takes_comments(target.channel.platform)


def comment_queue(target, *, remote_id):
    """Inside the transaction that marks `target` PUBLISHED: its first comment waits, queued on commit. Nothing when
    the post has none, the platform takes none, or the platform gave no id to comment under."""
    if not remote_id or not comment_due(target):
        return False
    waiting = PostTarget.objects.filter(pk=target.pk, comment_status=C.NONE).update(
        comment_status=C.WAITING, comment_message=""
    )
    if waiting:
        transaction.on_commit(lambda: _enqueue_post(target.pk))
    return bool(waiting)


def _enqueue_post(target_id):
    from scheduling.tasks import comment_task

    comment_task.apply_async(args=[target_id])


def _enqueue_confirm(target_id):
    from scheduling.tasks import comment_confirm_task

    comment_confirm_task.apply_async(args=[target_id])


def _target(target_id):
    return PostTarget.objects.select_related("post", "channel__team").filter(pk=target_id).first()


def _settle(target, status, *, message="", remote_id=None, was=(C.POSTING, C.UNCONFIRMED)):
    """Write what came back, only while the comment is still where this run left it. Returns whether it wrote."""
    fields = {"comment_status": status, "comment_message": message[:1000]}
    if remote_id is not None:
        fields["comment_remote_id"] = remote_id[:200]
    with transaction.atomic():
        done = PostTarget.objects.filter(pk=target.pk, comment_status__in=was).update(**fields)
        if done:
            post_changed_on_commit(target.post)
            if status == C.UNCONFIRMED:
                transaction.on_commit(lambda: _enqueue_confirm(target.pk))
            elif status == C.WAITING:
                transaction.on_commit(lambda: _enqueue_post(target.pk))
    return bool(done)


def comment_post(*, target_id):
    """The task's work: claim the waiting comment, post it once, record the answer. Safe to run twice."""
    target = _target(target_id)
    if target is None or target.comment_status != C.WAITING or not target.remote_id:
        return None
    claimed = PostTarget.objects.filter(pk=target.pk, comment_status=C.WAITING).update(
        comment_status=C.POSTING, comment_started_at=timezone.now(), comment_message="", comment_checks=0
    )
    if not claimed:
        return None  # another run took it
    post_changed(target.post)
    label, publisher = _label(target), publisher_for(target.channel.platform)
    remote_id, message = None, ""
    try:
        credentials = channel_services.channel_credentials(target.channel)
        found = publisher.comment(credentials, target.remote_id, _text(target))
    except PublishError as error:
        if error.kind == "duplicate":
            # X refuses any text the account has posted before: not proof that this comment is under this post.
            status, message = (
                C.FAILED,
                (
                    f"{label} refused it as a duplicate of something the account posted before; look under the post, "
                    "and if it is not there, change the first comment's words."
                ),
            )
        elif error.kind == "unconfirmed":
            status, message = (
                C.UNCONFIRMED,
                (
                    f"{label} did not answer after the first comment was sent; Postframe looks under the post before "
                    "posting it again."
                ),
            )
        else:
            status, message = C.FAILED, f"The first comment was not posted: {error.message}"
    except Exception:
        logger.exception("post target %s: posting the first comment failed unexpectedly", target.pk)
        status, message = C.UNCONFIRMED, f"{label} gave no usable answer; Postframe looks for the comment."
    else:
        status, remote_id = C.POSTED, found.remote_id
    _settle(target, status, message=message, remote_id=remote_id)
    return status


def comment_confirm(*, target_id):
    """Ask the platform whether an unconfirmed first comment is under the post; see the module docstring."""
    target = _target(target_id)
    if target is None or target.comment_status != C.UNCONFIRMED:
        return None
    label, publisher = _label(target), publisher_for(target.channel.platform)
    try:
        credentials = channel_services.channel_credentials(target.channel)
        found = publisher.find_comment(credentials, target.remote_id, _text(target))
    except Exception as error:
        why = getattr(error, "message", None) or type(error).__name__
        message = f"Postframe could not check {label} for the first comment ({why}); look under the post first."
        counted = PostTarget.objects.filter(pk=target.pk, comment_status=C.UNCONFIRMED).update(
            comment_message=message, comment_checks=F("comment_checks") + 1
        )
        if counted:
            post_changed(target.post)
        return C.UNCONFIRMED
    if found is not None:
        _settle(target, C.POSTED, remote_id=found.remote_id, message="", was=(C.UNCONFIRMED,))
        return C.POSTED
    message = f"{label} does not have the first comment: it is posted again."
    _settle(target, C.WAITING, message=message, was=(C.UNCONFIRMED,))
    return C.WAITING


def comments_check(*, now=None):
    """The beat's look: comments still POSTING long after their call (a killed worker) become UNCONFIRMED, and
    unconfirmed ones of the last day are confirmed. Returns how many it looked at."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.SCHEDULING_ATTEMPT_STALE_SECONDS)
    stale = PostTarget.objects.filter(comment_status=C.POSTING, comment_started_at__lt=cutoff).select_related("post")
    for target in stale:
        message = "The worker stopped while posting the first comment; Postframe looks under the post first."
        _settle(target, C.UNCONFIRMED, message=message, was=(C.POSTING,))
    ids = list(
        PostTarget.objects.filter(
            comment_status=C.UNCONFIRMED, comment_started_at__gte=now - CONFIRM_WINDOW
        ).values_list("pk", flat=True)
    )
    for target_id in ids:
        comment_confirm(target_id=target_id)
    return len(ids)


def comment_again_refusal(target):
    if target.comment_status == C.FAILED:
        return None
    if target.comment_status == C.UNCONFIRMED:
        return f"{_label(target)} may already have the first comment: Postframe is checking. Look under the post."
    return f"Nothing to post again: the first comment is {target.get_comment_status_display().lower()}."


@transaction.atomic
def comment_again(*, target, user):
    """Post a failed first comment again (a failure means nothing reached the platform)."""
    target = PostTarget.objects.select_for_update().select_related("post__team", "channel").get(pk=target.pk)
    if refusal := comment_again_refusal(target):
        raise CommentRefused(refusal)
    target.comment_status, target.comment_message = C.WAITING, ""
    target.save(update_fields=["comment_status", "comment_message", "updated_at"])
    transaction.on_commit(lambda: _enqueue_post(target.pk))
    post_changed_on_commit(target.post)
    audit_record(
        team=target.post.team,
        actor=user,
        action="post.comment_again",
        summary=f"{user.email or user.get_username()} posted the first comment of “{target.post}” on {target.channel} "
        "again",
        detail={"post_id": target.post_id, "target_id": target.pk},
    )
    return target


def comment_checks_exhausted(target, *, now=None):
    """An unconfirmed first comment Postframe can no longer ask about, so only a person who looked can settle it:
    SCHEDULING_CONFIRM_MAX_CHECKS lookups could not tell (as for posts; a platform that cannot be asked says so every
    time), or the beat's CONFIRM_WINDOW has passed."""
    if target.comment_status != C.UNCONFIRMED:
        return False
    if target.comment_checks >= settings.SCHEDULING_CONFIRM_MAX_CHECKS:
        return True
    started = target.comment_started_at
    return started is None or started < (now or timezone.now()) - CONFIRM_WINDOW  # the beat asks only that long


@transaction.atomic
def comment_resolve(*, target, user, found):
    """An admin looked under the post after Postframe could no longer ask: `found` marks the first comment posted
    (nothing is sent), otherwise it is posted once more through the comment task. Refuses with
    CommentRefused(message) while Postframe can still ask the platform itself, or when the comment is not
    unconfirmed."""
    target = PostTarget.objects.select_for_update().select_related("post__team", "channel").get(pk=target.pk)
    label = _label(target)
    if target.comment_status != C.UNCONFIRMED:
        state = target.get_comment_status_display().lower() if target.comment_status else "not there to settle"
        raise CommentRefused(f"Nothing to settle on {label}: the first comment is {state}.")
    if not comment_checks_exhausted(target):
        raise CommentRefused(
            f"Postframe is still asking {label} whether the first comment went up; wait for its answer."
        )
    who = user.email or user.get_username()
    if found:
        status, message = C.POSTED, f"{who} found it under the post on {label} and marked it posted."
        action = "post.comment_marked_posted"
        summary = f"{who} found the first comment of “{target.post}” on {target.channel}: posted"
    else:
        status, message = C.WAITING, f"{who} looked under the post on {label} and it is not there: it is posted again."
        action = "post.comment_sent_again"
        summary = f"{who} did not find the first comment of “{target.post}” on {target.channel}: posted again"
    _settle(target, status, message=message, was=(C.UNCONFIRMED,))  # WAITING queues the comment task on commit
    audit_record(
        team=target.post.team,
        actor=user,
        action=action,
        summary=summary,
        detail={"post_id": target.post_id, "target_id": target.pk},
    )
    target.refresh_from_db()
    return target
