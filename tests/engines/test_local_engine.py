"""The offline draft engine: deterministic, honours every parameter, sets quoted text, edits through masks."""

import pytest
from PIL import Image, ImageChops, ImageStat

from studio.engines.local import LocalDraftEngine, quoted_text
from studio.engines.registry import refinement_request
from studio.engines.types import EngineError, Final, PartialFrame
from tests.engines.factories import decode, draft_request, image_bytes, mask_bytes, reference

pytestmark = pytest.mark.django_db


def run(request):
    return list(LocalDraftEngine().run(request))


def final_of(request):
    events = run(request)
    assert isinstance(events[-1], Final)
    return events[-1]


def mean_difference(first, second):
    return sum(ImageStat.Stat(ImageChops.difference(first.convert("RGB"), second.convert("RGB"))).mean) / 3


def test_the_same_request_gives_byte_identical_images_and_the_same_response_id():
    request = draft_request(prompt='A "Spring launch" banner', quality="high", n=2, partial_images=3)

    first, second = run(request), run(request)

    assert [event.image if isinstance(event, PartialFrame) else event.images for event in first] == [
        event.image if isinstance(event, PartialFrame) else event.images for event in second
    ]
    assert first[-1].response_id == second[-1].response_id


def test_another_seed_gives_another_image():
    assert final_of(draft_request(seed=1)).images != final_of(draft_request(seed=2)).images


def test_image_i_of_n_is_the_image_of_seed_plus_i():
    batch = final_of(draft_request(n=3, seed=10)).images

    assert len(set(batch)) == 3
    assert batch[2] == final_of(draft_request(n=1, seed=12)).images[0]


def test_it_makes_the_size_asked_for():
    final = final_of(draft_request(size="1536x864"))

    assert decode(final.images[0]).size == (1536, 864)
    assert final.usage["size"] == "1536x864"


def test_auto_size_is_square_without_references_and_follows_the_first_reference_with_them():
    assert decode(final_of(draft_request(size="auto")).images[0]).size == (1024, 1024)
    wide = reference(image_bytes((1200, 800)))

    assert decode(final_of(draft_request(size="auto", references=(wide,))).images[0]).size == (1248, 832)


def test_higher_quality_draws_more_detail():
    low = decode(final_of(draft_request(quality="low", size="1024x1024")).images[0]).convert("RGB")
    high = decode(final_of(draft_request(quality="high", size="1024x1024")).images[0]).convert("RGB")

    assert len(low.getcolors(maxcolors=1 << 24)) < len(high.getcolors(maxcolors=1 << 24)) / 10


@pytest.mark.parametrize(("output_format", "pillow_format"), [("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WEBP")])
def test_it_encodes_the_format_asked_for(output_format, pillow_format):
    final = final_of(draft_request(output_format=output_format))

    assert decode(final.images[0]).format == pillow_format
    assert final.output_format == output_format


def test_more_compression_makes_a_smaller_jpeg():
    light = final_of(draft_request(quality="high", output_format="jpeg", output_compression=95)).images[0]
    heavy = final_of(draft_request(quality="high", output_format="jpeg", output_compression=20)).images[0]

    assert len(heavy) < len(light)


def test_a_transparent_background_has_real_alpha():
    image = decode(final_of(draft_request(background="transparent", quality="medium")).images[0])

    assert image.mode == "RGBA"
    low, high = image.getchannel("A").getextrema()
    assert low == 0 and high == 255


def test_partial_frames_come_first_coarse_to_fine():
    events = run(draft_request(quality="high", partial_images=3))
    frames, final = events[:-1], decode(events[-1].images[0])

    assert [frame.index for frame in frames] == [0, 1, 2]
    assert all(isinstance(frame, PartialFrame) for frame in frames)
    distances = [mean_difference(decode(frame.image), final) for frame in frames]
    assert distances[0] > distances[1] > distances[2] > 0
    assert all(decode(frame.image).size == final.size for frame in frames)


def test_opaque_frames_come_as_light_jpegs_and_transparent_ones_keep_their_alpha():
    opaque = run(draft_request(partial_images=2))[:-1]
    transparent = run(draft_request(partial_images=2, background="transparent"))[:-1]

    assert [(frame.output_format, decode(frame.image).format) for frame in opaque] == [("jpeg", "JPEG")] * 2
    assert all(decode(frame.image).mode == "RGBA" for frame in transparent)


def test_it_emits_exactly_the_partial_frames_asked_for():
    assert [type(event) for event in run(draft_request(partial_images=1))] == [PartialFrame, Final]
    assert [type(event) for event in run(draft_request(partial_images=0))] == [Final]


def test_it_finds_quoted_text_in_the_prompt():
    assert quoted_text('A poster saying "Summer sale" and “50% off”') == ["Summer sale", "50% off"]


def test_quoted_text_is_set_large_with_strong_contrast_in_the_middle():
    image = decode(final_of(draft_request(prompt='A beach poster "SUMMER SALE"', size="1024x1024")).images[0])
    middle = image.convert("L").crop((256, 384, 768, 640))
    histogram = middle.histogram()
    ink, panel = sum(histogram[240:]), sum(histogram[:40])

    assert ink > 0.04 * middle.width * middle.height  # the letters
    assert panel > 0.2 * middle.width * middle.height  # the dark panel behind them


