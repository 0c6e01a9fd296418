"""The `fake_linkedin` fixture: a FakeLinkedIn per test with the LinkedIn settings pointing at it."""

import pytest

from tests.fakes.linkedin.server import FakeLinkedIn


@pytest.fixture
def fake_linkedin(settings):
    """The running FakeLinkedIn (.url, .issue_token(), .published, .lose_answers(), …)."""
    with FakeLinkedIn() as fake:
        settings.LINKEDIN_API_URL = fake.url
        settings.LINKEDIN_OAUTH_URL = f"{fake.url}/oauth/v2/authorization"
        settings.LINKEDIN_TOKEN_URL = f"{fake.url}/oauth/v2/accessToken"
        settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET = fake.client_id, fake.client_secret
        settings.LINKEDIN_VERSION = "202611"
        yield fake
