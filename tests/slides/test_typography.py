"""Type set by the studio: fitting to a floor, the scrim, contrast measured on the pixels, scripts and glyphs."""

from PIL import Image, ImageDraw

from slides.models import Layout
from slides.typography import MIN_TYPE_PX, slide_render, text_contrast

SIZE = (1080, 1350)


def _failed(render):
    return {check["name"]: check["message"] for check in render.checks if not check["ok"]}


def _stripes(size):
    """Black and white stripes: no text colour can reach AA over them without help."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 8):
        draw.rectangle((x, 0, x + 3, size[1]), fill="black")
    return image


def test_a_slide_renders_at_exactly_the_preset_size_with_its_checks_passing():
    render = slide_render(layout=Layout.TITLE, headline="Five habits", body="of calm teams", size=(1080, 1920))
    assert render.image.size == (1080, 1920) and render.ok
    assert {check["name"] for check in render.checks} >= {"type_size", "margins", "words", "aspect", "contrast"}


def test_a_contrast_failure_is_caught_when_no_scrim_may_help():
    render = slide_render(
        layout=Layout.CAPTION,
        headline="Busy background",
        body="Hard to read",
        size=SIZE,
        background=_stripes(SIZE),
        scrim=False,
    )
    failed = _failed(render)
    assert "contrast" in failed and "WCAG AA asks for" in failed["contrast"]
    assert not render.ok


def test_the_scrim_brings_text_on_a_busy_background_up_to_aa():
    render = slide_render(
        layout=Layout.CAPTION, headline="Busy background", body="Hard to read", size=SIZE, background=_stripes(SIZE)
    )
    assert "contrast" not in _failed(render)
    boxes = [(line.x, line.y, line.x + line.width, line.y + line.height) for line in render.lines]
    assert text_contrast(render.base, boxes, render.lines[0].colour) >= 3.0


def test_contrast_is_measured_on_the_pixels_behind_the_text():
    grey = Image.new("RGB", (200, 100), (119, 119, 119))
    assert round(text_contrast(grey, [(0, 0, 200, 100)], (255, 255, 255)), 1) == 4.5
    assert text_contrast(Image.new("RGB", (200, 100), "white"), [(0, 0, 200, 100)], (255, 255, 255)) == 1.0


def test_text_too_long_to_fit_is_flagged_and_never_set_below_the_minimum():
    words = " ".join(["unbelievably"] * 120)
    render = slide_render(layout=Layout.CAPTION, headline="Short", body=words, size=SIZE)
    failed = _failed(render)
    assert "does not fit" in failed["fit"] and "words" in failed
    assert min(line.size for line in render.lines) >= MIN_TYPE_PX
    assert not render.ok


def test_a_long_headline_is_fitted_down_to_a_smaller_size():
    short = slide_render(layout=Layout.TITLE, headline="Calm", body="", size=SIZE)
    long = slide_render(layout=Layout.TITLE, headline="Calm teams ship steadily " * 4, body="", size=SIZE)
    assert long.lines[0].size < short.lines[0].size and long.ok


def test_arabic_and_hindi_are_set_with_their_own_fonts_and_arabic_runs_right_to_left():
    render = slide_render(layout=Layout.TITLE, headline="مرحبا بالعالم", body="नमस्ते दुनिया", size=SIZE)
    fonts = {line.text: (line.font, line.align) for line in render.lines}
    assert fonts["مرحبا بالعالم"] == ("NotoSansArabic-Bold.ttf", "R")
    assert fonts["नमस्ते दुनिया"][0] == "NotoSansDevanagari-Regular.ttf"
    assert "glyphs" not in _failed(render)


def test_characters_the_font_lacks_are_named():
    render = slide_render(layout=Layout.CAPTION, headline="Launch day 🚀", body="", size=SIZE)
    assert "🚀" in _failed(render)["glyphs"]
