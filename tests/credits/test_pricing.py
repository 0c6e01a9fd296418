"""Pricing: size tiers by pixel count, the price rules operators edit, and the estimate the studio shows."""

import pytest

from studio.credits.models import PriceRule
from studio.credits.pricing import (
    PriceNotConfigured,
    PricingError,
    estimate,
    price_per_image,
    price_table,
    tier_for,
    tier_for_size,
)
from studio.engines.capabilities import DEFAULT_IMAGE_MODELS
from tests.credits.factories import PriceRuleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("width", "height", "tier"),
    [
        (1024, 1024, "1K"),
        (1024, 1536, "1K"),
        (1600, 1000, "1K"),  # exactly 1.6 MP
        (1601, 1000, "2K"),
        (2048, 2048, "2K"),
        (2100, 2000, "2K"),  # exactly 4.2 MP
        (2101, 2000, "4K"),
        (3840, 2160, "4K"),
    ],
)
def test_it_puts_each_size_in_its_tier_by_pixel_count(width, height, tier):
    assert tier_for(width, height) == tier


def test_the_migration_seeds_the_product_sheets_prices_and_a_free_offline_engine():
    for model_id in DEFAULT_IMAGE_MODELS:
        prices = dict(PriceRule.objects.filter(model_id=model_id, quality="*").values_list("tier", "credits"))
        expected = {"1K": 0, "2K": 0, "4K": 0} if model_id == "local:draft" else {"1K": 6, "2K": 8, "4K": 12}
        assert prices == expected, model_id


def test_the_default_prices_are_6_8_and_12_credits_per_image():
    price = lambda w, h: price_per_image(model_id="openai:gpt-image-2", width=w, height=h, quality="high")  # noqa: E731
    assert (price(1024, 1024), price(2048, 2048), price(3840, 2160)) == (6, 8, 12)


def test_the_offline_draft_engine_is_free():
    assert estimate(model_id="local:draft", size="3840x2160", quality="high", n=10) == 0


def test_an_exact_quality_row_wins_over_the_any_quality_row():
    PriceRuleFactory(model_id="openai:gpt-image-1.5", tier="1K", quality="high", credits=9)

    assert estimate(model_id="openai:gpt-image-1.5", size="1024x1024", quality="high", n=1) == 9
    assert estimate(model_id="openai:gpt-image-1.5", size="1024x1024", quality="low", n=1) == 6


def test_an_estimate_multiplies_by_the_number_of_images_and_prices_auto_as_1k():
    assert estimate(model_id="openai:gpt-image-1.5", size="auto", quality="auto", n=4) == 24
    assert estimate(model_id="openai:gpt-image-2", size="2560x1440", quality="medium", n=3) == 24


def test_an_estimate_costs_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        estimate(model_id="openai:gpt-image-2", size="1536x1024", quality="high", n=2)


def test_a_model_without_a_price_says_so_clearly():
    with pytest.raises(PriceNotConfigured) as refused:
        estimate(model_id="openai:gpt-image-3", size="1024x1024", quality="high", n=1)

    assert str(refused.value) == (
        "No price is set for openai:gpt-image-3 at 1K (high quality), so it cannot be used yet. "
        "Ask your operator to add a price rule in the admin."
    )


def test_a_missing_tier_names_the_model_by_its_label():
    PriceRule.objects.filter(model_id="openai:gpt-image-2", tier="4K").delete()

    with pytest.raises(PriceNotConfigured, match="No price is set for GPT Image 2 at 4K"):
        estimate(model_id="openai:gpt-image-2", size="3840x2160", quality="high", n=1)


@pytest.mark.parametrize("size", ["", "big", "1024", "1024x", "x1024", "0x1024", "-1x5", "10.5x20"])
def test_it_refuses_a_size_it_cannot_read(size):
    with pytest.raises(PricingError, match="is not a size"):
        estimate(model_id="openai:gpt-image-2", size=size, quality="high", n=1)


@pytest.mark.parametrize("n", [0, -1, 1.5, None])
def test_it_refuses_a_count_below_one(n):
    with pytest.raises(PricingError, match="at least 1"):
        estimate(model_id="openai:gpt-image-2", size="1024x1024", quality="high", n=n)


def test_the_price_table_shows_every_tier_and_quality_and_what_is_not_priced(django_assert_num_queries):
    PriceRuleFactory(model_id="openai:gpt-image-2", tier="4K", quality="high", credits=20)
    PriceRuleFactory(model_id="custom:model", tier="1K", quality="low", credits=3)

    with django_assert_num_queries(1):
        table = price_table(["openai:gpt-image-2", "custom:model"])

    assert table["openai:gpt-image-2"]["4K"] == {"low": 12, "medium": 12, "high": 20, "auto": 12}
    assert table["custom:model"]["1K"] == {"low": 3, "medium": None, "high": None, "auto": None}
    assert table["custom:model"]["2K"]["low"] is None


@pytest.mark.parametrize(
    ("size", "tier"), [("auto", "1K"), ("1024x1536", "1K"), ("2048×2048", "2K"), ("3840x2160", "4K")]
)
def test_a_size_as_the_studio_writes_it_has_a_tier(size, tier):
    assert tier_for_size(size) == tier
