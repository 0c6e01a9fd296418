"""Channels page in Chromium: an admin sees each channel's state and expiry, a reconnect prompt for an expired one that
fills the token form in, and the form's refusal beside the field; a member sees the channels read-only. Screenshots
at 1280 and 390 pixels wide go to /tmp/shots/h15b/ (POSTFRAME_SHOTS)."""

import os
import re
from datetime import timedelta
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from scheduling.models import Channel
from tests.e2e.conftest import PASSWORD, log_in
from tests.e2e.library_browser import script_errors
from tests.factories import MembershipFactory, TeamFactory, UserFactory

SHOTS = Path(os.environ.get("POSTFRAME_SHOTS", "/tmp/shots/h15b"))


def _people():
    team = TeamFactory(name="Harbor Coffee")
    admin = UserFactory(email="admin@harbor.example")
    admin.set_password(PASSWORD)
    admin.save()
    MembershipFactory(team=team, user=admin, role="admin")
    member = UserFactory(email="member@harbor.example")
    member.set_password(PASSWORD)
    member.save()
    MembershipFactory(team=team, user=member, role="member")
    return team, admin, member


def _shoot(page, name):
    """Screenshots at laptop and phone width; the page must fit both and axe-core find nothing serious there."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        wide, window = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if wide > window:
            problems.append(f"{name} at {width}: {wide}px wide in a {window}px window")
        for rule in Axe().run(page).response["violations"]:
            if rule["impact"] in ("serious", "critical"):
                problems.append(f"{name} at {width}: {rule['id']} on {[n['target'] for n in rule['nodes'][:3]]}")
    assert problems == []


def test_admins_manage_channels_and_members_read_them(new_page):
    team, admin, member = _people()
    hook = Channel(team=team, platform="webhook", name="Webhook to hooks.harbor.example", account_id="hook")
    hook.config = {"url": "https://hooks.harbor.example/postframe"}
    hook.credentials = {"secret": "s" * 32}
    hook.save()
    expired = Channel(
        team=team,
        platform="instagram",
        name="@harborcoffee",
        account_id="17841400000000001",
        status=Channel.Status.EXPIRED,
        status_message="Instagram refused the sign-in (Error validating access token). Reconnect the channel.",
        expires_at=timezone.now() - timedelta(days=2),
    )
    expired.credentials = {"access_token": "old"}
    expired.save()
    linkedin = Channel(
        team=team,
        platform="linkedin",
        name="Harbor Coffee (page)",
        account_id="urn:li:organization:42",
        account_kind="organization",
        expires_at=timezone.now() + timedelta(days=12, hours=2),
    )
    linkedin.credentials = {"access_token": "t"}
    linkedin.save()

    page = new_page()
    log_in(page, admin.email)
    page.goto("/schedule/channels/")
    rows = page.get_by_test_id("channel-row")
    expect(rows).to_have_count(3)
    expect(page.locator(f"#channel-{linkedin.pk}-row")).to_contain_text("Token expires in 12 days")
    expect(page.locator(f"#channel-{expired.pk}-row").get_by_test_id("reconnect-prompt")).to_contain_text(
        "the refresh token it has is kept"
    )
    # The form shows what the chosen platform takes.
    form = page.get_by_test_id("channel-connect-form")
    form.get_by_label("Platform").select_option("webhook")
    expect(form.get_by_label("Webhook URL")).to_be_visible()
    expect(form.get_by_label("Access token")).to_be_hidden()
    form.get_by_label("Webhook URL").fill("not a url")
    form.get_by_role("button", name="Connect").click()
    expect(page.get_by_test_id("channel-connect-form")).to_contain_text("Enter a valid URL")
    # "Paste a new token" fills the form in for the expired channel.
    page.locator(f"#channel-{expired.pk}-row").get_by_role("link", name="Paste a new token").click()
    form = page.get_by_test_id("channel-connect-form")
    expect(form.get_by_label("Platform")).to_have_value("instagram")
    expect(form.get_by_label("Account id")).to_have_value("17841400000000001")
    expect(form.get_by_label("Access token")).to_be_focused()
    _shoot(page, "channels-admin")
    assert script_errors(page) == []  # the refused form's 422 is logged by Chromium, by design

    page = new_page()
    log_in(page, member.email)
    page.goto("/schedule/channels/")
    expect(page.get_by_test_id("channel-row")).to_have_count(3)
    expect(page.get_by_text("Only admins connect, reconnect and disconnect channels.")).to_be_visible()
    expect(page.get_by_test_id("channel-connect-form")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Disconnect"))).to_have_count(0)
    _shoot(page, "channels-member")
    assert page.console_errors == []
