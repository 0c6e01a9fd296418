"""Journey on a laptop screen (1280×800): the running job and its result fit the canvas whole, with Download and
Refine in view, frames and the final in the same box, and Recent collapsible. Screenshots at both widths."""

from playwright.sync_api import expect

from tests.e2e.studio_screens import LAPTOP, at_both_widths
from tests.generation.browser import generate, open_studio, slow_frames, studio_team, wait_until_done

slow_frames()


def _show_canvas(page):
    """On a phone the canvas is under the form: scroll to it, as the focus on the job's status does."""
    page.locator("#studio-stage").evaluate("stage => stage.scrollIntoView({block: 'start'})")


def _box(locator):
    box = locator.bounding_box()
    return box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"]


def _inside(inner, outer):
    return (
        inner[0] >= outer[0] - 1 and inner[1] >= outer[1] - 1 and inner[2] <= outer[2] + 1 and inner[3] <= outer[3] + 1
    )


def test_a_tall_result_fits_a_1280x800_screen_whole_with_its_actions(page):
    team, member = studio_team()
    page.set_viewport_size(LAPTOP)
    open_studio(page, member.email)
    at_both_widths(page, "studio-idle")

    page.locator("label.chip-aspect", has_text="9:16").click()
    page.locator("label.chip-tier", has_text="1K").click()
    generate(page, 'A tall story cover that says "New season"')
    frame = page.get_by_test_id("partial-frame")
    expect(frame).to_be_visible()
    frame_box = _box(frame)
    at_both_widths(page, "studio-running", ready=lambda: _show_canvas(page))
    wait_until_done(page)

    viewport = (0, 0, LAPTOP["width"], LAPTOP["height"])
    stage = _box(page.locator("#studio-stage"))
    image = page.get_by_test_id("result-image")
    shown = _box(image)
    assert _inside(shown, viewport) and _inside(shown, stage), (shown, stage)
    natural = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    shown_ratio = (shown[2] - shown[0]) / (shown[3] - shown[1])
    assert abs(shown_ratio - natural[0] / natural[1]) < 0.02  # contained, not cropped
    for action in ("Download", "Refine", "Use as reference"):
        button = page.locator("#studio-stage .result-actions").get_by_role("link", name=action)
        expect(button).to_be_in_viewport()
        assert _inside(_box(button), viewport)
    # The final took the frame's place: the same box, give or take a pixel of rounding.
    assert all(abs(a - b) <= 2 for a, b in zip(frame_box, shown, strict=True)), (frame_box, shown)
    at_both_widths(page, "studio-done", ready=lambda: _show_canvas(page))
    assert page.console_errors == []


def test_recent_collapses_and_stays_collapsed(page):
    team, member = studio_team()
    page.set_viewport_size(LAPTOP)
    open_studio(page, member.email)
    generate(page, "A lemon on a blue table")
    wait_until_done(page)
    strip = page.locator("#recent-strip")
    expect(strip.locator("img").first).to_be_visible()
    before = _box(page.get_by_test_id("result-image"))

    toggle = strip.get_by_role("button", name="Hide")
    toggle.click()
    expect(strip.locator("img").first).to_be_hidden()
    expect(strip.get_by_role("button", name="Show recent results")).to_have_attribute("aria-expanded", "false")
    after = _box(page.get_by_test_id("result-image"))
    assert after[3] - after[1] > before[3] - before[1]  # the canvas took the room

    page.reload()
    expect(page.locator("#recent-strip").get_by_role("button", name="Show recent results")).to_be_visible()
    expect(page.locator("#recent-strip img").first).to_be_hidden()
    page.locator("#recent-strip").get_by_role("button", name="Show recent results").click()
    expect(page.locator("#recent-strip img").first).to_be_visible()
    assert page.console_errors == []
