"""Journey: a brief becomes a shot list, a shot is edited, the sequence runs on the offline animator, the shots
complete live on the page, and the stitched sequence plays in the page."""

import importlib
import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.library_browser import library_team
from tests.e2e.studio_screens import at_both_widths

SERIOUS = {"serious", "critical"}
BRIEF = "A lighthouse keeper climbs the stairs at dusk. The great lamp turns on. A ship passes safely in the fog."


def _problems(page):
    """axe-core's serious findings, and any sideways scrolling at the current width."""
    found = [
        f"{rule['id']}: {rule['help']}" for rule in Axe().run(page).response["violations"] if rule["impact"] in SERIOUS
    ]
    if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
        found.append("the page scrolls sideways")
    return found


def _seed_video_prices():
    """Put back the video prices migrations seed (a transactional test before this one flushed them)."""
    from django.apps import apps

    importlib.import_module("studio.credits.migrations.0007_seed_video_prices").seed_video_prices(apps, None)


def test_a_member_turns_a_brief_into_a_stitched_sequence_and_plays_it(page, settings, live_studio):
    _seed_video_prices()
    team, member = library_team(settings, live_studio, email="video@example.com", name="Harbor Lights")
    log_in(page, member.email)
    page.goto("/video/")
    expect(page.get_by_role("heading", name="Video", level=1)).to_be_visible()
    at_both_widths(page, "video-list")
    assert _problems(page) == []

    page.get_by_label("Brief").fill(BRIEF)
    page.get_by_label("Video model").select_option("local:animator")
    page.get_by_role("button", name="Write the shot list").click()
    shots = page.get_by_test_id("shot")
    expect(shots).to_have_count(3)
    expect(page.get_by_text(re.compile("Shot list ready: 3 shots"))).to_be_visible()
    expect(page.get_by_test_id("sequence-cost")).to_have_text("0 credits")

    second = shots.nth(1)
    second.get_by_label("Motion").fill("Slow pan left across the lamp room")
    second.get_by_role("button", name="Save shot").click()
    expect(shots.nth(1).get_by_label("Motion")).to_have_value("Slow pan left across the lamp room")
    at_both_widths(page, "video-sequence-draft")
    assert _problems(page) == []

    # Reorder, delete and add in place: no page load (a marker on window survives), and the focus keeps the place.
    page.evaluate("window.stillTheSamePage = true")
    ids = shots.evaluate_all("cards => cards.map(card => card.id)")
    page.get_by_role("button", name="Move shot 1 later").click()
    expect(shots.nth(1)).to_have_id(ids[0])
    expect(shots.nth(0)).to_have_id(ids[1])
    expect(page.get_by_role("button", name="Move shot 2 later")).to_be_focused()
    expect(page.get_by_text("Shot 1 moved down: it is now shot 2.")).to_be_visible()
    shots.nth(1).get_by_role("button", name="Delete", exact=True).click()
    page.get_by_test_id("confirm-dialog").get_by_role("button", name="Delete shot").click()
    expect(shots).to_have_count(2)
    expect(page.get_by_test_id("sequence-summary")).to_contain_text("2 shots")
    expect(shots.nth(1).locator(".shot-number")).to_be_focused()
    expect(shots.nth(1)).to_have_id(ids[2])
    page.get_by_role("button", name="+ Add a shot").click()
    expect(shots).to_have_count(3)
    expect(shots.nth(2).get_by_label("Frame")).to_be_focused()
    assert page.evaluate("window.stillTheSamePage") is True

    page.get_by_test_id("run-sequence").click()
    expect(page.get_by_text(re.compile("The sequence is running"))).to_be_visible()
    # Live: the cards change state over the websocket, no reload.
    expect(page.locator('[data-testid="shot"][data-status="done"]')).to_have_count(3, timeout=90_000)
    player = page.get_by_test_id("sequence-player")
    expect(player).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("sequence-status")).to_have_text("Done")
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=sequence-player]'); return v && v.duration > 0; }",
        timeout=20_000,
    )
    duration = page.evaluate("document.querySelector('[data-testid=sequence-player]').duration")
    assert 8.5 <= duration <= 9.5

    page.reload()
    expect(page.get_by_test_id("shot-clip")).to_have_count(3)
    at_both_widths(page, "video-sequence-done")
    assert _problems(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert _problems(page) == []
    assert page.console_errors == []
