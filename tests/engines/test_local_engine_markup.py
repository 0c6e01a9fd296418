"""The offline draft engine honours markup visibly and takes today's controls (thinking, xhigh/max quality)."""

from studio.engines.local import LocalDraftEngine
from studio.engines.types import Final
from tests.engines.factories import decode, draft_request, image_bytes, markup_bytes, reference

BOX = (600, 100, 900, 400)


def final_of(request):
    return [event for event in LocalDraftEngine().run(request) if isinstance(event, Final)][0]


def test_markup_keeps_image_1_away_from_the_marks_and_edits_inside_them_in_the_marks_colour():
    source = image_bytes((1024, 1024), colour=(240, 240, 240), pattern=False)
    request = draft_request(references=(reference(source),), markup=markup_bytes(box=BOX), size="1024x1024")

    draft = decode(final_of(request).images[0]).convert("RGB")

    assert draft.size == (1024, 1024)
    assert draft.getpixel((100, 800)) == (240, 240, 240)  # far from the box: Image 1 exactly
    red, green, blue = draft.getpixel((BOX[0] + 4, (BOX[1] + BOX[3]) // 2))  # on the box's stroke
    assert red > green + 60 and red > blue + 60
    inside = draft.crop((BOX[0] + 20, BOX[1] + 20, BOX[2] - 20, BOX[3] - 20)).getcolors(1_000_000)
    assert len(inside) > 1 and max(inside)[1] != (240, 240, 240)  # the edit happened inside the box


def test_a_markup_draft_is_deterministic_and_differs_from_one_without_markup():
    source = image_bytes((1024, 1024))
    marked = draft_request(references=(reference(source),), markup=markup_bytes(box=BOX), size="1024x1024")
    plain = draft_request(references=(reference(source),), size="1024x1024")

    assert final_of(marked).images == final_of(marked).images
    assert final_of(marked).images != final_of(plain).images


def test_thinking_changes_the_drafts_layout_deterministically():
    off, on = draft_request(seed=7), draft_request(seed=7, complexity="high")

    assert final_of(on).images == final_of(on).images
    assert final_of(on).images != final_of(off).images


def test_xhigh_and_max_quality_draw_without_error():
    for quality in ("xhigh", "max"):
        assert decode(final_of(draft_request(quality=quality, size="1024x1024")).images[0]).size == (1024, 1024)
