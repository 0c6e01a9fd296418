"""Screenshots of the Studio's pages at a laptop and a phone size, kept in test-artifacts/screens/ for review."""

from tests.processes import ARTIFACTS

SCREENS = ARTIFACTS / "screens"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def screenshot(page, name, *, full_page=False):
    """Save the page as test-artifacts/screens/<name>.png (a journey's record, not an assertion)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=full_page)


def at_both_widths(page, name, *, ready=None):
    """Screenshots at 1280×800 and 390×844, then back to 1280×800."""
    for label, size in (("1280x800", LAPTOP), ("390x844", PHONE)):
        page.set_viewport_size(size)
        if ready:
            ready()
        page.wait_for_timeout(150)  # a resize settles (layout, lazy images) before the picture
        screenshot(page, f"{name}-{label}")
    page.set_viewport_size(LAPTOP)
