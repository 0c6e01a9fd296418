"""The capability table matches what the openai SDK documents for each of today's image models."""

import typing

import pytest
from openai.types.image_model import ImageModel

from studio.engines.capabilities import RETIRED_MODELS, capabilities, image_models, successor_of

TODAYS_MODELS = [
    "gpt-image-2",
    "gpt-image-2-2026-04-21",
    "gpt-image-2.5-sunburst",
    "gpt-image-2.5-sunburst-2026-09-08",
    "gpt-image-2.5-flare",
    "gpt-image-2.5-flare-2026-09-08",
    "gpt-image-2.6-sunburst",
    "gpt-image-2.6-flare",
    "chatgpt-image-latest",
    "gpt-image-1.5",
    "gpt-image-1-mini",
]
LINE_25 = [m for m in TODAYS_MODELS if m.startswith("gpt-image-2.5")]


def test_every_current_gpt_image_model_of_the_sdk_is_offered_and_no_retired_one():
    offered = {caps.api_model for caps in image_models().values() if caps.provider == "openai"}
    sdk_models = set(typing.get_args(ImageModel))

    assert offered == set(TODAYS_MODELS)
    assert offered <= sdk_models
    assert not offered & {"gpt-image-1", "dall-e-2", "dall-e-3"}


def test_gpt_image_1_moves_to_the_successor_the_sdk_names():
    assert successor_of("openai:gpt-image-1") == "openai:gpt-image-2.5-sunburst"
    assert successor_of("openai:gpt-image-2") is None
    assert all(retired not in image_models() for retired in RETIRED_MODELS)
    assert all(row["successor"] in image_models() for row in RETIRED_MODELS.values())


@pytest.mark.parametrize("model", TODAYS_MODELS)
def test_only_the_25_line_offers_xhigh_max_markup_gif_and_svg(model):
    caps = capabilities(f"openai:{model}")
    in_25 = model in LINE_25

    assert ({"xhigh", "max"} <= set(caps.qualities)) is in_25
    assert caps.markup is in_25
    assert ({"gif", "svg"} <= set(caps.output_formats)) is in_25
    assert {"png", "jpeg", "webp"} <= set(caps.output_formats)
    assert caps.max_references == 16 and caps.max_n == 10 and caps.max_prompt_chars == 32_000


def test_input_fidelity_follows_the_sdk():
    assert capabilities("openai:gpt-image-1.5").fidelities == ("low", "high")
    assert capabilities("openai:gpt-image-1-mini").fidelities == ("low",)
    assert capabilities("openai:gpt-image-2").fidelities == ()
    assert capabilities("openai:gpt-image-2").input_fidelity == "always-high"


def test_custom_sizes_are_for_gpt_image_2_and_the_25_line_only():
    custom = {m for m in TODAYS_MODELS if capabilities(f"openai:{m}").sizes["mode"] == "custom"}

    assert custom == {"gpt-image-2", "gpt-image-2-2026-04-21", *LINE_25}


def test_thinking_is_offered_from_gpt_image_2_on_and_by_the_offline_engine():
    assert capabilities("openai:gpt-image-2.5-flare").complexity
    assert capabilities("local:draft").complexity
    assert not capabilities("openai:gpt-image-1.5").complexity
    assert not capabilities("openai:gpt-image-1-mini").complexity


def test_a_settings_row_with_lists_reads_like_a_built_in_one(settings):
    row = {**settings.POSTFRAME_IMAGE_MODELS["openai:gpt-image-2"], "qualities": ["low", "high"], "label": "Mine"}
    settings.POSTFRAME_IMAGE_MODELS = {**settings.POSTFRAME_IMAGE_MODELS, "openai:mine": row}

    assert capabilities("openai:mine").qualities == ("low", "high")
