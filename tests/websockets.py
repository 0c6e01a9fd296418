"""Websocket tests through the real ASGI stack (session login, origin check, the Redis channel layer).

`communicator(path, client)` connects as the user the Django test client signed in (None: anonymous), from the
studio's own origin. Modules that use it mark themselves `usefixtures("keep_the_test_connection")` (tests/conftest.py):
the test runs in one transaction, so Channels must not recycle its connection between calls (as Django's test
client does not for requests), or the consumer would lose the rows the test made.
"""

from channels.testing import WebsocketCommunicator
from django.conf import settings

from studio.asgi import application


def headers(client=None):
    found = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    if client is not None:
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        found.append((b"cookie", cookie.encode()))
    return found


def communicator(path, client=None):
    return WebsocketCommunicator(application, path, headers=headers(client))
