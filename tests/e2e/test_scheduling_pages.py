"""The schedule's pages for a busy team, at a laptop and a phone width: the calendar's month and week, the composer
with its tray and live checks, a post in review and one that partly failed. axe-core finds nothing serious, nothing
scrolls sideways, the console stays clean; the screenshots are kept for review."""

import datetime
import shutil

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from scheduling import services
from scheduling.models import Post, PostTarget
from tests.e2e.conftest import log_in
from tests.e2e.library_browser import library_team, make_asset
from tests.e2e.studio_screens import LAPTOP, PHONE, SCREENS, screenshot
from tests.factories import MembershipFactory, UserFactory
from tests.scheduling.posting import channel

SERIOUS = {"serious", "critical"}


def _check_both_widths(page, name):
    problems = []
    for label, size in (("1280x800", LAPTOP), ("390x844", PHONE)):
        page.set_viewport_size(size)
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(150)
        screenshot(page, f"{name}-{label}")
        problems += [
            f"{name} {label} {rule['id']}: {rule['help']} at {[node['target'] for node in rule['nodes']][:3]}"
            for rule in Axe().run(page).response["violations"]
            if rule["impact"] in SERIOUS
        ]
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
            problems.append(f"{label}: the page scrolls sideways")
    page.set_viewport_size(LAPTOP)
    return problems


def _busy_team(settings, live_studio):
    team, member = library_team(settings, live_studio, email="lea@example.com", name="Harbor Coffee")
    admin = MembershipFactory(team=team, role="admin", user=UserFactory(email="omar@example.com")).user
    services.schedule_settings_update(
        team=team, user=admin, timezone_name="Europe/Lisbon", queue_slots=services.parse_queue_slots("weekdays 09:30")
    )
    channels = [
        channel(team, "instagram", name="@harborcoffee"),
        channel(team, "linkedin", name="Harbor Coffee (page)"),
        channel(team, "x", name="@harbor"),
        channel(team, "tiktok", name="@harbor.coffee", privacy_level_options=["SELF_ONLY", "FOLLOWER_OF_CREATOR"]),
    ]
    photos = [
        make_asset(team, member, title, prompt=prompt, model_id="local:draft", size=(1080, 1350), hue=hue)
        for title, prompt, hue in (
            ("Oat latte on oak", "An oat latte on an oak table, morning light", 0.08),
            ("Lemon buns", "Three lemon buns on a blue plate", 0.15),
            ("Terrace at dusk", "The café terrace at dusk, string lights", 0.62),
        )
    ]
    base = timezone.now().replace(minute=0, second=0, microsecond=0)
    captions = [
        ("Spring menu is here: oat lattes and lemon buns.", Post.Status.SCHEDULED, 1, 9),
        ("Meet Rosa, our new head baker.", Post.Status.IN_REVIEW, 2, 12),
        ("Terrace opens Friday at five.", Post.Status.DRAFT, 3, 17),
        ("Latte art class, Saturday 10:00.", Post.Status.RETURNED, 5, 10),
        ("Thank you for 10,000 followers!", Post.Status.SCHEDULED, 8, 15),
    ]
    posts = []
    for index, (caption, status, days, hour) in enumerate(captions):
        data = services.PostInput(
            caption=caption,
            hashtags="#harborcoffee",
            asset_ids=[photos[index % 3].pk],
            alt_texts={photos[index % 3].pk: "A photo from the café"},
            channel_ids=[c.pk for c in channels[: 2 + index % 2]],
            publish_at=base + datetime.timedelta(days=days, hours=hour - base.hour),
        )
        post = services.post_create(team=team, user=member, data=data)
        Post.objects.filter(pk=post.pk).update(
            status=status,
            submitted_by=member,
            review_comment="Use the photo with the buns in front." if status == Post.Status.RETURNED else "",
        )
        posts.append(post)
    done = posts[0]
    Post.objects.filter(pk=done.pk).update(status=Post.Status.DONE, publish_at=base - datetime.timedelta(hours=3))
    for target in done.targets.select_related("channel"):
        if target.channel.platform == "instagram":
            target.status, target.message = PostTarget.Status.FAILED, "Instagram refused the image: media expired."
        else:
            target.status, target.remote_url = PostTarget.Status.PUBLISHED, "https://www.linkedin.com/feed/"
        target.save()
    return team, member, admin, posts


def test_the_schedule_pages_read_well_at_both_widths(new_page, settings, live_studio):
    team, member, admin, posts = _busy_team(settings, live_studio)
    page = new_page()
    log_in(page, admin.email)
    page.goto("/schedule/")
    expect(page.get_by_test_id("post-chip").first).to_be_visible()
    problems = _check_both_widths(page, "schedule-month")
    page.get_by_label("Week").check()
    expect(page.locator(".calendar-week")).to_be_visible()
    problems += _check_both_widths(page, "schedule-week")

    page.goto(f"/schedule/posts/{posts[1].pk}/")
    expect(page.get_by_role("button", name="Approve and schedule")).to_be_enabled()
    problems += _check_both_widths(page, "schedule-post-review")
    page.goto(f"/schedule/posts/{posts[0].pk}/")
    expect(page.get_by_test_id("delivery-summary")).to_have_text(
        "Published on LinkedIn; Instagram failed: Instagram refused the image: media expired."
    )
    problems += _check_both_widths(page, "schedule-post-partial")
    page.goto("/schedule/settings/")
    problems += _check_both_widths(page, "schedule-settings")

    composer = new_page()
    log_in(composer, member.email)
    composer.goto(f"/schedule/posts/{posts[3].pk}/edit/")
    expect(composer.get_by_text("Use the photo with the buns in front.")).to_be_visible()
    composer.get_by_test_id("picker-item").nth(1).click()
    expect(composer.get_by_test_id("tray").locator("li")).to_have_count(2)
    composer.get_by_label("Caption", exact=True).fill("Latte art class, Saturday 10:00. " * 5)
    composer.locator("[data-platform='tiktok'] input[type=checkbox]").check()
    expect(composer.locator("[data-platform='tiktok'] [data-testid='channel-check']")).to_contain_text("privacy")
    problems += _check_both_widths(composer, "schedule-composer")
    assert problems == []
    assert page.console_errors == [] and composer.console_errors == []
    shots = "/tmp/shots/h15c"
    if shutil.os.path.isdir(shots):  # the author's review folder, when it exists
        for path in SCREENS.glob("schedule-*.png"):
            shutil.copy(path, shots)
