"""Browser: a post X took but never confirmed, with every read-API check spent. The admin sees what to do on the
post page, says "it is not there" (a dialog warns that a wrong answer posts twice), and watches the live worker send
it once more to the X fake; a member sees the state but not the answers."""

import datetime
import re

from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from scheduling import dispatch
from scheduling.channels import channel_connect_token
from scheduling.models import Post, PostTarget, PublishAttempt
from scheduling.tasks import dispatch_task
from tests.e2e.conftest import log_in
from tests.e2e.library_browser import library_team
from tests.e2e.studio_screens import at_both_widths
from tests.factories import MembershipFactory, UserFactory


def test_an_admin_settles_an_unconfirmed_post_by_hand_and_watches_it_go_out(
    new_page, settings, live_studio, social_fakes
):
    team, member = library_team(settings, live_studio, email="kai@example.com", name="Harbor Coffee")
    admin = MembershipFactory(team=team, role="admin", user=UserFactory(email="ines@example.com")).user
    settings.X_API_URL = social_fakes.x.url  # the token is checked from here; the live worker posts to the same fake
    on_x = channel_connect_token(team=team, user=admin, platform="x", access_token=social_fakes.x.issue_token())
    caption = f"Harbor Coffee opens at 7 tomorrow {timezone.now():%H%M%S}"
    post = Post.objects.create(
        team=team,
        caption=caption,
        status=Post.Status.PUBLISHING,
        publish_at=timezone.now() - datetime.timedelta(minutes=20),
    )
    target = PostTarget.objects.create(post=post, channel=on_x, external_id=f"pf-{post.uuid.hex}")
    # A worker died after saving its attempt; every check since said "can't tell".
    checks = settings.SCHEDULING_CONFIRM_MAX_CHECKS
    PostTarget.objects.filter(pk=target.pk).update(status=PostTarget.Status.UNCONFIRMED, message=dispatch.WORKER_LOST)
    PublishAttempt.objects.create(target=target, number=1, outcome="unconfirmed", partial={"checks": checks})

    member_page = new_page()
    log_in(member_page, member.email)
    member_page.goto(f"/schedule/posts/{post.pk}/")
    expect(member_page.get_by_test_id("delivery-summary")).to_contain_text("X is unconfirmed")
    expect(member_page.get_by_test_id("resolve")).to_have_count(0)

    page = new_page()
    log_in(page, admin.email)
    page.goto(f"/schedule/posts/{post.pk}/")
    resolve = page.get_by_test_id("resolve")
    expect(resolve).to_contain_text("could not tell whether the post went out")
    at_both_widths(page, "scheduling-resolve")
    violations = [r["id"] for r in Axe().run(page).response["violations"] if r["impact"] in ("serious", "critical")]
    assert violations == []

    resolve.get_by_role("button", name="It is not there: send again").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("will show it twice")
    dialog.get_by_role("button", name="Send again").click()
    expect(page.locator(".flash-stack")).to_contain_text("Sending it to")
    expect(page.get_by_test_id("resolve")).to_have_count(0)

    # The beat's tick reaches the live worker; the page watches X take it.
    dispatch_task.delay()
    expect(page.get_by_test_id("delivery-summary")).to_have_text("Published on X.", timeout=30_000)
    expect(page.get_by_test_id("post-status")).to_have_text("Finished")
    assert social_fakes.x.published[caption] == 1
    history = page.get_by_test_id("post-audit")
    expect(history).to_contain_text(re.compile("did not find .* sent again"))
    assert page.console_errors == [] and member_page.console_errors == []
