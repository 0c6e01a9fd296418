"""Journeys: every confirmation in the app's own dialog (stop a job, delete an asset, remove a member) and
"From library" as a dialog with search. The browser's confirm() must never appear."""

import re

from playwright.sync_api import expect

from library.models import Asset
from studio.generation.models import GenerationJob
from studio.teams.models import Membership
from tests.e2e.conftest import PASSWORD, log_in
from tests.e2e.library_browser import make_asset, studio_media_root
from tests.e2e.studio_screens import LAPTOP, screenshot
from tests.factories import MembershipFactory, UserFactory
from tests.generation.browser import generate, open_studio, slow_frames, studio_team, wait_for_job

slow_frames()


def _no_browser_dialogs(page):
    opened = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    return opened


def _slow_settings(page):
    """A 2048² high-quality draft: the offline engine takes seconds over it, time enough to stop it."""
    page.locator("label.chip-aspect", has_text="1:1").click()
    page.locator("label.chip-tier", has_text="2K").click()
    page.get_by_label("Quality").select_option("high")


def test_stopping_a_job_asks_in_a_dialog_with_verbs_and_keep_running_keeps_it(page):
    team, member = studio_team()
    opened = _no_browser_dialogs(page)
    page.set_viewport_size(LAPTOP)
    open_studio(page, member.email)
    _slow_settings(page)
    generate(page, 'A tall poster that says "Autumn menu"')
    job = GenerationJob.objects.get(team=team)

    stop = page.get_by_role("button", name="Stop job…")
    stop.click()
    dialog = page.get_by_role("dialog", name="Stop this job?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Keep running")).to_be_focused()
    expect(dialog.get_by_role("button", name="Stop job", exact=True)).to_be_visible()
    screenshot(page, "studio-stop-dialog-1280x800")
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Stop job", exact=True)).to_be_focused()
    page.keyboard.press("Tab")  # focus stays inside the dialog
    expect(dialog.get_by_role("button", name="Keep running")).to_be_focused()

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Stop job…")).to_be_focused()
    job.refresh_from_db()
    assert job.is_active

    page.get_by_role("button", name="Stop job…").click()
    with page.expect_response(re.compile(r"/cancel/$")):
        dialog.get_by_role("button", name="Stop job", exact=True).click()
    status = page.locator("#studio-stage .job-status")
    expect(status).to_have_attribute("data-job-status", "cancelled")
    expect(status.get_by_test_id("job-status")).to_have_text("Cancelled")
    expect(status.locator(".job-progress")).to_have_text("Stopped before it finished")
    assert "Cancelled Cancelled" not in " ".join(status.inner_text().split())
    assert wait_for_job(job).status == GenerationJob.Status.CANCELLED
    assert opened == []
    assert page.console_errors == []


def test_from_library_opens_a_dialog_that_searches_the_library(page, settings, live_studio):
    settings.MEDIA_ROOT = studio_media_root(live_studio)
    team, member = studio_team()
    for title, hue in (("Lemon tart on blue", 0.15), ("Harbor at dawn", 0.6), ("Coffee cup flat lay", 0.05)):
        make_asset(team, member, title, prompt=title.lower(), hue=hue)
    opened = _no_browser_dialogs(page)
    page.set_viewport_size(LAPTOP)
    open_studio(page, member.email)

    button = page.get_by_role("button", name="From library…")
    button.click()
    dialog = page.get_by_role("dialog", name="Add a reference from the library")
    expect(dialog).to_be_visible()
    search = dialog.get_by_role("searchbox", name="Search the library")
    expect(search).to_be_focused()
    expect(dialog.locator(".picker-item")).to_have_count(3)
    screenshot(page, "studio-library-dialog-1280x800")

    with page.expect_response(re.compile(r"/studio/references/library/\?q=harbor")):
        search.fill("harbor")
    expect(dialog.locator(".picker-item")).to_have_count(1)
    expect(dialog.locator(".picker-title")).to_have_text(["Harbor at dawn"])
    search.fill("zebra")
    expect(dialog.get_by_text("No image matches “zebra”")).to_be_visible()
    search.fill("harbor")
    expect(dialog.locator(".picker-item")).to_have_count(1)

    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Add Harbor at dawn as a reference")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#reference-list .ref-label")).to_have_text(["Image 1"])
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()
    harbor = Asset.objects.get(team=team, name="Harbor at dawn")
    expect(page.locator("#reference-list .ref-chip")).to_have_attribute("data-asset-id", str(harbor.pk))
    assert opened == []
    assert page.console_errors == []


def test_deleting_an_asset_asks_in_the_dialog_and_keep_it_keeps_it(page, settings, live_studio):
    settings.MEDIA_ROOT = studio_media_root(live_studio)
    team, member = studio_team()
    asset = make_asset(team, member, "Spring banner", prompt="spring banner")
    opened = _no_browser_dialogs(page)
    log_in(page, member.email)
    page.goto(f"/library/assets/{asset.pk}/")

    page.get_by_role("button", name="Delete asset").click()
    dialog = page.get_by_role("dialog", name="Delete “Spring banner”?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("This cannot be undone.")
    dialog.get_by_role("button", name="Keep it").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Delete asset")).to_be_focused()
    assert Asset.objects.filter(pk=asset.pk).exists()

    page.get_by_role("button", name="Delete asset").click()
    with page.expect_navigation():
        dialog.get_by_role("button", name="Delete asset").click()
    expect(page.get_by_text("Deleted “Spring banner”")).to_be_visible()
    assert not Asset.objects.filter(pk=asset.pk).exists()
    assert opened == []


def test_removing_a_member_asks_in_the_dialog(page):
    team, admin = studio_team(role="admin")
    other = MembershipFactory(team=team, role="member", user=UserFactory(email="sam@example.com"))
    opened = _no_browser_dialogs(page)
    log_in(page, admin.email, PASSWORD)
    page.goto("/team/")

    page.locator("tr", has_text="sam@example.com").get_by_role("button", name="Remove").click()
    dialog = page.get_by_role("dialog", name="Remove sam@example.com?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Keep member").click()
    assert Membership.objects.filter(pk=other.pk).exists()

    page.locator("tr", has_text="sam@example.com").get_by_role("button", name="Remove").click()
    with page.expect_navigation():
        dialog.get_by_role("button", name="Remove member").click()
    assert not Membership.objects.filter(pk=other.pk).exists()
    assert opened == []
