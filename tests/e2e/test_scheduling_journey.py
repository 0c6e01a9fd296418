"""Journey: a channel connected by token, a post composed with a variant per channel and sent by a member, dragged in
the calendar and approved by an admin, published to the platform fakes, and an "unconfirmed" LinkedIn post resolved
by the platform's read API — the post page says honestly where it stands at each step."""

import datetime
import re

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from scheduling import dispatch
from scheduling.channels import channel_connect_token
from scheduling.models import Post, PostTarget
from tests.e2e.conftest import log_in
from tests.e2e.library_browser import library_team, make_asset
from tests.e2e.studio_screens import at_both_widths
from tests.factories import MembershipFactory, UserFactory
from tests.fakes.linkedin.server import FakeLinkedIn
from tests.fakes.x.server import FakeX

SERIOUS = {"serious", "critical"}


def _problems(page):
    found = [
        f"{rule['id']}: {rule['help']}" for rule in Axe().run(page).response["violations"] if rule["impact"] in SERIOUS
    ]
    if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
        found.append("the page scrolls sideways")
    return found


def _platforms(settings, linkedin, x):
    settings.LINKEDIN_API_URL, settings.LINKEDIN_VERSION = linkedin.url, "202611"
    settings.X_API_URL = x.url
    settings.SCHEDULING_PUBLISH_TIMEOUT = 1  # the lost answer below stalls past it


def test_a_week_post_goes_from_a_members_draft_to_published_on_two_channels(new_page, settings, live_studio):
    team, member = library_team(settings, live_studio, email="mina@example.com", name="Harbor Coffee")
    admin = MembershipFactory(team=team, role="admin", user=UserFactory(email="ada@example.com")).user
    make_asset(
        team,
        member,
        "Oat latte on oak",
        prompt="An oat latte on an oak table",
        model_id="local:draft",
        size=(1200, 1200),
        hue=0.08,
    )
    with FakeLinkedIn() as linkedin, FakeX() as x:
        _platforms(settings, linkedin, x)
        on_linkedin = channel_connect_token(
            team=team, user=admin, platform="linkedin", access_token=linkedin.issue_token()
        )
        on_x = channel_connect_token(team=team, user=admin, platform="x", access_token=x.issue_token())

        # The member composes: an asset from the picker, a caption, a shorter caption for X, a time.
        page = new_page()
        log_in(page, member.email)
        page.goto("/schedule/posts/new/")
        page.get_by_test_id("picker-item").first.click()
        expect(page.get_by_test_id("tray").locator("li")).to_have_count(1)
        page.get_by_label("Alt text for Oat latte on oak").fill("An oat latte on an oak table, top view")
        page.get_by_label("Caption", exact=True).fill("Our spring menu is here: oat lattes, lemon buns. " * 7)
        page.get_by_label("Hashtags", exact=True).fill("#spring #coffee")
        page.get_by_label(re.compile(r"LinkedIn · ")).check()
        page.get_by_label(re.compile(r"\bX · ")).check()
        x_row = page.locator(f'[data-channel="{on_x.pk}"]')
        expect(x_row.locator(".counter")).to_contain_text("too many")  # the long caption, counted live for X
        expect(x_row.get_by_test_id("channel-check")).to_contain_text("X takes up to 280 characters")
        x_row.get_by_label(re.compile("^Caption for X")).fill("Spring menu: oat lattes and lemon buns. #spring")
        expect(x_row.locator(".counter")).to_have_text("47 / 280")
        expect(x_row.get_by_test_id("channel-check")).to_have_text("")
        expect(page.locator(f'[data-preview="{on_x.pk}"] .preview-text')).to_have_text(
            "Spring menu: oat lattes and lemon buns. #spring"
        )
        when = timezone.localtime(timezone.now() + datetime.timedelta(days=2))
        page.get_by_label("Date", exact=True).fill(when.date().isoformat())
        page.get_by_label("Time", exact=True).fill("10:30")
        at_both_widths(page, "scheduling-composer")
        page.get_by_role("button", name="Save and send for approval").click()
        expect(page.get_by_test_id("post-status")).to_have_text("Waiting for approval")
        assert _problems(page) == []
        post = Post.objects.get(team=team)
        assert post.targets.get(channel=on_x).text.startswith("Spring menu:")

        # The admin drags it one day later in the calendar, then approves it.
        admin_page = new_page()
        log_in(admin_page, admin.email)
        admin_page.goto(f"/schedule/?date={when.date().isoformat()}")
        chip = admin_page.locator(f"#post-{post.pk}-chip")
        expect(chip).to_contain_text("Waiting for approval")
        later = when.date() + datetime.timedelta(days=1)
        chip.drag_to(admin_page.get_by_test_id(f"day-{later.isoformat()}"))
        expect(admin_page.locator("#toasts")).to_contain_text("Moved to")
        expect(admin_page.get_by_test_id(f"day-{later.isoformat()}").locator(f"#post-{post.pk}-chip")).to_be_visible()
        at_both_widths(admin_page, "scheduling-calendar")
        assert _problems(admin_page) == []
        post.refresh_from_db()
        assert timezone.localtime(post.publish_at).date() == later
        admin_page.goto(f"/schedule/posts/{post.pk}/")
        admin_page.get_by_role("button", name="Approve and schedule").click()
        expect(admin_page.get_by_test_id("post-status")).to_have_text("Scheduled")

        # Its time comes: X answers, LinkedIn posts but its answer is lost.
        linkedin.lose_answers(1, stall=2.5)
        due = post.publish_at + datetime.timedelta(seconds=1)
        for target in post.targets.all():
            dispatch.target_publish(target_id=target.pk, now=due)
        admin_page.reload()
        summary = admin_page.get_by_test_id("delivery-summary")
        expect(summary).to_contain_text("Published on X")
        expect(summary).to_contain_text("LinkedIn is unconfirmed")
        expect(admin_page.locator('[data-status="unconfirmed"]')).to_contain_text("never posted twice")
        expect(admin_page.get_by_role("button", name=re.compile("Retry"))).to_have_count(0)

        # The read API finds the LinkedIn post: confirmed, not posted again.
        dispatch.target_confirm(target_id=post.targets.get(channel=on_linkedin).pk)
        admin_page.reload()
        expect(admin_page.get_by_test_id("delivery-summary")).to_have_text("Published on LinkedIn and X.")
        at_both_widths(admin_page, "scheduling-post")
        assert _problems(admin_page) == []
        assert sum(linkedin.published.values()) == 1 and sum(x.published.values()) == 1
        assert set(post.targets.values_list("status", flat=True)) == {PostTarget.Status.PUBLISHED}
        assert page.console_errors == [] and admin_page.console_errors == []
