"""Fixtures for the API: a team token and a client that sends it."""

import pytest
from django.test import Client

from studio.credits.models import PriceRule
from tests.api.factories import issue_token
from tests.api.image_server import ImageServer


@pytest.fixture
def token_for():
    """Issue a token for a team (by its admin, or from the command line when no user is given)."""

    def issue(team, user=None, name="Test token"):
        return issue_token(team, user, name)

    return issue


@pytest.fixture
def api_client_for(token_for):
    """A Django test client that sends `Authorization: Bearer <a new token of team>`."""

    def make(team, user=None):
        _, secret = token_for(team, user)
        return Client(headers={"Authorization": f"Bearer {secret}"})

    return make


@pytest.fixture
def image_server():
    """A local HTTP server of images and misbehaving answers (see tests/api/image_server.py)."""
    server = ImageServer().start()
    yield server
    server.stop()


@pytest.fixture
def allow_private(settings):
    """Let the fetcher reach 127.0.0.1, where the test's image server listens."""
    settings.POSTFRAME_REMOTE_FETCH_ALLOW_PRIVATE = True
    return settings


@pytest.fixture
def draft_price(db):
    """Credits per image of the offline engine at every tier (free, as shipped); call it to set a price."""

    def set_price(credits):
        for tier in PriceRule.Tier.values:
            PriceRule.objects.update_or_create(
                model_id="local:draft", tier=tier, quality="*", defaults={"credits": credits}
            )

    set_price(0)
    return set_price


@pytest.fixture
def admin_api(team, admin_user, api_client_for, draft_price):
    """A client carrying a token issued by the team's admin, with the offline engine priced."""
    return api_client_for(team, admin_user)
