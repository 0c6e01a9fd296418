"""Tells the pages watching a post that its channels changed. The message carries no HTML: each page's consumer
reads and renders the post for its own viewer. A post nobody has open costs one cache read per change, not a group
send: the consumer counts the pages watching each post in the cache (`watching_started` / `watching_ended`), and a
change is sent only to a post with watchers. A page counts itself before it joins the group and reads the post, so
no change can fall between its first state and the next push."""

import logging

from django.core.cache import cache
from django.db import transaction

from studio.generation.push import message_send

logger = logging.getLogger(__name__)

CHANGED_EVENT = "post.changed"
# A count left behind by a server that died with pages open ages out after this (each connect renews it).
WATCH_SECONDS = 7 * 24 * 3600


def _watch_key(post):
    return f"post-watchers:{post.uuid.hex}"


def watching_started(post):
    key = _watch_key(post)
    cache.add(key, 0, WATCH_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, WATCH_SECONDS)
    cache.touch(key, WATCH_SECONDS)


def watching_ended(post):
    key = _watch_key(post)
    try:
        if cache.decr(key) <= 0:
            cache.delete(key)
    except ValueError:
        pass


def post_changed(post):
    """Hand the news to this process's sender when a page watches the post; a failure is logged only."""
    try:
        if cache.get(_watch_key(post)):
            message_send(post.group_name, {"type": CHANGED_EVENT})
    except Exception:
        logger.warning("could not tell the pages watching post %s", post.pk, exc_info=True)


def post_changed_on_commit(post):
    """The same, once the transaction that changed the post commits (a page reads what was committed)."""
    transaction.on_commit(lambda: post_changed(post))
