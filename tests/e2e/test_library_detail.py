"""Journey: open an asset from the grid, read how it was made, and download it as a WebP of a chosen size."""

import io

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.library_browser import library_team, make_asset, open_library, screenshot, script_errors

PROMPT = 'A summer poster that says "Fresh lemonade", bright yellow, hand-lettered'


def test_the_detail_page_shows_provenance_and_downloads_a_webp_of_the_asked_size(page, settings, live_studio):
    team, member = library_team(settings, live_studio)
    asset = make_asset(
        team,
        member,
        "Lemonade poster",
        prompt=PROMPT,
        model_id="openai:gpt-image-2",
        tags=["summer launch", "poster"],
        rating=4,
        hue=0.14,
        size=(1200, 800),
    )
    open_library(page, member.email)
    page.locator("#asset-grid").get_by_role("link", name="Lemonade poster").click()

    expect(page).to_have_url(f"{page.url.split('/library/')[0]}/library/assets/{asset.pk}/")
    expect(page.get_by_role("heading", name="Lemonade poster", level=1)).to_be_visible()
    expect(page.locator("figcaption")).to_contain_text("1200 × 800 px · PNG")
    preview = page.locator(".asset-stage img")
    expect(preview).to_have_js_property("complete", True)
    assert preview.evaluate("image => image.naturalWidth") == 1024  # the preview, not the full original

    made = page.get_by_role("region", name="How it was made")
    expect(made.locator("dt")).to_contain_text(["Prompt", "Model", "Size made", "Quality", "Seed", "Cost"])
    expect(made.locator(".prov-prompt")).to_have_text(PROMPT)
    expect(made.locator("dt", has_text="Model").locator("+ dd")).to_have_text("GPT Image 2")
    expect(made.locator("dt", has_text="Quality").locator("+ dd")).to_have_text("High")
    expect(made.locator("dt", has_text="Size made").locator("+ dd")).to_have_text("1200 × 800 px")
    expect(made.get_by_text("6 credits")).to_be_visible()
    expect(page.get_by_role("region", name="Tags").get_by_role("link")).to_have_text(["poster", "summer launch"])
    expect(page.get_by_role("radio", name="4 stars")).to_be_checked()
    screenshot(page, "detail")

    download = page.get_by_role("region", name="Download as…")
    download.get_by_label("Format").select_option(label="WebP")
    download.get_by_label("Long edge (px)").fill("600")
    with page.expect_download() as download_info:
        download.get_by_role("button", name="Download", exact=True).click()
    file = download_info.value
    assert file.suggested_filename == f"lemonade-poster-{asset.pk}.webp"
    with open(file.path(), "rb") as handle:
        data = handle.read()
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "WEBP"
        assert image.size == (600, 400)

    # Asking for more pixels than the image has is explained next to the field, and nothing downloads.
    download.get_by_label("Long edge (px)").fill("5000")
    download.get_by_role("button", name="Download", exact=True).click()
    expect(page.get_by_text("This image is 1200 px on its long edge; choose 1200 or less")).to_be_visible()

    # "Original file" gives back the stored PNG untouched.
    with page.expect_download() as original_info:
        page.get_by_role("link", name="Original file").click()
    with open(original_info.value.path(), "rb") as handle:
        original = handle.read()
    with Image.open(io.BytesIO(original)) as image:
        assert (image.format, image.size) == ("PNG", (1200, 800))
    assert script_errors(page) == []
