"""Scheduling's background work: the dispatcher's tick, one publish per post and channel, confirming unconfirmed
posts through the platforms' read APIs, the hourly sweep and token refreshes. Tasks take ids and call a service."""

from celery import shared_task


@shared_task(name="scheduling.dispatch", ignore_result=True)
def dispatch_task():
    """Beat runs this every few seconds: due posts are leased in the database and handed out in batches."""
    from scheduling.dispatch import dispatch_due

    dispatch_due()


@shared_task(name="scheduling.publish", acks_late=True, ignore_result=True)
def target_publish_task(target_ids):
    """A batch of targets (a single id from an older message works too), published one after the other. Safe to run
    twice: only the run that claims a target (PENDING → PUBLISHING, committed) calls the platform."""
    from scheduling.dispatch import targets_publish

    targets_publish(target_ids=[target_ids] if isinstance(target_ids, int) else target_ids)


@shared_task(name="scheduling.confirm", acks_late=True, ignore_result=True)
def target_confirm_task(target_id):
    """Safe to run twice: it reads the platform, and only an unresolved attempt is written."""
    from scheduling.dispatch import target_confirm

    target_confirm(target_id=target_id)


@shared_task(name="scheduling.unconfirmed_check", ignore_result=True)
def unconfirmed_check_task():
    """Unconfirmed posts and first comments are looked up on their platforms (stalled comments first)."""
    from scheduling.comments import comments_check
    from scheduling.dispatch import unconfirmed_check

    unconfirmed_check()
    comments_check()


@shared_task(name="scheduling.comment", acks_late=True, ignore_result=True)
def comment_task(target_id):
    """Safe to run twice: only the run that claims the waiting comment (committed) calls the platform."""
    from scheduling.comments import comment_post

    comment_post(target_id=target_id)


@shared_task(name="scheduling.comment_confirm", acks_late=True, ignore_result=True)
def comment_confirm_task(target_id):
    from scheduling.comments import comment_confirm

    comment_confirm(target_id=target_id)


@shared_task(name="scheduling.sweep", ignore_result=True)
def sweep_task():
    """Hourly: posts left behind (a lost dispatch, a killed worker) are found and moved on."""
    from scheduling.dispatch import sweep

    sweep()


@shared_task(name="scheduling.tokens_refresh", ignore_result=True)
def tokens_refresh_task():
    """Refreshes channel tokens ahead of their expiry; a refused refresh marks the channel and tells the admins."""
    from scheduling.channels import tokens_refresh_due

    tokens_refresh_due()
