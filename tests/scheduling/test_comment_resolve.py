"""When Postframe can no longer ask a platform about an unconfirmed first comment (a day of lookups spent, or lookups
that cannot tell, like LinkedIn members' comments), an admin who looked under the post settles it: "it is there" marks
it posted and sends nothing; "it is not there" posts it once more through the comment task. Refused while Postframe
can still ask, for anything not unconfirmed, and for members; every answer is in the audit log and on the live page."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.urls import reverse
from django.utils import timezone

from scheduling import comments, dispatch
from scheduling.models import Post, PostTarget
from studio.core.models import AuditEntry
from tests.api.factories import api_client
from tests.scheduling.scheduled import due_post, target_of, token_channel
from tests.websockets import communicator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("short_platform_timeouts")]

C = PostTarget.Comment
COMMENT = "Menu and opening hours in our bio."


def _published(team, fake, platform, caption):
    channel = token_channel(team, fake, platform)
    post = due_post(team, [channel], caption=caption)
    Post.objects.filter(pk=post.pk).update(first_comment=COMMENT)
    dispatch.target_publish(target_id=target_of(post, channel).pk)
    target = target_of(post, channel)
    assert target.status == PostTarget.Status.PUBLISHED and target.comment_status == C.WAITING
    return post, target


def _lookups_cannot_tell(team, fake, caption):
    """A first comment LinkedIn took but whose answer was lost, and a lookup LinkedIn refused (as it refuses members'
    comments to apps without the read permission)."""
    post, target = _published(team, fake, "linkedin", caption)
    fake.lose_answers(1)
    assert comments.comment_post(target_id=target.pk) == C.UNCONFIRMED
    fake.fail_reads(1, status=403)
    assert comments.comment_confirm(target_id=target.pk) == C.UNCONFIRMED
    target.refresh_from_db()
    assert target.comment_message.startswith("Postframe could not check LinkedIn") and target.comment_checks == 1
    return post, target


def _asked_for_a_day(team, fake, caption):
    """A first comment whose call never left (nothing on X) and that the beat stopped asking about a day ago."""
    post, target = _published(team, fake, "x", caption)
    long_ago = timezone.now() - comments.CONFIRM_WINDOW - timedelta(minutes=5)
    PostTarget.objects.filter(pk=target.pk).update(
        comment_status=C.UNCONFIRMED, comment_started_at=long_ago, comment_message="X did not answer."
    )
    target.refresh_from_db()
    return post, target


@pytest.fixture(autouse=True)
def two_checks(settings):
    settings.SCHEDULING_CONFIRM_MAX_CHECKS = 2


def _lookups_spent(fake, target):
    """One more lookup that cannot tell: the second, the last Postframe makes here."""
    fake.fail_reads(1, status=403)
    assert comments.comment_confirm(target_id=target.pk) == C.UNCONFIRMED
    target.refresh_from_db()
    assert target.comment_checks == 2


def test_it_is_there_marks_it_posted_and_sends_nothing(team, admin_user, fake_linkedin):
    post, target = _lookups_cannot_tell(team, fake_linkedin, "Autumn menu")
    _lookups_spent(fake_linkedin, target)
    calls = len(fake_linkedin.requests_to(r"/comments$"))

    comments.comment_resolve(target=target, user=admin_user, found=True)

    target.refresh_from_db()
    assert target.comment_status == C.POSTED
    assert f"{admin_user.email} found it under the post on LinkedIn" in target.comment_message
    assert len(fake_linkedin.requests_to(r"/comments$")) == calls and fake_linkedin.comments[COMMENT] == 1
    assert target.status == PostTarget.Status.PUBLISHED and Post.objects.get(pk=post.pk).status == Post.Status.DONE
    entry = AuditEntry.objects.get(action="post.comment_marked_posted")
    assert entry.actor == admin_user and entry.detail == {"post_id": post.pk, "target_id": target.pk}


def test_it_is_not_there_posts_it_once_more_through_the_comment_task(
    team, admin_user, fake_x, monkeypatch, django_capture_on_commit_callbacks
):
    post, target = _asked_for_a_day(team, fake_x, "Winter menu")
    queued = []
    monkeypatch.setattr(comments, "_enqueue_post", queued.append)

    with django_capture_on_commit_callbacks(execute=True):
        comments.comment_resolve(target=target, user=admin_user, found=False)

    target.refresh_from_db()
    assert target.comment_status == C.WAITING and "it is not there: it is posted again" in target.comment_message
    assert queued == [target.pk] and fake_x.comments[COMMENT] == 0
    assert AuditEntry.objects.filter(action="post.comment_sent_again", actor=admin_user).exists()
    assert comments.comment_post(target_id=target.pk) == C.POSTED
    assert comments.comment_post(target_id=target.pk) is None
    assert fake_x.comments[COMMENT] == 1


def test_refused_while_postframe_can_still_ask_and_when_nothing_is_unconfirmed(team, admin_user, fake_linkedin):
    post, target = _lookups_cannot_tell(team, fake_linkedin, "Spring menu")
    # One lookup could not tell: the next one may still answer.
    assert not comments.comment_checks_exhausted(target)
    with pytest.raises(comments.CommentRefused, match="still asking LinkedIn whether the first comment went up"):
        comments.comment_resolve(target=target, user=admin_user, found=False)
    target.refresh_from_db()
    assert target.comment_status == C.UNCONFIRMED and not AuditEntry.objects.filter(action__startswith="post.comment")

    PostTarget.objects.filter(pk=target.pk).update(comment_status=C.POSTED)
    with pytest.raises(comments.CommentRefused, match="Nothing to settle on LinkedIn: the first comment is posted"):
        comments.comment_resolve(target=target, user=admin_user, found=False)
    assert fake_linkedin.comments[COMMENT] == 1 and not AuditEntry.objects.filter(action__startswith="post.comment")


def test_the_page_offers_it_to_admins_only_and_flashes_refusals(team, admin_user, member, client_for, fake_linkedin):
    post, target = _lookups_cannot_tell(team, fake_linkedin, "Summer menu")
    page = reverse("schedule_post", args=[post.pk])
    resolve = reverse("schedule_post_comment_resolve", args=[post.pk])
    as_admin = client_for(admin_user)

    assert 'data-testid="comment-resolve"' not in as_admin.get(page).content.decode()
    refused = as_admin.post(resolve, {"target": target.pk, "answer": "found"}, follow=True)
    assert "Postframe is still asking LinkedIn whether the first comment went up" in refused.content.decode()
    _lookups_spent(fake_linkedin, target)

    html = as_admin.get(page).content.decode()
    assert 'data-testid="comment-resolve"' in html
    assert "Postframe could not tell whether the first comment went up. Look under the post on LinkedIn" in html
    assert "It is there: mark posted" in html and "It is not there: post it again" in html
    assert "LinkedIn will show it twice" in html
    unclear = as_admin.post(resolve, {"target": target.pk, "answer": "maybe"}, follow=True)
    assert "Say whether the first comment is under the post." in unclear.content.decode()

    as_member = client_for(member)
    html = as_member.get(page).content.decode()
    assert 'data-testid="comment-resolve"' not in html and "First comment: <strong>unconfirmed</strong>" in html
    assert "an admin looks under the post on LinkedIn" in html
    assert as_member.post(resolve, {"target": target.pk, "answer": "found"}).status_code == 403
    target.refresh_from_db()
    assert target.comment_status == C.UNCONFIRMED

    answer = client_for(admin_user).post(
        resolve, {"target": target.pk, "answer": "found"}, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200 and answer.headers["HX-Redirect"] == page
    html = client_for(admin_user).get(page).content.decode()
    assert "Marked the first comment posted on" in html and "First comment: <strong>posted</strong>" in html


def test_the_api_says_which_comments_need_a_look_and_takes_the_answer(
    team, admin_user, member, other_team, outsider, fake_x
):
    post, target = _published(team, fake_x, "x", "Autumn menu")
    url = f"/api/v1/posts/{post.pk}/targets/{target.pk}/comment-resolve"
    admin = api_client(team, admin_user)
    assert [t["needsCommentCheckByHand"] for t in admin.get(f"/api/v1/posts/{post.pk}").json()["targets"]] == [False]
    early = admin.post(url, {"found": True}, content_type="application/json")
    assert early.status_code == 409 and "Nothing to settle on X" in early.json()["errors"][0]["message"]

    post, target = _asked_for_a_day(team, fake_x, "Harvest menu")
    url = f"/api/v1/posts/{post.pk}/targets/{target.pk}/comment-resolve"
    shown = admin.get(f"/api/v1/posts/{post.pk}").json()["targets"]
    assert [(t["needsCommentCheckByHand"], t["needsCheckByHand"]) for t in shown] == [(True, False)]
    assert api_client(team, member).post(url, {"found": True}, content_type="application/json").status_code == 403
    theirs = api_client(other_team, outsider)  # another team's token: the post is not theirs
    assert theirs.post(url, {"found": True}, content_type="application/json").status_code == 404
    other = admin.post(
        f"/api/v1/posts/{post.pk}/targets/{target.pk + 1000}/comment-resolve", {"found": True},
        content_type="application/json",
    )  # fmt: skip
    assert other.status_code == 404
    wrong = admin.post(url, {"found": "perhaps"}, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "found"

    answered = admin.post(url, {"found": True}, content_type="application/json")
    assert answered.status_code == 200, answered.content
    assert answered.json()["targets"][0]["firstComment"] == "posted"
    assert answered.json()["targets"][0]["needsCommentCheckByHand"] is False
    again = admin.post(url, {"found": False}, content_type="application/json")
    assert again.status_code == 409 and "the first comment is posted" in again.json()["errors"][0]["message"]
    assert fake_x.comments["Menu and opening hours in our bio."] == 0
    assert AuditEntry.objects.filter(action="post.comment_marked_posted").count() == 1


@pytest.mark.usefixtures("keep_the_test_connection")
def test_a_watching_admin_gets_the_answers_live_and_sees_the_answer_land(
    team, admin_user, client_for, fake_x, django_capture_on_commit_callbacks
):
    post, target = _asked_for_a_day(team, fake_x, "Open late")
    client = client_for(admin_user)

    def answer():
        with django_capture_on_commit_callbacks(execute=True):
            comments.comment_resolve(target=target, user=admin_user, found=True)

    async def scenario():
        socket = communicator(f"/ws/posts/{post.uuid}/", client)
        connected, _ = await socket.connect(timeout=5)
        assert connected
        first = await socket.receive_from(timeout=5)
        await database_sync_to_async(answer)()
        seen = [await socket.receive_from(timeout=5)]
        while "First comment: <strong>posted</strong>" not in seen[-1]:
            seen.append(await socket.receive_from(timeout=5))
        await socket.disconnect()
        return first, seen[-1]

    first, last = async_to_sync(scenario)()
    assert 'data-testid="comment-resolve"' in first and "It is there: mark posted" in first
    assert 'data-testid="comment-resolve"' not in last
