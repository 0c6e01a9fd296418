"""The OpenAI engine over real HTTP against the local fake: what the SDK sends, what comes back, how errors read."""

import httpx2
import openai
import pytest
from PIL import Image

from studio.engines.openai import OpenAIEngine, engine_error
from studio.engines.registry import refinement_request
from studio.engines.types import EngineError, Final, PartialFrame
from tests.engines.factories import decode, image_bytes, mask_bytes, openai_request, reference

pytestmark = pytest.mark.django_db


def run(fake, request, *, engine=None, api_key=None):
    return list((engine or OpenAIEngine()).run(request, api_key=api_key or fake.api_key))


def failure_of(fake, request, **kwargs):
    with pytest.raises(EngineError) as failure:
        run(fake, request, **kwargs)
    return failure.value


def test_it_generates_with_partial_frames_then_the_final(fake_openai):
    events = run(fake_openai, openai_request(size="1536x864", partial_images=2, n=1))

    assert [type(event) for event in events] == [PartialFrame, PartialFrame, Final]
    assert [event.index for event in events[:2]] == [0, 1]
    final = events[-1]
    assert decode(final.images[0]).size == (1536, 864)
    assert final.usage["engine"] == "openai" and final.usage["api"] == "images.generate"
    assert final.usage["provider_usage"]["output_tokens"] > 0
    assert final.response_id is None


def test_it_sends_the_documented_generation_parameters(fake_openai):
    run(fake_openai, openai_request(size="1536x864", quality="high", n=3, partial_images=1, user="user-42"))

    [sent] = fake_openai.requests_to("/images/generations")
    assert sent.headers["authorization"] == f"Bearer {fake_openai.api_key}"
    assert sent.json == {
        "model": "gpt-image-2",
        "prompt": "A lighthouse at dawn",
        "n": 3,
        "size": "1536x864",
        "quality": "high",
        "output_format": "png",
        "partial_images": 1,
        "stream": True,
        "safety_identifier": "user-42",
    }


def test_it_returns_every_image_of_a_batch(fake_openai):
    final = run(fake_openai, openai_request(n=3, partial_images=2))[-1]

    assert len(final.images) == 3 and len(set(final.images)) == 3


def test_partial_frames_stop_once_the_first_image_is_done(fake_openai):
    events = run(fake_openai, openai_request(n=2, partial_images=3))

    assert [event.index for event in events if isinstance(event, PartialFrame)] == [0, 1, 2]


def test_it_asks_for_jpeg_with_compression_and_gets_jpeg(fake_openai):
    final = run(fake_openai, openai_request(output_format="jpeg", output_compression=60, partial_images=0))[-1]

    assert decode(final.images[0]).format == "JPEG"
    assert fake_openai.requests[-1].json["output_compression"] == 60


def test_it_edits_several_images_with_a_mask_as_multipart(fake_openai):
    references = (reference(image_bytes(), name="product.png"), reference(image_bytes((512, 512), kind="JPEG")))

    final = run(fake_openai, openai_request(references=references, mask=mask_bytes(), partial_images=1))[-1]

    [sent] = fake_openai.requests_to("/images/edits")
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert [upload.filename for upload in sent.files["image[]"]] == ["product.png", "image-2.jpg"]
    assert [upload.content_type for upload in sent.files["image[]"]] == ["image/png", "image/jpeg"]
    assert sent.files["mask"][0].image.mode == "RGBA"
    assert sent.fields["model"] == ["gpt-image-2"]
    assert sent.fields["stream"] == ["true"]
    assert final.usage["api"] == "images.edit"


def test_it_never_sends_input_fidelity_for_gpt_image_2(fake_openai):
    run(fake_openai, openai_request(references=(reference(),)))

    assert "input_fidelity" not in fake_openai.requests_to("/images/edits")[0].fields


def test_it_sends_input_fidelity_for_gpt_image_15_when_set(fake_openai):
    run(
        fake_openai, openai_request("gpt-image-1.5", size="1024x1024", references=(reference(),), input_fidelity="high")
    )

    assert fake_openai.requests_to("/images/edits")[0].fields["input_fidelity"] == ["high"]


