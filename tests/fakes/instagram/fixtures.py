"""The `fake_instagram` fixture: a FakeInstagram per test with the Instagram settings pointing at it."""

import pytest

from tests.fakes.instagram.server import FakeInstagram


@pytest.fixture
def fake_instagram(settings):
    """The running FakeInstagram (.url, .issue_token(), .published, .lose_answers(), …)."""
    with FakeInstagram() as fake:
        settings.INSTAGRAM_API_URL = fake.url
        settings.INSTAGRAM_OAUTH_URL = f"{fake.url}/oauth/authorize"
        settings.INSTAGRAM_TOKEN_URL = f"{fake.url}/oauth/access_token"
        settings.INSTAGRAM_CLIENT_ID, settings.INSTAGRAM_CLIENT_SECRET = fake.client_id, fake.client_secret
        yield fake
