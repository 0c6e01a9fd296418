"""The `fake_x` fixture: a FakeX per test with the X settings pointing at it."""

import pytest

from tests.fakes.x.server import FakeX


@pytest.fixture
def fake_x(settings):
    """The running FakeX (.url, .issue_token(), .published, .lose_answers(), …)."""
    with FakeX() as fake:
        settings.X_API_URL = fake.url
        settings.X_OAUTH_URL = f"{fake.url}/i/oauth2/authorize"
        settings.X_TOKEN_URL = f"{fake.url}/2/oauth2/token"
        settings.X_CLIENT_ID, settings.X_CLIENT_SECRET = fake.client_id, fake.client_secret
        yield fake