def test_a_prompt_without_quotes_has_no_text_panel():
    image = decode(final_of(draft_request(prompt="A beach poster, summer sale", size="1024x1024")).images[0])
    histogram = image.convert("L").crop((256, 384, 768, 640)).histogram()

    assert sum(histogram[240:]) < 0.01 * 512 * 256


def test_references_give_the_palette():
    red = reference(image_bytes((256, 256), colour=(220, 20, 20), pattern=False))
    blue = reference(image_bytes((256, 256), colour=(20, 20, 220), pattern=False))

    reddish = ImageStat.Stat(decode(final_of(draft_request(references=(red,), seed=5)).images[0]).convert("RGB")).mean
    bluish = ImageStat.Stat(decode(final_of(draft_request(references=(blue,), seed=5)).images[0]).convert("RGB")).mean

    assert reddish[0] > reddish[2] and bluish[2] > bluish[0]


def test_a_masked_edit_leaves_every_kept_pixel_byte_identical():
    source = image_bytes((768, 512))
    mask = mask_bytes((768, 512), hole=(200, 100, 500, 400))

    final = final_of(draft_request(prompt='Add a "NEW" badge', references=(reference(source),), mask=mask, size="auto"))

    edited = decode(final.images[0]).convert("RGBA")
    original = decode(source).convert("RGBA")
    keep = decode(mask).getchannel("A")
    kept_source = Image.composite(original, Image.new("RGBA", original.size), keep)
    kept_result = Image.composite(edited, Image.new("RGBA", edited.size), keep)
    assert edited.size == original.size
    assert kept_result.tobytes() == kept_source.tobytes()
    changed = ImageChops.difference(original.crop((200, 100, 500, 400)), edited.crop((200, 100, 500, 400)))
    assert changed.getbbox(alpha_only=False)


def test_a_masked_edit_may_be_webp_and_stays_exact():
    source = image_bytes((640, 1024))
    mask = mask_bytes((640, 1024))

    final = final_of(draft_request(references=(reference(source),), mask=mask, output_format="webp"))

    keep = decode(mask).getchannel("A")
    original, edited = decode(source).convert("RGBA"), decode(final.images[0]).convert("RGBA")
    empty = Image.new("RGBA", original.size)
    assert Image.composite(edited, empty, keep).tobytes() == Image.composite(original, empty, keep).tobytes()


def test_refining_keeps_the_parent_recognisable_and_changes_it():
    parent = final_of(draft_request(prompt="A teal product card", quality="medium")).images[0]
    unrelated = final_of(draft_request(prompt="Something else entirely", quality="medium", seed=99)).images[0]

    child = final_of(
        refinement_request(
            model_id="local:draft",
            prompt='Make it warmer and add "v2"',
            parent_image=parent,
            response_id="draft_x",
            quality="medium",
            partial_images=0,
        )
    )

    assert child.images[0] != parent
    assert mean_difference(decode(child.images[0]), decode(parent)) < mean_difference(decode(unrelated), decode(parent))
    assert child.response_id.startswith("draft_")


def test_usage_says_it_is_the_local_engine():
    usage = final_of(draft_request(n=2)).usage

    assert usage["engine"] == "local" and usage["images"] == 2


def test_an_invalid_request_fails_with_the_users_message_and_field():
    with pytest.raises(EngineError) as failure:
        run(draft_request(size="1000x1000"))

    assert failure.value.kind == EngineError.USER
    assert failure.value.param == "size"
    assert failure.value.message == "Both edges must be multiples of 16 (1000 is not)."


def test_a_large_drafts_frames_are_previews_of_its_composition_coarse_to_fine():
    events = run(draft_request(size="2048x2048", quality="high", partial_images=3, prompt='A "Big sale" poster'))
    frames, final = [decode(event.image) for event in events[:-1]], decode(events[-1].images[0])

    assert final.size == (2048, 2048)
    assert all(frame.size == (1024, 1024) for frame in frames)  # a preview, reduced by a whole factor
    shrunk = final.resize((1024, 1024), Image.Resampling.BOX)
    distances = [mean_difference(frame, shrunk) for frame in frames]
    assert distances[0] > distances[1] > distances[2]
    # Each frame is visibly finer: more distinct blocks of colour along a row.
    detail = [len(_colours_along_the_middle_row(frame)) for frame in frames]
    assert detail[0] < detail[1] < detail[2]


def _colours_along_the_middle_row(image):
    row = image.convert("RGB").crop((0, image.height // 2, image.width, image.height // 2 + 1)).tobytes()
    return {row[i : i + 3] for i in range(0, len(row), 3)}


def test_frames_keep_the_outputs_shape_at_any_size():
    for size, shown in (("1536x1024", (768, 512)), ("1024x1536", (512, 768)), ("3840x2160", (960, 540))):
        frames = run(draft_request(size=size, partial_images=2))[:-1]
        assert [decode(frame.image).size for frame in frames] == [shown, shown], size