def test_a_masked_edit_keeps_the_kept_pixels_of_the_source_exactly(fake_openai):
    source = image_bytes()
    mask = mask_bytes(hole=(0, 0, 512, 512))

    final = run(fake_openai, openai_request(references=(reference(source),), mask=mask, size="1024x1024"))[-1]

    original, edited = decode(source).convert("RGBA"), decode(final.images[0]).convert("RGBA")
    keep, empty = decode(mask).getchannel("A"), Image.new("RGBA", original.size)
    assert Image.composite(edited, empty, keep).tobytes() == Image.composite(original, empty, keep).tobytes()
    assert edited.getpixel((100, 100)) != original.getpixel((100, 100))


def test_a_refinable_generation_goes_through_the_responses_api_and_keeps_its_id(fake_openai, settings):
    events = run(fake_openai, openai_request(refinable=True, partial_images=2))

    [sent] = fake_openai.requests_to("/responses")
    assert sent.json["model"] == settings.POSTFRAME_RESPONSES_MODEL
    assert sent.json["tool_choice"] == {"type": "image_generation"}
    assert sent.json["tools"][0]["model"] == "gpt-image-2"
    assert [type(event) for event in events] == [PartialFrame, PartialFrame, Final]
    assert events[-1].response_id in fake_openai.responses


def test_it_refines_through_previous_response_id(fake_openai):
    first = run(fake_openai, openai_request(refinable=True, partial_images=0))[-1]

    follow_up = refinement_request(
        model_id="openai:gpt-image-2",
        prompt="Make the sky pink",
        parent_image=first.images[0],
        response_id=first.response_id,
        partial_images=1,
    )
    events = run(fake_openai, follow_up)

    sent = fake_openai.requests_to("/responses")[-1].json
    assert sent["previous_response_id"] == first.response_id
    assert sent["input"] == "Make the sky pink"
    assert "input_fidelity" not in sent["tools"][0]
    assert [type(event) for event in events] == [PartialFrame, Final]
    assert events[-1].response_id not in (None, first.response_id)


def test_it_refines_an_image_without_a_response_id_by_sending_it_along(fake_openai):
    parent = run(fake_openai, openai_request(partial_images=0))[-1]

    request = refinement_request(model_id="openai:gpt-image-2", prompt="Warmer light", parent_image=parent.images[0])
    final = run(fake_openai, request)[-1]

    content = fake_openai.requests_to("/responses")[-1].json["input"][0]["content"]
    assert content[0] == {"type": "input_text", "text": "Warmer light"}
    assert content[1]["image_url"].startswith("data:image/png;base64,")
    assert final.response_id.startswith("resp_")


def test_refining_an_unknown_response_says_so(fake_openai):
    failure = failure_of(fake_openai, openai_request(previous_response_id="resp_gone"))

    assert failure.kind == EngineError.USER
    assert "Previous response with id 'resp_gone' not found" in failure.message
    assert failure.param == "previous_response_id"


def test_moderation_at_the_input_says_to_rephrase(fake_openai):
    failure = failure_of(fake_openai, openai_request(prompt="[moderation] something"))

    assert failure.kind == EngineError.MODERATION and failure.is_user_error
    assert "because of the prompt or the images sent with it" in failure.message


def test_moderation_of_the_output_says_the_image_was_blocked(fake_openai):
    failure = failure_of(fake_openai, openai_request(prompt="[moderation-output] something"))

    assert failure.kind == EngineError.MODERATION
    assert failure.message == "OpenAI's safety system blocked the image it made. Try a different prompt."


def test_a_request_openai_rejects_carries_its_message_and_param(fake_openai, settings):
    # A configured model the provider does not know: the fake answers 400 about the model.
    row = {**settings.POSTFRAME_IMAGE_MODELS["openai:gpt-image-2"], "api_model": "gpt-image-9"}
    settings.POSTFRAME_IMAGE_MODELS = {**settings.POSTFRAME_IMAGE_MODELS, "openai:gpt-image-9": row}

    failure = failure_of(fake_openai, openai_request("gpt-image-9"))

    assert failure.kind == EngineError.USER
    assert failure.message == "OpenAI rejected the request: Invalid value for 'model' = gpt-image-9."
    assert failure.param == "model"


def test_without_any_key_it_says_where_an_admin_adds_one_and_sends_nothing(fake_openai):
    with pytest.raises(EngineError) as failure:
        list(OpenAIEngine().run(openai_request(), api_key=None))

    assert failure.value.kind == EngineError.AUTH
    assert failure.value.message == (
        "No OpenAI key is set for this team; an admin can add one under Team → Provider keys."
    )
    assert fake_openai.requests == []


