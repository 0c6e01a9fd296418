"""Tells the pages watching a post that its channels changed. The message carries no HTML: each page's consumer
reads and renders the post for its own viewer, so a worker publishing thousands of posts nobody watches spends one
small group send on each change, not a render."""

import logging

from django.db import transaction

from studio.generation.push import message_send

logger = logging.getLogger(__name__)

CHANGED_EVENT = "post.changed"


def post_changed(post):
    """Hand the news to this process's sender (it leaves without waiting); a failure is logged only."""
    try:
        message_send(post.group_name, {"type": CHANGED_EVENT})
    except Exception:
        logger.warning("could not tell the pages watching post %s", post.pk, exc_info=True)


def post_changed_on_commit(post):
    """The same, once the transaction that changed the post commits (a page reads what was committed)."""
    transaction.on_commit(lambda: post_changed(post))
