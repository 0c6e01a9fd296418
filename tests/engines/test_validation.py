"""validate_request: every rule of the capability table, with the message shown beside its field."""

import io

import pytest
from PIL import Image

from studio.engines.validation import validate_request
from tests.engines.factories import draft_request, image_bytes, mask_bytes, openai_request, reference

pytestmark = pytest.mark.django_db


def test_a_plain_request_is_valid():
    assert validate_request(openai_request()) == {}
    assert validate_request(draft_request()) == {}


def test_it_refuses_an_unknown_model():
    assert validate_request(draft_request(model_id="acme:imagine")) == {
        "model_id": "Choose one of the available models."
    }


def test_it_asks_for_a_prompt():
    assert validate_request(draft_request(prompt="   "))["prompt"] == "Write a prompt describing the image."


def test_it_says_how_long_the_prompt_is_and_what_the_model_takes():
    errors = validate_request(openai_request(prompt="x" * 32_450))

    assert errors["prompt"] == "The prompt is 32,450 characters; GPT Image 2 takes at most 32,000."


@pytest.mark.parametrize("n", [0, 11])
def test_it_keeps_the_count_within_the_models_range(n):
    assert validate_request(openai_request(n=n))["n"] == "Choose between 1 and 10 images."


def test_it_refuses_an_unknown_quality():
    assert validate_request(openai_request(quality="ultra"))["quality"] == "Quality must be low, medium, high or auto."


def test_it_refuses_an_unknown_format():
    assert (
        validate_request(openai_request(output_format="bmp"))["output_format"]
        == "The format must be PNG, JPEG or WebP."
    )


def test_it_allows_compression_only_for_jpeg_and_webp():
    errors = validate_request(openai_request(output_format="png", output_compression=80))

    assert errors["output_compression"] == "Compression applies only to JPEG and WebP; PNG is always lossless."
    assert validate_request(openai_request(output_format="webp", output_compression=80)) == {}


def test_it_keeps_compression_between_0_and_100():
    errors = validate_request(openai_request(output_format="jpeg", output_compression=101))

    assert errors["output_compression"] == "Compression must be a whole number from 0 to 100."


def test_it_refuses_a_transparent_background_on_gpt_image_2():
    errors = validate_request(openai_request(background="transparent"))

    assert "GPT Image 2 cannot make transparent backgrounds" in errors["background"]


def test_it_allows_a_transparent_background_on_gpt_image_15_but_not_as_jpeg():
    assert validate_request(openai_request("gpt-image-1.5", background="transparent")) == {}
    errors = validate_request(openai_request("gpt-image-1.5", background="transparent", output_format="jpeg"))

    assert errors["background"] == "A transparent background needs PNG or WebP; JPEG has no transparency."


def test_it_refuses_input_fidelity_for_gpt_image_2_which_is_always_high():
    errors = validate_request(openai_request(input_fidelity="high", references=(reference(),)))

    assert "always matches input images at high fidelity" in errors["input_fidelity"]


def test_it_refuses_input_fidelity_where_the_model_has_no_such_setting():
    errors = validate_request(openai_request("gpt-image-2.6-flare", input_fidelity="low"))

    assert errors["input_fidelity"] == "GPT Image 2.6 Flare has no input fidelity setting; leave it unset."


def test_gpt_image_1_mini_takes_low_input_fidelity_only():
    assert validate_request(openai_request("gpt-image-1-mini", input_fidelity="low", references=(reference(),))) == {}
    errors = validate_request(openai_request("gpt-image-1-mini", input_fidelity="high", references=(reference(),)))

    assert errors["input_fidelity"] == "GPT Image 1 Mini takes input fidelity low only."


def test_it_accepts_input_fidelity_where_the_model_has_the_choice():
    assert validate_request(openai_request("gpt-image-1.5", input_fidelity="high", references=(reference(),))) == {}


@pytest.mark.parametrize("partial_images", [-1, 4])
def test_it_keeps_partial_frames_between_0_and_3(partial_images):
    assert (
        validate_request(openai_request(partial_images=partial_images))["partial_images"]
        == "Partial frames can be 0 to 3."
    )


def test_it_explains_a_size_the_model_cannot_make():
    errors = validate_request(openai_request(size="1000x1000"))

    assert errors["size"] == "Both edges must be multiples of 16 (1000 is not)."


def test_it_refuses_a_custom_size_on_a_fixed_size_model():
    assert "makes only" in validate_request(openai_request("gpt-image-1.5", size="1536x864"))["size"]


