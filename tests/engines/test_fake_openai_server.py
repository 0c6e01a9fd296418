"""The fake OpenAI server rejects what the real API rejects, in OpenAI's error shape, through the real SDK."""

import base64

import httpx
import openai
import pytest

from tests.engines.factories import decode, image_bytes, mask_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(fake_openai):
    with openai.OpenAI(api_key=fake_openai.api_key, base_url=fake_openai.url, max_retries=0) as client:
        yield client


def rejection(call):
    with pytest.raises(openai.APIStatusError) as error:
        call()
    return error.value


def test_it_answers_a_non_streamed_generation_with_images_of_the_size_asked(client):
    result = client.images.generate(model="gpt-image-2", prompt="A kite", size="1536x864", n=2, output_format="webp")

    assert len(result.data) == 2
    image = decode(base64.b64decode(result.data[0].b64_json))
    assert image.size == (1536, 864) and image.format == "WEBP"
    assert result.usage.total_tokens > 0


def test_it_refuses_a_missing_key(fake_openai):
    answer = httpx.post(f"{fake_openai.url}/images/generations", json={"prompt": "x"})

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_api_key"
    assert set(answer.json()["error"]) >= {"message", "type", "param", "code"}


def test_it_refuses_an_unknown_key(fake_openai):
    with openai.OpenAI(api_key="sk-nope", base_url=fake_openai.url, max_retries=0) as client:
        error = rejection(lambda: client.images.generate(model="gpt-image-2", prompt="x"))

    assert error.status_code == 401 and error.code == "invalid_api_key"


def test_it_refuses_a_size_gpt_image_2_cannot_make(client):
    error = rejection(lambda: client.images.generate(model="gpt-image-2", prompt="x", size="1000x1000"))

    assert error.status_code == 400 and error.param == "size"


def test_it_refuses_a_custom_size_on_gpt_image_15(client):
    error = rejection(lambda: client.images.generate(model="gpt-image-1.5", prompt="x", size="1536x864"))

    assert error.param == "size"


def test_it_refuses_n_out_of_range(client):
    error = rejection(lambda: client.images.generate(model="gpt-image-2", prompt="x", n=11))

    assert error.param == "n" and error.code == "integer_above_max_value"


def test_it_refuses_more_than_three_partial_images(client):
    error = rejection(lambda: client.images.generate(model="gpt-image-2", prompt="x", partial_images=4, stream=True))

    assert error.param == "partial_images"


def test_it_refuses_a_transparent_background_for_gpt_image_2(client):
    error = rejection(lambda: client.images.generate(model="gpt-image-2", prompt="x", background="transparent"))

    assert error.param == "background"


def test_it_refuses_input_fidelity_for_gpt_image_2(client):
    error = rejection(
        lambda: client.images.edit(model="gpt-image-2", prompt="x", image=[image_bytes()], input_fidelity="high")
    )

    assert error.param == "input_fidelity"


def test_it_refuses_a_mask_of_another_size(client):
    error = rejection(
        lambda: client.images.edit(model="gpt-image-2", prompt="x", image=[image_bytes()], mask=mask_bytes((512, 512)))
    )

    assert error.param == "mask" and "same size" in error.message


def test_it_refuses_a_mask_without_alpha(client):
    error = rejection(
        lambda: client.images.edit(model="gpt-image-2", prompt="x", image=[image_bytes()], mask=mask_bytes(mode="RGB"))
    )

    assert error.param == "mask" and "alpha" in error.message


def test_it_refuses_an_unknown_previous_response_id(client):
    error = rejection(
        lambda: client.responses.create(
            model="gpt-5", input="again", previous_response_id="resp_missing", tools=[{"type": "image_generation"}]
        )
    )

    assert error.param == "previous_response_id"


def test_it_remembers_responses_so_they_can_be_continued(client, fake_openai):
    first = client.responses.create(
        model="gpt-5", input="A fox", tools=[{"type": "image_generation", "model": "gpt-image-2"}]
    )
    second = client.responses.create(
        model="gpt-5", input="Now at night", previous_response_id=first.id, tools=[{"type": "image_generation"}]
    )

    assert first.output[0].type == "image_generation_call" and first.output[0].result
    assert fake_openai.responses[second.id]["previous_response_id"] == first.id


def test_it_lists_models(client):
    assert "gpt-image-2" in {model.id for model in client.models.list()}
