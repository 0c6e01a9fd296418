"""The OpenAI engine and today's models over real HTTP: what it sends, and that it never sends what the API refuses."""

import pytest

from studio.engines.openai import OpenAIEngine
from studio.engines.types import EngineError, Final, PartialFrame
from tests.engines.factories import decode, image_bytes, markup_bytes, mask_bytes, openai_request, reference

pytestmark = pytest.mark.django_db

SUNBURST = "gpt-image-2.5-sunburst"


def run(fake, request):
    return list(OpenAIEngine().run(request, api_key=fake.api_key))


def refusal(fake, request):
    with pytest.raises(EngineError) as failure:
        run(fake, request)
    return failure.value


def test_it_sends_thinking_as_complexity_and_xhigh_quality_to_a_25_model(fake_openai):
    events = run(fake_openai, openai_request(SUNBURST, quality="xhigh", complexity="high", n=2, partial_images=1))

    [sent] = fake_openai.requests_to("/images/generations")
    assert sent.json["model"] == "gpt-image-2.5-sunburst"
    assert sent.json["quality"] == "xhigh" and sent.json["complexity"] == "high"
    assert isinstance(events[0], PartialFrame) and len(events[-1].images) == 2


def test_thinking_off_sends_no_complexity(fake_openai):
    run(fake_openai, openai_request(SUNBURST, n=2, partial_images=0))

    assert "complexity" not in fake_openai.requests[-1].json


def test_a_refinable_image_carries_complexity_in_the_responses_tool(fake_openai):
    final = run(fake_openai, openai_request("gpt-image-2.6-flare", complexity="medium", refinable=True))[-1]

    [sent] = fake_openai.requests_to("/responses")
    assert sent.json["tools"][0]["complexity"] == "medium"
    assert sent.json["tools"][0]["model"] == "gpt-image-2.6-flare"
    assert final.response_id


def test_it_sends_markup_as_a_multipart_file_beside_image_1(fake_openai):
    first = image_bytes((1024, 1024))
    request = openai_request(SUNBURST, references=(reference(first),), markup=markup_bytes(), refinable=True)

    final = run(fake_openai, request)[-1]

    [sent] = fake_openai.requests_to("/images/edits")
    assert [upload.content_type for upload in sent.files["markup"]] == ["image/png"]
    assert sent.files["markup"][0].image.size == (1024, 1024)
    assert "mask" not in sent.files
    assert not fake_openai.requests_to("/responses")  # markup exists only on images.edit
    assert final.usage["api"] == "images.edit"


def test_svg_is_asked_for_once_without_streaming_and_comes_back_as_svg(fake_openai):
    events = run(fake_openai, openai_request(SUNBURST, output_format="svg", partial_images=0, refinable=True))

    [sent] = fake_openai.requests_to("/images/generations")
    assert "stream" not in sent.json and "partial_images" not in sent.json and sent.json["n"] == 1
    [final] = events
    assert isinstance(final, Final) and final.output_format == "svg"
    assert final.images[0].startswith(b"<svg")


def test_gif_comes_back_as_an_animated_gif_without_streaming(fake_openai):
    [final] = run(fake_openai, openai_request(SUNBURST, output_format="gif", partial_images=0, n=2))

    image = decode(final.images[0])
    assert image.format == "GIF" and image.n_frames > 1
    assert len(final.images) == 2
    assert "stream" not in fake_openai.requests[-1].json


def test_mini_gets_its_low_input_fidelity_and_gpt_image_2_gets_none(fake_openai):
    run(fake_openai, openai_request("gpt-image-1-mini", references=(reference(),), input_fidelity="low"))
    run(fake_openai, openai_request("gpt-image-2", references=(reference(),), n=2))

    mini, two = fake_openai.requests_to("/images/edits")
    assert mini.params["input_fidelity"] == "low"
    assert "input_fidelity" not in two.params


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"model": "gpt-image-2", "references": (reference(),), "input_fidelity": "high"}, "input_fidelity"),
        ({"model": "gpt-image-2", "quality": "xhigh"}, "quality"),
        ({"model": "gpt-image-2.6-sunburst", "quality": "max"}, "quality"),
        ({"model": "gpt-image-1.5", "complexity": "low"}, "complexity"),
        ({"model": "gpt-image-2", "references": (reference(),), "markup": markup_bytes()}, "markup"),
        (
            {"model": SUNBURST, "references": (reference(),), "markup": markup_bytes(), "mask": mask_bytes()},
            "markup",
        ),
        ({"model": SUNBURST, "output_format": "svg", "partial_images": 2}, "partial_images"),
        ({"model": SUNBURST, "output_format": "svg", "partial_images": 0, "n": 3}, "output_format"),
        ({"model": "gpt-image-2", "output_format": "gif", "partial_images": 0}, "output_format"),
    ],
)
def test_the_engine_never_sends_what_the_api_would_refuse(fake_openai, changes, field):
    changes = dict(changes)
    failure = refusal(fake_openai, openai_request(changes.pop("model"), **changes))

    assert failure.kind == EngineError.USER and failure.param == field
    assert fake_openai.requests == []
