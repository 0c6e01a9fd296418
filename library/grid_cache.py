"""The library's version per team, which keys the grid's cached template fragment (its tiles).

Every write to a team's library goes through library/services.py, which calls `library_changed`: it replaces the
team's version at once and again when the write commits, so no tile rendered before the write is served after it.
The fragment holds no CSRF token and no nonce (tiles are links and checkboxes), so nothing is spliced into cached HTML.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction


def _version_key(team):
    # The team's creation time tells apart two teams that had the same id (a database made again, Redis kept).
    return f"library:version:{team.pk}:{team.created_at.timestamp():.6f}"


def library_version(team):
    """The team's current library version: a random token, made on first use and replaced by every write."""
    key = _version_key(team)
    version = cache.get(key)
    if version is None:
        version = secrets.token_hex(8)
        if not cache.add(key, version, timeout=None):
            version = cache.get(key) or version
    return version


def library_changed(team):
    """Replace the team's library version now, and again once the current transaction commits.

    The second bump matters: a page rendered between the first and the commit read the rows as they were before
    the write, and would otherwise stay cached under the new version.
    """
    key = _version_key(team)
    cache.set(key, secrets.token_hex(8), timeout=None)
    transaction.on_commit(lambda: cache.set(key, secrets.token_hex(8), timeout=None), robust=True)


def _plain(value):
    """A filter value as plain data: a row by its id, a list item by item."""
    if hasattr(value, "pk"):
        return ("pk", value.pk)
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    return value


def grid_fragment_key(team, *, can_edit, filters, cursor):
    """The vary-on value of one page of tiles: bounded in length (a digest) whatever the filters hold."""
    plain = sorted((name, repr(_plain(value))) for name, value in filters.items())
    shown = repr((team.pk, library_version(team), bool(can_edit), plain, cursor or ""))
    return hashlib.sha256(shown.encode()).hexdigest()


def grid_cache_seconds():
    return settings.POSTFRAME_LIBRARY_CACHE_SECONDS
