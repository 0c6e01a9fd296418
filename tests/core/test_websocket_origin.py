"""The websocket origin rule: a page may open a socket only to the studio's own scheme, host and port."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from studio.asgi import application
from studio.core.websocket import origin_allowed


def test_it_accepts_the_pages_own_origin():
    assert origin_allowed(origin="http://127.0.0.1:8000", host="127.0.0.1:8000", scheme="ws")
    assert origin_allowed(origin="https://studio.example.com", host="studio.example.com", scheme="wss")
    assert origin_allowed(origin="https://studio.example.com", host="studio.example.com:443", scheme="wss")


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:9999",  # another port on the same host: another site
        "http://127.0.0.1:9999",
        "https://127.0.0.1:8000",  # another scheme
        "http://evil.example:8000",
        "null",
        "",
        "file://",
        "http://127.0.0.1:notaport",
    ],
)
def test_it_refuses_another_origin(origin):
    assert not origin_allowed(origin=origin, host="127.0.0.1:8000", scheme="ws")


def test_a_trusted_origin_may_connect_from_elsewhere(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.com"]
    assert origin_allowed(origin="https://app.example.com", host="studio.internal:8000", scheme="ws")
    assert not origin_allowed(origin="https://app.example.com:8443", host="studio.internal:8000", scheme="ws")


@pytest.mark.django_db
def test_the_application_closes_a_socket_from_another_port():
    async def scenario():
        communicator = WebsocketCommunicator(
            application,
            "/ws/jobs/00000000-0000-0000-0000-000000000000/",
            headers=[(b"origin", b"http://localhost:9999"), (b"host", b"localhost:8000")],
        )
        connected, _ = await communicator.connect(timeout=5)
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is False
