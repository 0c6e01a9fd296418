"""Fixtures for the generation tests: funded wallets, a priced draft engine, and reference images in the library."""

import pytest

from studio.credits.models import PriceRule
from studio.credits.services import credits_grant
from studio.engines.capabilities import DEFAULT_IMAGE_MODELS, OFFLINE_MODEL_ID
from tests.fakes.openai.fixtures import fake_openai  # noqa: F401


@pytest.fixture
def grant():
    def give(team, amount=100):
        credits_grant(team=team, amount=amount, idempotency_key=f"test-grant-{team.pk}-{amount}", memo="test")
        return amount

    return give


@pytest.fixture(autouse=True)
def default_prices():
    """The product sheet's prices, as the credits migration seeds them; a transactional test elsewhere in the
    run may have flushed the seeded rows, and every estimate needs them."""
    for model_id in DEFAULT_IMAGE_MODELS:
        for tier, credits in {"1K": 6, "2K": 8, "4K": 12}.items():
            free = model_id == OFFLINE_MODEL_ID
            PriceRule.objects.get_or_create(
                model_id=model_id, tier=tier, quality="*", defaults={"credits": 0 if free else credits}
            )


@pytest.fixture
def priced_draft():
    """The offline engine at 5 credits an image (it is free by default), so credits have something to do."""
    PriceRule.objects.filter(model_id=OFFLINE_MODEL_ID).update(credits=5)
    return 5


@pytest.fixture
def upload():
    """An image in the team's library, through the real ingest."""
    from library.services import asset_ingest
    from tests.generation.factories import source_png

    def make(team, user, data=None, name="source"):
        return asset_ingest(team=team, user=user, data=data or source_png(), filename=f"{name}.png")

    return make


@pytest.fixture
def openai_team(team, settings, fake_openai):  # noqa: F811 - the fixture imported above
    """`team` with the OpenAI models enabled and the fake server's key as the instance key."""
    settings.OPENAI_API_KEY = fake_openai.api_key
    team.allowed_models = ["local:draft", "openai:gpt-image-2", "openai:gpt-image-1.5"]
    team.save()
    return team
