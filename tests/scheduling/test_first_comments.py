"""A post's first comment goes under the live post once on Instagram, LinkedIn and X (X as a reply), through their
APIs on the fakes: claimed and committed before the call, a lost answer looked up before anything is sent again, a
refusal shown on the channel with a way to post it again, the post itself never touched."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling import comments, dispatch, selectors
from scheduling.channels import channel_credentials
from scheduling.models import PostTarget
from scheduling.publishers.base import PublishMedia
from scheduling.publishers.instagram import InstagramPublisher
from studio.core.models import AuditEntry
from tests.scheduling.scheduled import due_post, target_of, token_channel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("short_platform_timeouts")]

C = PostTarget.Comment


def _published(team, fake, platform, *, caption, comment="Menu and opening hours in our bio."):
    channel = token_channel(team, fake, platform)
    post = due_post(team, [channel], caption=caption)
    post.first_comment = comment
    post.save(update_fields=["first_comment"])
    dispatch.target_publish(target_id=target_of(post, channel).pk)
    target = target_of(post, channel)
    assert target.status == PostTarget.Status.PUBLISHED
    return post, target


def test_x_gets_the_first_comment_as_a_reply_to_the_post_once(team, fake_x, client_for, member):
    post, target = _published(team, fake_x, "x", caption="Autumn menu is here")
    assert target.comment_status == C.WAITING  # queued with the publish's commit

    assert comments.comment_post(target_id=target.pk) == C.POSTED
    assert comments.comment_post(target_id=target.pk) is None  # a redelivered task finds nothing to claim
    target.refresh_from_db()
    reply = fake_x.tweets[target.comment_remote_id]
    assert reply["referenced_tweets"] == [{"type": "replied_to", "id": target.remote_id}]
    assert fake_x.comments["Menu and opening hours in our bio."] == 1 and fake_x.published["Autumn menu is here"] == 1
    page = client_for(member).get(reverse("schedule_post", args=[post.pk])).content.decode()
    assert "First comment: <strong>posted</strong>" in page


def test_a_lost_comment_answer_is_looked_up_not_sent_again(team, fake_linkedin):
    post, target = _published(team, fake_linkedin, "linkedin", caption="Spring menu is here")
    fake_linkedin.lose_answers(1)

    assert comments.comment_post(target_id=target.pk) == C.UNCONFIRMED
    target.refresh_from_db()
    assert "looks under the post" in target.comment_message
    assert "the first comment is unconfirmed on LinkedIn" in selectors.delivery_summary(post)
    assert comments.comment_confirm(target_id=target.pk) == C.POSTED
    target.refresh_from_db()
    assert target.comment_status == C.POSTED and target.comment_remote_id.startswith("urn:li:comment:")
    assert fake_linkedin.comments["Menu and opening hours in our bio."] == 1


def test_a_comment_the_platform_does_not_have_is_posted_again_and_a_stalled_one_is_looked_up(team, fake_x):
    post, target = _published(team, fake_x, "x", caption="Winter menu is here")
    PostTarget.objects.filter(pk=target.pk).update(comment_status=C.UNCONFIRMED, comment_started_at=timezone.now())
    assert comments.comment_confirm(target_id=target.pk) == C.WAITING  # surely absent: safe to send
    assert comments.comment_post(target_id=target.pk) == C.POSTED

    # A worker killed mid-call leaves the comment "posting"; the beat's look finds it on X, posts nothing.
    long_ago = timezone.now() - timedelta(hours=1)
    PostTarget.objects.filter(pk=target.pk).update(comment_status=C.POSTING, comment_started_at=long_ago)
    assert comments.comments_check() == 1
    target.refresh_from_db()
    assert target.comment_status == C.POSTED
    assert fake_x.comments["Menu and opening hours in our bio."] == 1


def test_a_refused_comment_leaves_the_post_published_and_can_be_posted_again(team, fake_x, member, client_for):
    post, target = _published(team, fake_x, "x", caption="Summer menu is here")
    fake_x.rate_limit(30)
    assert comments.comment_post(target_id=target.pk) == C.FAILED
    target.refresh_from_db()
    assert target.status == PostTarget.Status.PUBLISHED and "The first comment was not posted" in target.comment_message
    assert selectors.delivery_summary(post) == "Published on X; the first comment failed on X."
    page = client_for(member).get(reverse("schedule_post", args=[post.pk])).content.decode()
    assert "Post the first comment again" in page

    fake_x.rate_limit(0)
    answer = client_for(member).post(
        reverse("schedule_post_comment_again", args=[post.pk]), {"target": target.pk}, headers={"HX-Request": "true"}
    )
    assert answer.headers["HX-Redirect"] == reverse("schedule_post", args=[post.pk])
    target.refresh_from_db()
    assert target.comment_status == C.WAITING
    assert AuditEntry.objects.filter(action="post.comment_again").exists()
    with pytest.raises(comments.CommentRefused, match="Nothing to post again"):
        comments.comment_again(target=target, user=member)
    assert comments.comment_post(target_id=target.pk) == C.POSTED
    assert fake_x.comments["Menu and opening hours in our bio."] == 1


def test_no_first_comment_or_a_platform_without_comments_queues_nothing(team, fake_x, webhook_receiver):
    from tests.scheduling.scheduled import webhook_channel

    _, plain = _published(team, fake_x, "x", caption="No comment today", comment="")
    assert plain.comment_status == C.NONE
    hook = webhook_channel(team, webhook_receiver)
    post = due_post(team, [hook])
    post.first_comment = "Carried in the payload"
    post.save(update_fields=["first_comment"])
    dispatch.target_publish(target_id=target_of(post, hook).pk)
    target = target_of(post, hook)
    assert target.status == PostTarget.Status.PUBLISHED and target.comment_status == C.NONE
    assert webhook_receiver.bodies[target.external_id]["first_comment"] == "Carried in the payload"


def test_instagram_comments_under_the_media_and_finds_it_again(team, fake_instagram):
    channel = token_channel(team, fake_instagram, "instagram")
    media_id = fake_instagram.next_id()
    fake_instagram.media[media_id] = {"id": media_id, "caption": "Latte", "owner": channel.account_id, "at": 0}
    fake_instagram.media[media_id]["timestamp"] = "2026-11-30T10:00:00+0000"
    publisher, credentials = InstagramPublisher(), channel_credentials(channel)

    assert publisher.find_comment(credentials, media_id, "Recipe in the bio") is None
    posted = publisher.comment(credentials, media_id, "Recipe in the bio")
    assert posted.remote_id and fake_instagram.comments["Recipe in the bio"] == 1
    assert publisher.find_comment(credentials, media_id, "Recipe in the bio").remote_id == posted.remote_id


def test_the_composer_checks_the_first_comment_against_each_platforms_limit(team):
    from tests.scheduling.posting import channel

    x, linkedin = channel(team, "x"), channel(team, "linkedin")
    media = [PublishMedia(url="https://example.test/a.jpg", kind="image", mime="image/jpeg", width=1080, height=1080)]
    long_comment = "Tap the link in our bio for the full menu. " * 8  # 344 characters
    x_problems = selectors.channel_problems(x, text="Menu", media=media, first_comment=long_comment)
    assert any("X takes a first comment of up to 280 characters" in problem for problem in x_problems)
    assert selectors.channel_problems(linkedin, text="Menu", media=media, first_comment=long_comment) == []


def test_a_comment_x_refuses_as_a_duplicate_fails_instead_of_looping(team, fake_x):
    post, target = _published(team, fake_x, "x", caption="Open late", comment="Open until 10 pm.")
    other = due_post(team, [target.channel], caption="Open until 10 pm.")  # the same words, posted before
    dispatch.target_publish(target_id=target_of(other, target.channel).pk)

    assert comments.comment_post(target_id=target.pk) == C.FAILED
    target.refresh_from_db()
    assert "duplicate" in target.comment_message and fake_x.comments["Open until 10 pm."] == 0
