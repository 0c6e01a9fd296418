"""The fake refuses, per model and in OpenAI's error shape, what the real API refuses for today's image models."""

import base64
import io

import openai
import pytest
from PIL import Image

from tests.engines.factories import decode, image_bytes, markup_bytes, mask_bytes

pytestmark = pytest.mark.django_db

SUNBURST = "gpt-image-2.5-sunburst"


@pytest.fixture
def client(fake_openai):
    with openai.OpenAI(api_key=fake_openai.api_key, base_url=fake_openai.url, max_retries=0) as client:
        yield client


def rejection(call):
    with pytest.raises(openai.APIStatusError) as error:
        call()
    return error.value


def png(size, colour):
    buffer = io.BytesIO()
    Image.new("RGBA", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("model", ["gpt-image-2", "gpt-image-2.6-flare", "chatgpt-image-latest", "gpt-image-1.5"])
def test_it_refuses_xhigh_outside_the_25_line(client, model):
    error = rejection(lambda: client.images.generate(model=model, prompt="x", quality="xhigh"))

    assert error.status_code == 400 and error.param == "quality" and error.code == "invalid_value"


def test_it_accepts_max_quality_and_complexity_on_a_25_model(client):
    result = client.images.generate(model=SUNBURST, prompt="x", quality="max", complexity="high")

    assert result.quality == "max"


def test_it_refuses_complexity_on_gpt_image_15(client):
    error = rejection(lambda: client.images.generate(model="gpt-image-1.5", prompt="x", complexity="low"))

    assert error.param == "complexity" and error.code == "unsupported_parameter"


def test_it_refuses_input_fidelity_high_on_mini(client):
    error = rejection(
        lambda: client.images.edit(model="gpt-image-1-mini", prompt="x", image=image_bytes(), input_fidelity="high")
    )

    assert error.param == "input_fidelity" and error.code == "invalid_value"


def test_it_refuses_svg_when_streamed_with_several_images_or_outside_the_25_line(client):
    streamed = rejection(lambda: client.images.generate(model=SUNBURST, prompt="x", output_format="svg", stream=True))
    several = rejection(lambda: client.images.generate(model=SUNBURST, prompt="x", output_format="svg", n=2))
    elsewhere = rejection(lambda: client.images.generate(model="gpt-image-2", prompt="x", output_format="svg"))

    assert (streamed.param, several.param, elsewhere.param) == ("stream", "n", "output_format")


def test_it_refuses_compression_and_partial_images_with_gif(client):
    compressed = rejection(
        lambda: client.images.generate(model=SUNBURST, prompt="x", output_format="gif", output_compression=50)
    )
    partial = rejection(
        lambda: client.images.generate(model=SUNBURST, prompt="x", output_format="gif", partial_images=2)
    )

    assert compressed.param == "output_compression" and partial.param == "partial_images"


def test_it_answers_svg_and_gif_as_base64_documents(client):
    svg = client.images.generate(model=SUNBURST, prompt="A logo", output_format="svg", size="1024x1024")
    gif = client.images.generate(model=SUNBURST, prompt="A logo", output_format="gif", size="1024x1024")

    assert base64.b64decode(svg.data[0].b64_json).startswith(b"<svg")
    assert decode(base64.b64decode(gif.data[0].b64_json)).format == "GIF"


def test_it_refuses_markup_with_a_mask(client):
    error = rejection(
        lambda: client.images.edit(
            model=SUNBURST, prompt="x", image=image_bytes(), mask=mask_bytes(), markup=markup_bytes()
        )
    )

    assert error.param == "markup"


def test_it_refuses_markup_on_a_model_without_it(client):
    error = rejection(
        lambda: client.images.edit(model="gpt-image-2", prompt="x", image=image_bytes(), markup=markup_bytes())
    )

    assert error.param == "markup" and error.code == "unsupported_parameter"


def test_it_refuses_markup_of_another_size_or_without_clear_pixels(client):
    other_size = rejection(
        lambda: client.images.edit(model=SUNBURST, prompt="x", image=image_bytes(), markup=markup_bytes((512, 512)))
    )
    opaque = rejection(
        lambda: client.images.edit(
            model=SUNBURST, prompt="x", image=image_bytes(), markup=png((1024, 1024), (255, 0, 0, 255))
        )
    )

    assert other_size.code == "invalid_image_dimensions"
    assert opaque.code == "invalid_image_format"


def test_it_accepts_markup_over_image_1_on_a_25_model(client):
    result = client.images.edit(model=SUNBURST, prompt="Move the logo", image=image_bytes(), markup=markup_bytes())

    assert decode(base64.b64decode(result.data[0].b64_json)).size == (1024, 1024)


def test_it_answers_gpt_image_1_as_a_model_that_was_shut_down(client):
    error = rejection(lambda: client.images.generate(model="gpt-image-1", prompt="x"))

    assert error.status_code == 404 and error.code == "model_not_found"
    assert "shut down on October 23, 2026" in error.message
