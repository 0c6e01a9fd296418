"""ASGI entry point, served by uvicorn (studio/web.py): pages through Django's WSGI handler on a pool of threads,
websockets through Channels.

Every Postframe view is synchronous. Under Django's ASGI handler each request would start a thread of its own and
hop between the event loop and that thread; a fixed pool of threads running the WSGI handler answers the same
views with about a quarter less CPU a request (bench/library_pages.py: 6.2 ms against 8.2 ms). The event loop stays
free for websockets, and live frames reach them through the Redis channel layer whichever process serves them.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings.dev")
get_asgi_application()  # sets Django up before anything below imports models

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from studio.routing import websocket_urlpatterns  # noqa: E402

# Every view is imported now, as the worker starts, rather than by its first request (the API's OpenAI types alone
# take a tenth of a second to import).
_ = get_resolver().url_patterns

application = ProtocolTypeRouter(
    {
        "http": WSGIMiddleware(get_wsgi_application(), workers=settings.WEB_THREADS),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
