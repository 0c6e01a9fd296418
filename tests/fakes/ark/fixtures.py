"""The `fake_ark` pytest fixture: a fake Ark (Seedance) server per test, with settings pointing at it.

Registered for the whole suite in tests/conftest.py (`pytest_plugins`).
"""

import pytest

from tests.fakes.ark.server import FakeArk


@pytest.fixture
def fake_ark(settings):
    """The running FakeArk: .url (…/api/v3), .api_key (the only key it accepts), .requests, knobs, counters.

    The instance key is set to it; a test about missing keys clears it.
    """
    server = FakeArk(progress_seconds=0.3).start()
    settings.ARK_BASE_URL = server.url
    settings.ARK_API_KEY = server.api_key
    try:
        yield server
    finally:
        server.stop()
