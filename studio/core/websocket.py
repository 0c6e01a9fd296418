"""The websocket origin rule Django's CSRF check applies to forms: a page may open a socket only to its own origin.

Channels' AllowedHostsOriginValidator compares the Origin's host with ALLOWED_HOSTS but not its port or scheme, so
`http://localhost:9999` would pass for a studio served on :8000. This middleware, inside it, also asks that the
Origin's scheme, host and port equal the ones the socket was opened to (its Host header), or that the Origin is
listed in CSRF_TRUSTED_ORIGINS.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings

_HTTP_SCHEME = {"ws": "http", "wss": "https", "http": "http", "https": "https"}
_DEFAULT_PORT = {"http": 80, "https": 443}


def _origin_tuple(scheme, netloc):
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port or _DEFAULT_PORT.get(scheme)
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port


def origin_allowed(*, origin, host, scheme):
    """Whether a socket whose page came from `origin` may connect to `host` (its Host header) over `scheme`."""
    if not origin or not host:
        return False
    try:
        origin_parts = urlsplit(origin)
    except ValueError:
        return False
    if origin_parts.scheme not in _DEFAULT_PORT:
        return False
    claimed = _origin_tuple(origin_parts.scheme, origin_parts.netloc)
    if claimed is None:
        return False
    trusted = {_origin_tuple(parts.scheme, parts.netloc) for parts in map(urlsplit, settings.CSRF_TRUSTED_ORIGINS)}
    if claimed in trusted:
        return True
    return claimed == _origin_tuple(_HTTP_SCHEME.get(scheme, "http"), host)


class SameOriginValidator:
    """ASGI middleware for websockets: refuses a connection whose Origin is not the studio's own origin."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        origin = headers.get(b"origin", b"").decode("latin1")
        host = headers.get(b"host", b"").decode("latin1")
        if origin_allowed(origin=origin, host=host, scheme=scope.get("scheme", "ws")):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
