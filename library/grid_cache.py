"""The grid's rendered HTML, cached per team and dropped by any change to what it shows.

A team's library has a version: a random token in the cache, replaced by every write to the team's assets, tags,
boards and member list (library.signals for single rows, library.services for bulk writes). A page is stored with
the version it was rendered under and served only while that version is current, so no write is ever missed. A
write replaces the version at once and again when its transaction commits: a page rendered meanwhile from data
the write had not committed yet cannot outlive it. The CSRF token and the CSP nonce are kept out of the stored
HTML and filled in for each request. A whole page, app shell included, is stored per shell_digest as well.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString

# Stands for the CSRF token in stored HTML; rendered in its place by passing it as the context's csrf_token. Marked
# safe and bracketed, so it is rendered as it is while no text a user typed can ever render as it (escaped).
CSRF_PLACEHOLDER = SafeString("<csrf-token-of-the-request>")
NONCE_PLACEHOLDER = SafeString("<csp-nonce-of-the-request>")


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

    `render()` must render the CSRF token as CSRF_PLACEHOLDER (and a CSP nonce as NONCE_PLACEHOLDER).
    """
    return csrf_filled(request, stored_html(request.team, key, render))


def stored_html(team, key, render):
    """The HTML stored under `key` while the team's library is unchanged, else `render()`'s; placeholders kept."""
    seconds = settings.POSTFRAME_LIBRARY_CACHE_SECONDS
    if seconds <= 0:
        return render()
    version_key = _version_key(team.pk)
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
    return SafeString(html)


def shell_digest(request):
    """What the app shell around a page shows this member: who they are, their teams and roles, the balance.

    Two requests with the same digest get the same shell, so a whole page (shell and grid) can be stored once
    and served again; any change to these (a rename, a role, a credit spent) makes another digest.
    """
    from studio.credits.models import Wallet

    try:
        balance = request.team.wallet.balance
    except Wallet.DoesNotExist:
        balance = None
    shown = (
        request.user.pk,
        request.user.email,
        request.team.pk,
        request.team.name,
        request.membership.role,
        balance,
        request.resolver_match.url_name if request.resolver_match else "",
        [(m.team_id, m.team.name, m.role) for m in getattr(request, "memberships", None) or []],
    )
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:32]


def csrf_filled(request, html):
    """Rendered HTML with this request's CSRF token and CSP nonce in place of their placeholders.

    Still safe to insert unescaped: only the template engine made `html`, escaping as it went, and a token or a
    nonce is letters, digits and URL-safe marks.
    """
    html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    if NONCE_PLACEHOLDER in html:
        html = html.replace(NONCE_PLACEHOLDER, str(get_nonce(request)))
    return SafeString(html)
