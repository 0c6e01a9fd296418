"""The `fake_openai` pytest fixture: a fake OpenAI server per test, with settings pointing at it.

Use it from a conftest: `pytest_plugins = ["tests.fakes.openai.fixtures"]` in tests/conftest.py, or
`from tests.fakes.openai.fixtures import fake_openai  # noqa: F401` in a directory's conftest.
"""

import pytest

from tests.fakes.openai.server import FakeOpenAI


@pytest.fixture
def fake_openai(settings):
    """The running FakeOpenAI: .url, .api_key (the only key it accepts), .requests, .responses."""
    server = FakeOpenAI(slow_seconds=3.0).start()
    settings.OPENAI_BASE_URL = server.url
    settings.OPENAI_API_KEY = ""  # a test that wants a key passes server.api_key explicitly
    try:
        yield server
    finally:
        server.stop()