def test_it_counts_references_against_the_models_limit():
    errors = validate_request(openai_request(references=tuple(reference(image_bytes((64, 64))) for _ in range(17))))

    assert errors["references"] == "GPT Image 2 takes at most 16 images (this has 17)."


def test_it_refuses_a_reference_that_is_not_an_image_by_its_content():
    svg = reference(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", name="logo.png")

    assert (
        validate_request(openai_request(references=(svg,)))["references"]
        == "logo.png is not a PNG, JPEG or WebP image."
    )


def test_it_refuses_a_gif_even_though_pillow_could_read_it():
    gif = reference(image_bytes((64, 64), kind="GIF"), name="anim.gif")

    assert "is not a PNG, JPEG or WebP image" in validate_request(openai_request(references=(gif,)))["references"]


def test_it_refuses_a_reference_of_50_mb_or_more():
    big = reference(image_bytes((64, 64)) + b"\0" * (50 * 1024 * 1024), name="huge.png")

    assert "each image must be under 50 MB" in validate_request(openai_request(references=(big,)))["references"]


def test_it_refuses_a_decompression_bomb_without_decoding_it(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    bomb = reference(image_bytes((64, 64), pattern=False), name="bomb.png")

    assert (
        validate_request(openai_request(references=(bomb,)))["references"]
        == "bomb.png has too many pixels to open safely."
    )


def test_it_accepts_png_jpeg_and_webp_references():
    references = tuple(reference(image_bytes((64, 64), kind=kind)) for kind in ("PNG", "JPEG", "WEBP"))

    assert validate_request(openai_request(references=references)) == {}


def test_it_needs_an_image_before_a_mask():
    errors = validate_request(openai_request(mask=mask_bytes()))

    assert errors["mask"] == "A mask needs an image to edit: add the image first."


def test_it_needs_the_mask_to_be_a_png():
    errors = validate_request(openai_request(references=(reference(),), mask=image_bytes(kind="JPEG")))

    assert errors["mask"] == "The mask must be a PNG image."


def test_it_needs_the_mask_to_have_an_alpha_channel():
    errors = validate_request(openai_request(references=(reference(),), mask=mask_bytes(mode="RGB")))

    assert errors["mask"] == "The mask needs an alpha channel: transparent where the image should change."


def test_it_needs_the_mask_to_match_the_first_image():
    errors = validate_request(openai_request(references=(reference(),), mask=mask_bytes((512, 512))))

    assert errors["mask"] == "The mask is 512×512 but the first image is 1024×1024; they must be the same size."


def test_it_refuses_jpeg_for_a_masked_edit_whose_kept_pixels_must_stay_exact():
    errors = validate_request(openai_request(references=(reference(),), mask=mask_bytes(), output_format="jpeg"))

    assert "needs PNG or WebP" in errors["output_format"]


def test_it_refuses_a_mask_on_a_model_without_masks(settings):
    row = {**settings.POSTFRAME_IMAGE_MODELS["openai:gpt-image-2"], "mask": False, "label": "No Mask Model"}
    settings.POSTFRAME_IMAGE_MODELS = {**settings.POSTFRAME_IMAGE_MODELS, "openai:no-mask": row}

    errors = validate_request(openai_request("no-mask", references=(reference(),), mask=mask_bytes()))

    assert errors["mask"] == "No Mask Model does not take masks."


def test_a_refinement_makes_one_image():
    errors = validate_request(openai_request(previous_response_id="resp_1", n=2))

    assert errors["previous_response_id"] == "A refinement makes one image at a time."


def test_the_draft_engine_needs_the_parent_image_to_refine():
    errors = validate_request(draft_request(previous_response_id="draft_1"))

    assert "include the image being refined" in errors["previous_response_id"]


def test_it_reports_every_field_at_once():
    errors = validate_request(openai_request(prompt="", n=0, size="10x10", partial_images=9))

    assert set(errors) == {"prompt", "n", "size", "partial_images"}


def test_a_truncated_png_is_refused():
    data = image_bytes((256, 256))
    broken = reference(data[: len(data) // 2], name="cut.png")

    assert "is not a PNG, JPEG or WebP image" in validate_request(openai_request(references=(broken,)))["references"]


def test_an_rgba_reference_is_fine():
    buffer = io.BytesIO()
    Image.new("RGBA", (64, 64), (1, 2, 3, 0)).save(buffer, "PNG")

    assert validate_request(openai_request(references=(reference(buffer.getvalue()),))) == {}
