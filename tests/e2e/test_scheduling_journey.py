"""Journey: channels connected by pasting tokens, a post composed with a variant per channel and a first comment,
sent by a member, dragged in the calendar and approved by an admin, then published by the live worker to the
platform fakes while the admin watches the post page: X posts, LinkedIn's answer is lost and its read API is down
("unconfirmed", no Retry), then the read API finds the post, and each first comment goes under its post — the page
says honestly where it stands at each step, without a reload."""

import datetime
import re

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from scheduling.models import Channel, Post, PostTarget
from scheduling.tasks import dispatch_task, unconfirmed_check_task
from tests.e2e.conftest import log_in
from tests.e2e.library_browser import library_team, make_asset
from tests.e2e.studio_screens import at_both_widths
from tests.factories import MembershipFactory, UserFactory

SERIOUS = {"serious", "critical"}


def _problems(page):
    found = [
        f"{rule['id']}: {rule['help']}" for rule in Axe().run(page).response["violations"] if rule["impact"] in SERIOUS
    ]
    if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
        found.append("the page scrolls sideways")
    return found


def _connect_by_token(page, platform, token):
    page.goto("/schedule/channels/")
    form = page.get_by_test_id("channel-connect-form")
    form.get_by_label("Platform").select_option(platform)
    form.get_by_label("Access token").fill(token)
    form.get_by_role("button", name="Connect").click()
    expect(page.locator(".flash-stack")).to_contain_text("is connected")
    return Channel.objects.get(platform=platform, status=Channel.Status.CONNECTED)


def test_a_week_post_goes_from_a_members_draft_to_published_on_two_channels(
    new_page, settings, live_studio, social_fakes
):
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
    linkedin, x = social_fakes.linkedin, social_fakes.x
    published_before = sum(linkedin.published.values()), sum(x.published.values())
    # The admin connects LinkedIn and X by pasting tokens; the web server checks each with the platform.
    admin_page = new_page()
    log_in(admin_page, admin.email)
    on_linkedin = _connect_by_token(admin_page, "linkedin", linkedin.issue_token())
    on_x = _connect_by_token(admin_page, "x", x.issue_token())
    assert _problems(admin_page) == []

    # The member composes: an asset from the picker, a caption, a shorter caption for X, a time.
    page = new_page()
    log_in(page, member.email)
    page.goto("/schedule/posts/new/")
    page.get_by_test_id("picker-item").first.click()
    expect(page.get_by_test_id("tray").locator("li")).to_have_count(1)
    page.get_by_label("Alt text for Oat latte on oak").fill("An oat latte on an oak table, top view")
    page.get_by_label("Caption", exact=True).fill("Our spring menu is here: oat lattes, lemon buns. " * 7)
    page.get_by_label("Hashtags", exact=True).fill("#spring #coffee")
    page.get_by_label("First comment", exact=True).fill("Full spring menu: harborcoffee.example/menu")
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
    expect(page.locator(f'[data-preview="{on_x.pk}"]').get_by_test_id("preview-comment")).to_have_text(
        "Reply Full spring menu: harborcoffee.example/menu"
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

    # Its time comes (the clock moved on) and the beat's tick reaches the live worker, while the admin watches:
    # X answers; LinkedIn posts but its answer is lost, and its read API is down for the first check.
    linkedin.lose_answers(1, stall=social_fakes.PUBLISH_TIMEOUT + 2)
    linkedin.fail_reads(1)
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() - datetime.timedelta(seconds=1))
    dispatch_task.delay()
    summary = admin_page.get_by_test_id("delivery-summary")
    expect(summary).to_contain_text("Published on X", timeout=30_000)
    expect(summary).to_contain_text("LinkedIn is unconfirmed", timeout=30_000)
    unconfirmed = admin_page.locator('[data-status="unconfirmed"]')
    expect(unconfirmed).to_contain_text("never posted twice")
    expect(unconfirmed).to_contain_text("check LinkedIn before reposting", timeout=15_000)
    expect(admin_page.get_by_test_id("post-status")).to_have_text("Publishing")
    expect(admin_page.get_by_role("button", name=re.compile("Retry"))).to_have_count(0)

    # The beat's next look at unconfirmed posts: the read API finds the LinkedIn post; confirmed, not re-sent.
    unconfirmed_check_task.delay()
    expect(summary).to_have_text("Published on LinkedIn and X.", timeout=30_000)
    expect(admin_page.get_by_test_id("post-status")).to_have_text("Finished")
    expect(admin_page.locator(f"#target-{post.targets.get(channel=on_linkedin).pk}-row")).to_contain_text(
        "Confirmed on LinkedIn after the answer was lost"
    )
    # Once each post is live, its first comment goes under it (on X as a reply), once.
    for target in post.targets.all():
        expect(admin_page.locator(f"#target-{target.pk}-row").get_by_test_id("target-comment")).to_have_text(
            "First comment: posted", timeout=30_000
        )
    assert linkedin.comments["Full spring menu: harborcoffee.example/menu"] == 1
    assert x.comments["Full spring menu: harborcoffee.example/menu"] == 1
    at_both_widths(admin_page, "scheduling-post")
    assert _problems(admin_page) == []
    published = sum(linkedin.published.values()), sum(x.published.values())
    assert (published[0] - published_before[0], published[1] - published_before[1]) == (1, 1)
    assert set(post.targets.values_list("status", flat=True)) == {PostTarget.Status.PUBLISHED}
    assert page.console_errors == [] and admin_page.console_errors == []
