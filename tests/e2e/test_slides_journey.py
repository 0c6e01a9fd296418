"""Journey: a brief becomes an outline, a headline is edited, backgrounds render live, the PDF and JPEGs download."""

import io
import re
import zipfile

from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import log_in
from tests.e2e.library_browser import library_team
from tests.e2e.studio_screens import at_both_widths

SERIOUS = {"serious", "critical"}


def _problems(page):
    """axe-core's serious findings, and any sideways scrolling at the current width."""
    found = [
        f"{rule['id']}: {rule['help']}" for rule in Axe().run(page).response["violations"] if rule["impact"] in SERIOUS
    ]
    if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
        found.append("the page scrolls sideways")
    return found


def test_a_member_turns_one_brief_into_a_checked_carousel_and_downloads_it(page, settings, live_studio):
    team, member = library_team(settings, live_studio, email="ines@example.com", name="Harbor Coffee")
    log_in(page, member.email)
    page.goto("/slides/")
    expect(page.get_by_role("heading", name="Slides", level=1)).to_be_visible()
    at_both_widths(page, "slides-list")
    assert _problems(page) == []

    page.get_by_label("Topic").fill("Five habits of calm product teams")
    page.get_by_label("Audience").fill("founders of small software companies")
    page.get_by_label("Goal").fill("book a demo")
    page.get_by_label("Platform").select_option("linkedin-4x5")
    page.get_by_role("button", name="Write the outline").click()

    slides = page.get_by_test_id("slide")
    expect(slides).to_have_count(10)
    expect(page.get_by_text(re.compile("Outline ready: 10 slides"))).to_be_visible()

    second = slides.nth(1)
    old_src = second.get_by_test_id("slide-image").get_attribute("src")
    second.get_by_label("Headline").fill("Calm teams write things down")
    second.get_by_role("button", name="Save and re-render").click()
    expect(page.get_by_alt_text("Slide 2: Calm teams write things down")).to_be_visible()
    assert page.get_by_test_id("slide").nth(1).get_by_test_id("slide-image").get_attribute("src") != old_src

    page.get_by_test_id("make-backgrounds").click()
    expect(page.get_by_text(re.compile("10 backgrounds on the way"))).to_be_visible()
    expect(page.locator('[data-testid="slide-live"][data-state="done"]')).to_have_count(10, timeout=120_000)
    expect(page.get_by_test_id("background-state").first).to_have_text("Background ready")
    page.reload()
    at_both_widths(page, "slides-carousel")
    assert _problems(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert _problems(page) == []
    page.set_viewport_size({"width": 1280, "height": 800})

    with page.expect_download() as download_info:
        page.get_by_test_id("export-pdf").click()
    pdf = PdfReader(download_info.value.path())
    assert len(pdf.pages) == 10
    assert {(float(p.mediabox.width), float(p.mediabox.height)) for p in pdf.pages} == {(1080.0, 1350.0)}
    assert "Calm teams write things down" in " ".join(pdf.pages[1].extract_text().split())

    with page.expect_download() as download_info:
        page.get_by_test_id("export-images").click()
    with zipfile.ZipFile(download_info.value.path()) as archive:
        sizes = {Image.open(io.BytesIO(archive.read(name))).size for name in archive.namelist()}
    assert len(archive.namelist()) == 10 and sizes == {(1080, 1350)}
    assert page.console_errors == []


def test_a_headline_that_cannot_fit_is_named_on_its_slide_and_the_export_waits(page, settings, live_studio):
    from tests.slides.factories import carousel_for

    team, member = library_team(settings, live_studio, email="omar@example.com", name="Harbor Coffee")
    carousel = carousel_for(team, member, slide_count=3)
    log_in(page, member.email)
    page.goto(f"/slides/{carousel.pk}/")
    third = page.get_by_test_id("slide").nth(2)
    third.get_by_label("Headline").fill("https://example.com/spring-campaign-landing-page-for-founders")
    third.get_by_label("Headline").press("Control+Enter")  # saves like the button
    failing = page.get_by_test_id("slide").nth(2).get_by_test_id("check-failed")
    expect(failing.first).to_contain_text("The headline does not fit, even at the minimum")
    page.reload()
    expect(page.get_by_text(re.compile("1 slide needs a fix"))).to_be_visible()
    page.locator(f"#slide-{carousel.slides.get(position=3).pk}-card").scroll_into_view_if_needed()
    at_both_widths(page, "slides-failing")
    page.get_by_test_id("export-pdf").click()
    expect(page.get_by_text(re.compile("Fix slide 3 first"))).to_be_visible()
    assert page.console_errors == []