def test_the_instance_key_is_used_when_the_team_has_none(fake_openai, settings):
    settings.OPENAI_API_KEY = fake_openai.api_key

    events = list(OpenAIEngine().run(openai_request(partial_images=0), api_key=None))

    assert isinstance(events[-1], Final)


def test_a_refused_key_is_an_auth_error(fake_openai):
    failure = failure_of(fake_openai, openai_request(), api_key="sk-wrong-key-1234")

    assert failure.kind == EngineError.AUTH
    assert failure.message.startswith("OpenAI refused the API key (Incorrect API key provided")
    assert "Team → Provider keys" in failure.message


def test_a_rate_limit_is_retried_twice_then_reported(fake_openai):
    waits = []

    failure = failure_of(fake_openai, openai_request(prompt="[rate-limit]"), engine=OpenAIEngine(sleep=waits.append))

    assert failure.kind == EngineError.RATE_LIMIT and failure.retryable
    assert failure.message == "OpenAI is rate-limiting this key right now. Try again in a minute."
    assert len(fake_openai.requests) == 3
    assert waits == [0.0, 0.0]  # the fake's Retry-After


def test_a_passing_rate_limit_recovers_on_retry(fake_openai):
    events = run(
        fake_openai, openai_request(prompt="[rate-limit-once] a boat"), engine=OpenAIEngine(sleep=lambda _: None)
    )

    assert isinstance(events[-1], Final)
    assert len(fake_openai.requests) == 2


def test_an_exhausted_quota_is_not_retried_and_says_billing_is_needed(fake_openai):
    failure = failure_of(fake_openai, openai_request(prompt="[quota]"), engine=OpenAIEngine(sleep=lambda _: None))

    assert failure.kind == EngineError.RATE_LIMIT and not failure.retryable
    assert "run out of credit (insufficient quota)" in failure.message
    assert len(fake_openai.requests) == 1


def test_a_server_error_on_a_generation_is_never_retried(fake_openai):
    failure = failure_of(fake_openai, openai_request(prompt="[outage]"), engine=OpenAIEngine(sleep=lambda _: None))

    assert failure.kind == EngineError.OUTAGE
    assert failure.message == "OpenAI had a server error (500). Try again in a few minutes."
    assert len(fake_openai.requests) == 1


def test_an_error_inside_an_accepted_stream_is_an_outage_and_not_retried(fake_openai):
    failure = failure_of(fake_openai, openai_request(prompt="[stream-error]", partial_images=1))

    assert failure.kind == EngineError.OUTAGE
    assert len(fake_openai.requests) == 1


def test_an_error_event_in_a_responses_stream_is_an_outage(fake_openai):
    failure = failure_of(fake_openai, openai_request(prompt="[stream-error]", refinable=True, partial_images=1))

    assert failure.kind == EngineError.OUTAGE
    assert len(fake_openai.requests) == 1


def test_moderation_on_the_responses_path_reads_the_same(fake_openai):
    failure = failure_of(fake_openai, openai_request(prompt="[moderation] again", refinable=True))

    assert failure.kind == EngineError.MODERATION


def test_a_slow_answer_times_out_without_a_retry(fake_openai):
    engine = OpenAIEngine(timeout=openai.Timeout(0.5, connect=5), sleep=lambda _: None)

    failure = failure_of(fake_openai, openai_request(prompt="[slow] a forest"), engine=engine)

    assert failure.kind == EngineError.TIMEOUT
    assert failure.message.startswith("OpenAI did not answer within 0.5 seconds.")
    assert len(fake_openai.requests) == 1


def test_an_unreachable_server_is_an_outage_after_two_retries_of_the_connection(fake_openai, settings):
    fake_openai.stop()  # nothing listens on the port any more: the connection never opens
    waits = []

    failure = failure_of(fake_openai, openai_request(), engine=OpenAIEngine(sleep=waits.append))

    assert failure.kind == EngineError.OUTAGE
    assert failure.message == "Could not reach OpenAI. Check the server's network connection and try again."
    assert len(waits) == 2


def test_an_invalid_request_never_reaches_openai(fake_openai):
    failure = failure_of(fake_openai, openai_request(background="transparent"))

    assert failure.kind == EngineError.USER and failure.param == "background"
    assert fake_openai.requests == []


def test_the_default_timeout_reads_in_minutes():
    timeout = openai.APITimeoutError(request=httpx2.Request("POST", "https://api.openai.com/v1/images/generations"))

    assert engine_error(timeout).message.startswith("OpenAI did not answer within 10 minutes.")
