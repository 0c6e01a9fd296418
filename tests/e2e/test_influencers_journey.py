"""Journey in Chromium: create an influencer from uploads, generate a three-scene series offline, see the scores,
re-run a scene. Screenshots of each page at desktop and phone width land in test-artifacts/screens/."""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from influencers.models import DriftScore, Influencer, SceneRun
from library.models import Asset
from tests.e2e.conftest import log_in
from tests.e2e.library_browser import library_team
from tests.influencers import photos

pytestmark = pytest.mark.e2e

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


PROBLEMS = []


def _screens(tab, name):
    """Screenshots at desktop and phone width; the page must fit the phone and axe-core find nothing serious."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    current = tab.viewport_size
    for label, size in SIZES.items():
        tab.set_viewport_size(size)
        tab.wait_for_timeout(150)
        tab.screenshot(path=str(SCREENS / f"influencers-{name}-{label}.png"), full_page=True)
        wide, window = tab.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if wide > window:
            PROBLEMS.append(f"{name} at {label}: {wide}px wide in a {window}px window")
    tab.set_viewport_size(current)
    if tab.locator("h1").count() != 1:
        PROBLEMS.append(f"{name}: {tab.locator('h1').count()} <h1> elements")
    for rule in Axe().run(tab).response["violations"]:
        if rule["impact"] in ("serious", "critical"):
            PROBLEMS.append(f"{name}: {rule['id']} on {[node['target'] for node in rule['nodes'][:3]]}")


def test_a_creator_locks_a_character_makes_a_series_and_re_runs_a_scene(page, settings, live_studio, tmp_path):
    team, member = library_team(settings, live_studio, email="ines@example.com", name="Northwind")
    anchor, cup = tmp_path / "ines.png", tmp_path / "cup.jpg"
    anchor.write_bytes(photos.encoded(photos.astronaut()))
    cup.write_bytes(photos.encoded(photos.coffee(), "JPEG", quality=85))

    log_in(page, member.email)
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Influencers").click()
    expect(page.get_by_role("heading", name="No influencers yet")).to_be_visible()
    _screens(page, "list-empty")

    page.get_by_role("link", name="Create the first influencer").click()
    page.get_by_label("Name", exact=True).fill("Ines")
    page.get_by_label("Hair").fill("short brown, side parting")
    page.get_by_label("Never").fill("no glasses\nno tattoos")
    page.get_by_label("Consent").fill("Model release signed 2026-02-01, kept in Legal/Releases.")
    page.get_by_label("Identity anchor").set_input_files(str(anchor))
    page.get_by_label("Profile").set_input_files(str(cup))
    _screens(page, "create")
    page.get_by_role("button", name="Create and lock version 1").click()

    expect(page.get_by_test_id("influencer-version")).to_have_text("Version 1")
    expect(page.get_by_text("No face found in this image")).to_be_visible()  # the cup, kept with a warning
    expect(page.locator(".infl-prompt")).to_contain_text("Image 1: identity anchor of Ines")
    briefs = "morning run by the river\nlatte art in a cafe\non stage at a conference"
    page.get_by_label("Scenes", exact=True).fill(briefs)
    expect(page.locator(".infl-prompt")).to_contain_text("keeping the same person: morning run by the river")
    page.get_by_label("Quality").select_option("low")
    _screens(page, "detail")
    page.get_by_role("button", name="Generate series").click()

    expect(page.get_by_role("heading", name="Ines series")).to_be_visible()
    scenes = page.get_by_test_id("scene")
    expect(scenes).to_have_count(3)
    # Every scene ends with a score from the worker; offline drafts carry no face, and the page says so.
    expect(
        page.get_by_test_id("scene-score").filter(has_text=re.compile("No face found|Same person|Drifted"))
    ).to_have_count(3, timeout=90_000)
    influencer = Influencer.objects.get(team=team)
    assert DriftScore.objects.filter(version=influencer.current_version).count() == 3
    _screens(page, "storyboard")

    scenes.nth(1).get_by_role("button", name=re.compile("Re-run scene 2")).click()
    expect(scenes.nth(1)).to_contain_text("attempt 2", timeout=15_000)
    expect(scenes.nth(1).get_by_test_id("scene-score")).to_contain_text(
        re.compile("No face found|Same person|Drifted"), timeout=60_000
    )
    assert SceneRun.objects.filter(scene__series__influencer=influencer).count() == 4

    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Influencers").click()
    expect(page.locator(".infl-card")).to_have_count(1)
    _screens(page, "list")

    # The Studio's picker writes the identity prompt around the scene typed and puts the anchor in as Image 1.
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Studio").click()
    page.locator("#id_prompt").fill("reading on a train")
    page.get_by_label("Generate as an influencer").select_option(label="Ines · v1")
    expect(page.locator("#id_prompt")).to_have_value(
        re.compile(r"^Edit Image 1 into this scene, keeping the same person: reading on a train")
    )
    expect(page.locator("#reference-list .ref-chip")).to_have_count(2)
    _screens(page, "studio-picker")

    # Generated from the Studio, the image names the influencer version and gets its drift score from the worker.
    with page.expect_response(re.compile(r"/studio/generate/$")) as answer:
        page.locator("#id_prompt").press("Control+Enter")
    assert answer.value.ok
    expect(page.locator("#studio-stage .job-status")).to_have_attribute("data-job-status", "succeeded", timeout=60_000)
    made = Asset.objects.filter(team=team, provenance__influencer__series_id__isnull=True).exclude(
        provenance__influencer__isnull=True
    )
    expect(page.get_by_test_id("result-image").first).to_be_visible()
    studio_output = made.get()
    assert studio_output.provenance["influencer"]["version_id"] == influencer.current_version_id
    for _ in range(60):
        if DriftScore.objects.filter(asset=studio_output, version=influencer.current_version).exists():
            break
        page.wait_for_timeout(500)
    page.goto(f"/library/assets/{studio_output.pk}/")
    expect(page.locator(".asset-influencer")).to_contain_text("Made with Ines version 1")
    expect(page.locator(".asset-influencer")).to_contain_text(re.compile("No face found|Same person|Drifted"))
    _screens(page, "studio-asset")
    assert page.console_errors == []
    assert PROBLEMS == []
