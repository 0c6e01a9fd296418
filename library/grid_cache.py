"""The grid's rendered HTML, cached per team and dropped by any change to what it shows.

A team's library has a version: a random token in the cache, replaced by every write to the team's assets, tags,
boards and member list (library.signals for single rows, library.services for bulk writes). A page is stored with
the version it was rendered under and served only while that version is current, so no write is ever missed. A
write replaces the version at once and again when its transaction commits: a page rendered meanwhile from data
the write had not committed yet cannot outlive it. The CSRF token is kept out of the stored HTML and filled in
for each request.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString

# Stands for the CSRF token in stored HTML; rendered in its place by passing it as the context's csrf_token. Marked
# safe and bracketed, so it is rendered as it is while no text a user typed can ever render as it (escaped).
CSRF_PLACEHOLDER = SafeString("<csrf-token-of-the-request>")


def _version_key(team_id):
    return f"library:version:{team_id}"


def _version_new(team_id):
    cache.set(_version_key(team_id), secrets.token_hex(8), timeout=None)


def library_changed(team_id):
    """Make every cached grid page of the team stale: now, and again once the current transaction commits."""
    _version_new(team_id)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    # One bump at commit per team and transaction, however many rows it writes.
    if any(getattr(callback, "library_team_id", None) == team_id for _, callback, _ in connection.run_on_commit):
        return

    def bump():
        _version_new(team_id)

    bump.library_team_id = team_id
    transaction.on_commit(bump, robust=True)


def page_key(team, *, part, can_edit, path):
    """The key of one rendered page: its team, which part of it, what the viewer may do, and its full path."""
    digest = hashlib.sha256(path.encode()).hexdigest()[:32]
    # The team's creation time tells apart two teams that had the same id (the database made again, Redis kept).
    return f"library:grid:{team.pk}:{team.created_at.timestamp():.6f}:{part}:{int(can_edit)}:{digest}"


def page_html(request, key, render):
    """The page's HTML for this request: from the cache while the team's library is unchanged, else `render()`.

    `render()` must render the CSRF token as CSRF_PLACEHOLDER.
    """
    seconds = settings.POSTFRAME_LIBRARY_CACHE_SECONDS
    if seconds <= 0:
        return csrf_filled(request, render())
    version_key = _version_key(request.team.pk)
    found = cache.get_many([version_key, key])
    version, stored = found.get(version_key), found.get(key)
    if version is not None and stored is not None and stored[0] == version:
        html = stored[1]
    else:
        if version is None:
            version = secrets.token_hex(8)
            if not cache.add(version_key, version, timeout=None):
                version = cache.get(version_key)
        # The version is read before the rows: a write committed after this read replaces it, so a page that
        # missed that write is never served.
        html = render()
        if version is not None:
            cache.set(key, (version, str(html)), timeout=seconds)
    return csrf_filled(request, html)


def csrf_filled(request, html):
    """Rendered HTML with this request's CSRF token in place of the placeholder, still safe to insert unescaped.

    Only the template engine made `html`, escaping as it went, and a token is letters and digits: nothing here
    needs escaping again.
    """
    return SafeString(html.replace(CSRF_PLACEHOLDER, get_token(request)))
