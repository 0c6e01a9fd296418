"""Journey: a generated image is titled with its prompt's first words (never a slug), its page tells how it was
made in labelled rows, and the title can be edited there. Screenshots of the asset page at both widths."""

import re

from playwright.sync_api import expect

from library.models import Asset
from tests.e2e.studio_screens import at_both_widths, screenshot
from tests.generation.browser import generate, open_studio, slow_frames, studio_team, wait_until_done

slow_frames()

PROMPT = 'make the background blue and change the text to "Summer sale" in bold white letters'


def test_a_generated_image_has_a_readable_title_that_can_be_edited(page):
    team, member = studio_team()
    open_studio(page, member.email)
    generate(page, PROMPT)
    wait_until_done(page)

    page.get_by_test_id("result-image").click()
    expect(page).to_have_url(re.compile(r"/library/assets/\d+/$"))
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("Make the background blue and change the text…")
    assert "make-the-background" not in page.content()

    made = page.locator(".provenance")
    expect(made.locator("dt")).to_contain_text(["Prompt", "Model", "Size made", "Quality", "Format", "Seed", "Cost"])
    expect(made.locator("dt", has_text="Size made").locator("+ dd")).to_have_text("1024 × 1024 px")
    expect(made.locator("dt", has_text="Cost").locator("+ dd")).to_have_text("Free")
    shown = made.inner_text()
    for raw in ("null", "None", "{", "input_fidelity", "_ms"):
        assert raw not in shown, raw
    at_both_widths(page, "asset-page")
    screenshot(page, "asset-page-full-1280x800", full_page=True)

    page.get_by_text("Edit title").click()
    field = page.get_by_label("Title")
    expect(field).to_have_value("Make the background blue and change the text…")
    field.fill("Summer sale banner, blue")
    with page.expect_response(re.compile(r"/rename/$")):
        page.get_by_role("button", name="Save title").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Summer sale banner, blue")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Summer sale banner, blue")
    assert Asset.objects.get(team=team).name == "Summer sale banner, blue"

    page.get_by_text("Edit title").click()
    page.get_by_label("Title").fill("   ")
    page.get_by_role("button", name="Save title").click()
    expect(page.get_by_text("Give the asset a title.")).to_be_visible()
    assert Asset.objects.get(team=team).name == "Summer sale banner, blue"
