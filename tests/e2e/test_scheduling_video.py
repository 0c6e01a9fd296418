"""Journey: a member schedules a video from the library to X. The picker shows the clip's length, the preview its
poster with a play mark, and the composer says at once that a video goes alone; an admin approves, and the live
worker uploads the video to the X fake in chunks, waits out its processing and posts it once, while the admin
watches the post page."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from library.services import video_ingest
from scheduling.channels import channel_connect_token
from scheduling.models import Post
from scheduling.tasks import dispatch_task
from tests.e2e.conftest import log_in
from tests.e2e.library_browser import library_team, make_asset
from tests.e2e.studio_screens import at_both_widths
from tests.factories import MembershipFactory, UserFactory
from tests.library.videos import clip


def test_a_member_schedules_a_library_video_and_it_goes_to_x_once(new_page, settings, live_studio, social_fakes):
    team, member = library_team(settings, live_studio, email="luz@example.com", name="Harbor Coffee")
    admin = MembershipFactory(team=team, role="admin", user=UserFactory(email="ole@example.com")).user
    make_asset(team, member, "Lemon bun", prompt="A lemon bun on a plate", model_id="local:draft", size=(1080, 1080))
    data = clip(seconds=4, width=216, height=384, colour=(210, 150, 60))
    reel = video_ingest(team=team, user=member, data=data, filename="pouring-latte.mp4")
    settings.X_API_URL = social_fakes.x.url  # the token is checked from here; the live worker posts to the same fake
    on_x = channel_connect_token(team=team, user=admin, platform="x", access_token=social_fakes.x.issue_token())
    caption = f"Four seconds of latte art {timezone.now():%H%M%S}"

    page = new_page()
    log_in(page, member.email)
    page.goto("/schedule/posts/new/")
    video_pick = page.locator(f'[data-pick="{reel.pk}"]')
    expect(video_pick).to_contain_text("MP4 · 216×384 · 0:04")
    video_pick.click()
    expect(page.locator(f"#alt_{reel.pk}")).to_have_attribute("placeholder", "Alt text: describe the video")
    page.locator(f'[data-testid="picker-item"]:not([data-pick="{reel.pk}"])').click()
    page.get_by_label(re.compile(r"\bX · ")).check()
    x_row = page.locator(f'[data-channel="{on_x.pk}"]')
    # The live counter counts as X does: a family emoji and a flag weigh 2 each, a link 23 however long.
    page.get_by_label("Caption", exact=True).fill("🎉 " * 85 + "👩‍👩‍👧🇫🇷 https://harbor.example/" + "a" * 80)
    expect(x_row.locator(".counter")).to_have_text("283 / 280 — 3 too many")
    expect(x_row.get_by_test_id("channel-check")).to_contain_text("this caption is 283, 3 characters too many (X")
    page.get_by_label("Caption", exact=True).fill(caption)
    check = x_row.get_by_test_id("channel-check")
    expect(check).to_contain_text("X posts a video on its own: this post has 2 items.")
    page.get_by_role("button", name="Remove Lemon bun").click()
    expect(check).to_have_text("")
    preview = page.locator(f'[data-preview="{on_x.pk}"]')
    expect(preview.locator(".preview-play")).to_be_visible()
    when = timezone.localtime(timezone.now() + datetime.timedelta(days=1))
    page.get_by_label("Date", exact=True).fill(when.date().isoformat())
    page.get_by_label("Time", exact=True).fill("09:00")
    at_both_widths(page, "scheduling-video-composer")
    page.get_by_role("button", name="Save and send for approval").click()
    expect(page.get_by_test_id("post-status")).to_have_text("Waiting for approval")
    post = Post.objects.get(team=team)
    assert [item.asset_id for item in post.media.all()] == [reel.pk]

    admin_page = new_page()
    log_in(admin_page, admin.email)
    admin_page.goto(f"/schedule/posts/{post.pk}/")
    admin_page.get_by_role("button", name="Approve and schedule").click()
    expect(admin_page.get_by_test_id("post-status")).to_have_text("Scheduled")

    # Its time comes and the beat's tick reaches the live worker: upload, processing, then the post.
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() - datetime.timedelta(seconds=1))
    dispatch_task.delay()
    expect(admin_page.get_by_test_id("delivery-summary")).to_have_text("Published on X.", timeout=45_000)
    assert social_fakes.x.published[caption] == 1
    assert page.console_errors == [] and admin_page.console_errors == []
