"""The `fake_tiktok` fixture: a FakeTikTok per test with the TikTok settings pointing at it."""

import pytest

from tests.fakes.tiktok.server import FakeTikTok


@pytest.fixture
def fake_tiktok(settings):
    """The running FakeTikTok (.url, .issue_token(), .verified_prefixes, .published, .lose_answers(), …)."""
    with FakeTikTok() as fake:
        settings.TIKTOK_API_URL = fake.url
        settings.TIKTOK_OAUTH_URL = f"{fake.url}/v2/auth/authorize/"
        settings.TIKTOK_TOKEN_URL = f"{fake.url}/v2/oauth/token/"
        settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET = fake.client_id, fake.client_secret
        yield fake
