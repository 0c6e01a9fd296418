"""Validation of the controls today's models added: quality xhigh/max, thinking, markup, GIF and SVG."""

import io

import pytest
from PIL import Image

from studio.engines.validation import validate_request
from tests.engines.factories import draft_request, image_bytes, markup_bytes, mask_bytes, openai_request, reference

SUNBURST = "gpt-image-2.5-sunburst"


@pytest.mark.parametrize("quality", ["xhigh", "max"])
def test_the_25_line_takes_xhigh_and_max_quality(quality):
    assert validate_request(openai_request(SUNBURST, quality=quality)) == {}


@pytest.mark.parametrize("model", ["gpt-image-2", "gpt-image-2.6-flare", "gpt-image-1.5"])
def test_xhigh_is_refused_where_the_model_lacks_it_with_the_choices_in_words(model):
    errors = validate_request(openai_request(model, quality="xhigh"))

    assert errors["quality"].endswith("does not offer xhigh quality; choose low, medium, high or auto.")


@pytest.mark.parametrize("complexity", ["low", "medium", "high"])
def test_thinking_takes_low_medium_and_high(complexity):
    assert validate_request(openai_request(complexity=complexity)) == {}


def test_thinking_is_refused_on_a_model_that_does_not_plan():
    errors = validate_request(openai_request("gpt-image-1.5", complexity="high"))

    assert errors["complexity"] == "GPT Image 1.5 has no thinking mode; leave Thinking off or choose another model."


def test_thinking_refuses_an_unknown_level():
    assert validate_request(openai_request(complexity="extreme"))["complexity"] == (
        "Thinking must be off, low, medium or high."
    )


def test_svg_makes_one_image_without_live_frames_or_compression():
    assert validate_request(openai_request(SUNBURST, output_format="svg", partial_images=0)) == {}
    errors = validate_request(openai_request(SUNBURST, output_format="svg", n=2, partial_images=2))

    assert errors["output_format"] == "SVG makes one image at a time; set the number of images to 1."
    assert errors["partial_images"] == "SVG arrives in one piece, with no live frames; set partial frames to 0."
    compressed = validate_request(
        openai_request(SUNBURST, output_format="svg", partial_images=0, output_compression=50)
    )
    assert compressed["output_compression"] == "Compression applies only to JPEG and WebP, not to SVG."


def test_gif_has_no_mask_and_no_live_frames():
    request = openai_request(
        SUNBURST, output_format="gif", partial_images=1, references=(reference(),), mask=mask_bytes()
    )
    errors = validate_request(request)

    assert errors["output_format"] == "A masked edit cannot be made as GIF; choose PNG or WebP."
    assert "GIF arrives in one piece" in errors["partial_images"]


def test_svg_and_gif_are_refused_outside_the_25_line():
    errors = validate_request(openai_request("gpt-image-2", output_format="svg", partial_images=0))

    assert errors["output_format"] == "GPT Image 2 cannot make SVG; choose PNG, JPEG or WebP."


def test_markup_over_image_1_is_valid_on_the_25_line_and_the_draft_engine():
    first = reference(image_bytes((1024, 1024)))

    assert validate_request(openai_request(SUNBURST, references=(first,), markup=markup_bytes())) == {}
    assert validate_request(draft_request(references=(first,), markup=markup_bytes())) == {}


def test_markup_is_refused_on_a_model_without_it():
    errors = validate_request(openai_request("gpt-image-2", references=(reference(),), markup=markup_bytes()))

    assert errors["markup"] == ("GPT Image 2 does not take markup; choose a GPT Image 2.5 model or remove the markup.")


def test_markup_and_a_mask_are_exclusive():
    request = openai_request(SUNBURST, references=(reference(),), mask=mask_bytes(), markup=markup_bytes())

    assert validate_request(request)["markup"] == "Use either a mask or markup, not both: remove one of them."


def test_markup_needs_image_1_of_the_same_size_and_some_clear_pixels():
    assert "add Image 1 first" in validate_request(openai_request(SUNBURST, markup=markup_bytes()))["markup"]
    wrong_size = openai_request(SUNBURST, references=(reference(),), markup=markup_bytes((512, 512)))
    assert validate_request(wrong_size)["markup"] == (
        "The markup is 512×512 but Image 1 is 1024×1024; draw it again on Image 1."
    )
    opaque = openai_request(SUNBURST, references=(reference(),), markup=markup_bytes(mode="RGB"))
    assert "needs transparency" in validate_request(opaque)["markup"]


def test_empty_markup_is_refused_with_what_to_draw():
    buffer = io.BytesIO()
    Image.new("RGBA", (1024, 1024), (0, 0, 0, 0)).save(buffer, "PNG")
    errors = validate_request(openai_request(SUNBURST, references=(reference(),), markup=buffer.getvalue()))

    assert errors["markup"] == "The markup is empty: draw a stroke, arrow, box or label on Image 1."
