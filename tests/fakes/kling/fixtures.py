"""The `fake_kling` pytest fixture: a fake Kling server per test, with settings pointing at it.

Registered for the whole suite in tests/conftest.py (`pytest_plugins`).
"""

import pytest

from tests.fakes.kling.server import FakeKling
from tests.fakes.taskfake import CallbackReceiver


@pytest.fixture
def fake_kling(settings):
    """The running FakeKling: .url, .access_key/.secret_key (the only pair it accepts), .requests, knobs, counters.

    The instance keys are set to that pair; a test about missing keys clears them.
    """
    server = FakeKling(progress_seconds=0.3).start()
    settings.KLING_BASE_URL = server.url
    settings.KLING_ACCESS_KEY, settings.KLING_SECRET_KEY = server.access_key, server.secret_key
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def video_callback_receiver():
    """A local HTTP server recording the callbacks the Kling and Ark fakes POST (.url, .received)."""
    with CallbackReceiver() as receiver:
        yield receiver
