"""The size picker's presets per model, and custom sizes checked with the rule in words."""

import pytest

from studio.engines.sizes import (
    nearest_size,
    resolve_size,
    size_options,
    tier_for_size,
    validate_custom_size,
    validate_size,
)

pytestmark = pytest.mark.django_db


def sizes_of(model_id):
    return {(option.aspect, option.tier): option.size for option in size_options(model_id)}


def test_it_offers_fixed_size_models_only_their_three_sizes_and_auto():
    options = sizes_of("openai:gpt-image-1.5")

    assert options[("auto", None)] == "auto"
    assert options[("1:1", "1K")] == "1024x1024"
    for aspect in ("3:2", "4:3", "16:9"):
        assert options[(aspect, "1K")] == "1536x1024"
    for aspect in ("2:3", "3:4", "9:16", "4:5"):
        assert options[(aspect, "1K")] == "1024x1536"
    assert set(options.values()) == {"auto", "1024x1024", "1536x1024", "1024x1536"}


def test_it_hides_2k_and_4k_from_fixed_size_models():
    tiers = {option.tier for option in size_options("openai:gpt-image-1-mini")}

    assert tiers == {None, "1K"}
    with pytest.raises(ValueError, match="makes only 1K sizes"):
        resolve_size("openai:gpt-image-1.5", "16:9", "4K")


def test_it_offers_custom_size_models_every_aspect_at_every_tier():
    options = sizes_of("openai:gpt-image-2")

    assert len(options) == 1 + 8 * 3
    assert options[("1:1", "1K")] == "1024x1024"
    assert options[("16:9", "2K")] == "2560x1440"
    assert options[("16:9", "4K")] == "3840x2160"
    assert options[("9:16", "4K")] == "2160x3840"
    assert options[("1:1", "4K")] == "2880x2880"


def test_every_offered_custom_size_is_valid_and_close_to_its_aspect():
    for option in size_options("openai:gpt-image-2"):
        if option.size == "auto":
            continue
        width, height = option.dimensions
        assert validate_custom_size("openai:gpt-image-2", width, height) is None, option
        wanted = [int(part) for part in option.aspect.split(":")]
        assert abs(width / height - wanted[0] / wanted[1]) / (wanted[0] / wanted[1]) < 0.01, option


def test_it_marks_sizes_above_2560x1440_as_experimental():
    by_key = {(option.aspect, option.tier): option for option in size_options("openai:gpt-image-2")}

    assert by_key[("16:9", "4K")].experimental
    assert "experimental" in by_key[("16:9", "4K")].label
    assert not by_key[("16:9", "2K")].experimental
    assert not by_key[("1:1", "1K")].experimental


def test_tiers_grow_from_1k_to_4k():
    for aspect in ("1:1", "4:5", "16:9", "3:2"):
        pixels = []
        for tier in ("1K", "2K", "4K"):
            width, height = (int(edge) for edge in resolve_size("local:draft", aspect, tier).split("x"))
            pixels.append(width * height)
        assert pixels == sorted(pixels) and len(set(pixels)) == 3


def test_auto_resolves_to_auto():
    assert resolve_size("openai:gpt-image-2", "auto", "4K") == "auto"


def test_it_refuses_an_unknown_aspect():
    with pytest.raises(ValueError, match="Unknown aspect"):
        resolve_size("openai:gpt-image-2", "5:1", "1K")


def test_it_explains_an_edge_that_is_not_a_multiple_of_16():
    assert validate_custom_size("openai:gpt-image-2", 1000, 1024) == "Both edges must be multiples of 16 (1000 is not)."


def test_it_explains_a_long_edge_above_3840():
    assert validate_custom_size("openai:gpt-image-2", 4096, 1536) == "The long edge can be at most 3840 px."


def test_it_explains_a_ratio_beyond_3_to_1():
    assert validate_custom_size("openai:gpt-image-2", 3264, 1056) == "The ratio can be at most 3:1."


def test_it_explains_too_few_pixels():
    assert validate_custom_size("openai:gpt-image-2", 640, 640) == (
        "The image must have between 655,360 and 8,294,400 pixels (this is 409,600)."
    )


def test_it_explains_the_sizes_a_fixed_size_model_makes():
    assert validate_custom_size("openai:gpt-image-1.5", 1536, 864) == (
        "GPT Image 1.5 makes only 1024×1024, 1536×1024 or 1024×1536 images."
    )


def test_it_accepts_a_custom_size_within_the_rules():
    assert validate_size("openai:gpt-image-2", "1536x864") is None


def test_it_asks_for_the_widthxheight_form():
    assert "WIDTHxHEIGHT" in validate_size("openai:gpt-image-2", "big")


def test_nearest_size_follows_a_source_images_ratio():
    assert nearest_size("openai:gpt-image-1.5", 4000 / 3000) == "1536x1024"
    assert nearest_size("local:draft", 1.5) == "1248x832"


def test_price_bands_follow_pixel_counts():
    assert tier_for_size("1536x1024") == "1K"
    assert tier_for_size("2560x1440") == "2K"
    assert tier_for_size("3840x2160") == "4K"
    assert tier_for_size("auto") == "1K"
