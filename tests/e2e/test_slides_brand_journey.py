"""Journey: an admin sets up the brand kit with an uploaded font and a logo, a carousel follows it, its backgrounds
arrive live over the websocket, and the PDF carries the uploaded font with real text."""

import io
import re
import shutil

from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import log_in
from tests.e2e.library_browser import REFUSAL_LOGGED, library_team
from tests.e2e.studio_screens import at_both_widths
from tests.e2e.test_slides_journey import _problems


def test_an_admin_sets_the_brand_kit_and_a_carousel_follows_it_to_the_pdf(page, settings, live_studio, tmp_path):
    team, admin = library_team(settings, live_studio, role="admin", email="rana@example.com", name="Harbor Coffee")
    font = tmp_path / "HarborSerif.otf"  # a bundled OFL font, standing in for the team's licensed font
    shutil.copy(settings.BASE_DIR / "static" / "fonts" / "EBGaramond12-Regular.otf", font)
    not_a_font = tmp_path / "logo-by-mistake.ttf"
    Image.new("RGB", (40, 40), "red").save(not_a_font, "PNG")
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (300, 120), (220, 30, 40, 255)).save(logo, "PNG")

    log_in(page, admin.email)
    page.goto("/slides/")
    page.get_by_test_id("brand-kit-link").click()
    expect(page.get_by_role("heading", name="Brand kit", level=1)).to_be_visible()

    page.get_by_label("Font file").set_input_files(str(not_a_font))
    page.get_by_label(re.compile("We hold a licence")).check()
    page.get_by_role("button", name="Upload font").click()
    expect(page.get_by_text("“logo-by-mistake.ttf” is a PNG image, not a font file.")).to_be_visible()

    page.get_by_label("Font file").set_input_files(str(font))
    page.get_by_label("Use it for").select_option("both")
    page.get_by_label(re.compile("We hold a licence")).check()
    page.get_by_role("button", name="Upload font").click()
    expect(page.get_by_text(re.compile("EB Garamond 12 Regular added to the brand kit"))).to_be_visible()
    expect(page.get_by_test_id("kit-headline-font")).to_contain_text("EB Garamond")

    page.get_by_label("Secondary").fill("teal-ish")
    page.get_by_role("button", name="Save colours").click()
    expect(page.get_by_text("“teal-ish” is not a colour: write it as a hex code like #1F6FEB.")).to_be_visible()
    page.get_by_label("Primary").fill("#0B3D2E")
    page.get_by_label("Secondary").fill("#145C45")
    page.get_by_label("Text", exact=True).fill("#FFF4D6")
    page.get_by_label("Background", exact=True).fill("#06140F")
    page.get_by_role("button", name="Save colours").click()
    expect(page.get_by_text("Brand colours saved.")).to_be_visible()

    page.get_by_label("Logo file").set_input_files(str(logo))
    page.get_by_label("Placement").select_option("top-right")
    page.get_by_role("button", name="Save logo").click()
    expect(page.get_by_test_id("kit-logo")).to_be_visible()
    at_both_widths(page, "slides-brand-kit")
    assert _problems(page) == []

    page.goto("/slides/")
    expect(page.get_by_label("Follow the brand kit")).to_be_checked()
    at_both_widths(page, "slides-brief-with-kit")
    page.get_by_label("Topic").fill("Three habits of calm product teams")
    page.get_by_label("Slides").select_option("3")
    page.get_by_label("Platform").select_option("linkedin-4x5")
    page.get_by_role("button", name="Write the outline").click()
    expect(page.get_by_test_id("slide")).to_have_count(3)
    expect(page.get_by_test_id("carousel-options")).to_contain_text("Follows the brand kit")

    pushed = []
    page.on(
        "websocket",
        lambda socket: "/ws/slides/" in socket.url and socket.on("framereceived", lambda frame: pushed.append(frame)),
    )
    expect(page.get_by_test_id("backgrounds-quote")).to_contain_text("3 slides")
    at_both_widths(page, "slides-brand-before-backgrounds")
    page.get_by_test_id("make-backgrounds").click()
    expect(page.get_by_text(re.compile("3 backgrounds on the way: slide 1 first"))).to_be_visible()
    # No reload and no polling: the cards change as the carousel's websocket pushes them.
    expect(page.locator('[data-testid="slide-live"][data-state="done"]')).to_have_count(3, timeout=120_000)
    assert any("slide-live" in str(frame) for frame in pushed)
    at_both_widths(page, "slides-brand-carousel")

    with page.expect_download() as download_info:
        page.get_by_test_id("export-pdf").click()
    pdf = PdfReader(download_info.value.path())
    assert len(pdf.pages) == 3
    fonts = {str(f["/BaseFont"]) for f in pdf.pages[0]["/Resources"]["/Font"].values()}
    assert any("EBGaramond" in name for name in fonts), fonts
    assert "Three habits of calm product teams" in " ".join(pdf.pages[0].extract_text().split())
    image = Image.open(
        io.BytesIO(page.request.get(page.get_by_test_id("slide-image").first.get_attribute("src")).body())
    )
    assert image.size == (1080, 1350)

    # The kit's font is deleted through the studio's dialog, which says what falls back; the carousel still exports.
    carousel_url = page.url
    page.goto("/slides/brand/")
    page.get_by_test_id("brand-font").get_by_role("button", name=re.compile("^Delete")).click()
    dialog = page.get_by_test_id("confirm-dialog")
    expect(dialog).to_contain_text("The kit's headline font goes back to League Spartan.")
    dialog.get_by_role("button", name="Delete font").click()
    expect(page.get_by_text(re.compile("EB Garamond 12 Regular deleted"))).to_be_visible()
    expect(page.get_by_test_id("kit-headline-font")).to_contain_text("League Spartan (bundled)")
    page.goto(carousel_url)
    with page.expect_download() as download_info:
        page.get_by_test_id("export-pdf").click()
    first = PdfReader(download_info.value.path()).pages[0]
    fonts = {str(f["/BaseFont"]) for f in first["/Resources"]["/Font"].values()}
    assert any("LeagueSpartan" in name for name in fonts), fonts
    assert not any("EBGaramond12Regular" in name for name in fonts), fonts
    # The two refusals (the PNG posing as a font, the colour) answer 422, which the browser logs; nothing else.
    assert [error for error in page.console_errors if not REFUSAL_LOGGED.match(error)] == []
