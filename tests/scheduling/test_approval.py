"""Approval: members submit, admins approve or return with a comment, nobody approves their own post, every step in
the audit log; through the pages as people use them."""

import pytest
from django.urls import reverse

from scheduling import services
from scheduling.models import Post, PostTarget
from studio.core.models import AuditEntry
from tests.scheduling.posting import channel, draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(team, member):
    post = draft(team, member, channels=[channel(team, "linkedin"), channel(team, "x")])
    return services.post_submit(post=post, user=member)


def test_a_member_submits_and_an_admin_approves_it_into_the_schedule(client_for, submitted, admin_user):
    client = client_for(admin_user)
    response = client.post(reverse("schedule_post_approve", args=[submitted.pk]), follow=True)
    assert "Approved: it is scheduled" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Post.Status.SCHEDULED and submitted.approved_by == admin_user
    assert set(submitted.targets.values_list("status", flat=True)) == {PostTarget.Status.PENDING}
    actions = list(AuditEntry.objects.filter(detail__post_id=submitted.pk).values_list("action", flat=True))
    assert set(actions) == {"post.created", "post.submitted", "post.approved"}


def test_a_member_cannot_approve(client_for, submitted, make_member):
    other_member = make_member("member")
    response = client_for(other_member).post(reverse("schedule_post_approve", args=[submitted.pk]))
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Post.Status.IN_REVIEW


def test_an_admin_cannot_approve_their_own_post_and_the_page_says_so(client_for, team, admin_user, make_member):
    post = draft(team, admin_user, channels=[channel(team)])
    services.post_submit(post=post, user=admin_user)
    client = client_for(admin_user)
    page = client.get(reverse("schedule_post", args=[post.pk])).content.decode()
    assert "you wrote this one, so another admin has to approve it" in page
    response = client.post(reverse("schedule_post_approve", args=[post.pk]), follow=True)
    assert "Nobody approves their own post" in response.content.decode()
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW
    second_admin = make_member("admin")
    client_for(second_admin).post(reverse("schedule_post_approve", args=[post.pk]))
    post.refresh_from_db()
    assert post.status == Post.Status.SCHEDULED and post.approved_by == second_admin


def test_returning_needs_a_comment_and_shows_it_to_the_author(client_for, submitted, admin_user, member):
    client = client_for(admin_user)
    empty = client.post(reverse("schedule_post_return", args=[submitted.pk]), {"comment": "  "})
    assert empty.status_code == 422 and "Say what to change" in empty.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Post.Status.IN_REVIEW
    client.post(reverse("schedule_post_return", args=[submitted.pk]), {"comment": "Use the oat milk photo."})
    submitted.refresh_from_db()
    assert submitted.status == Post.Status.RETURNED
    page = client_for(member).get(reverse("schedule_post_edit", args=[submitted.pk])).content.decode()
    assert "Use the oat milk photo." in page
    entry = AuditEntry.objects.get(action="post.returned", detail__post_id=submitted.pk)
    assert entry.detail["comment"] == "Use the oat milk photo."


def test_a_post_whose_time_passed_in_review_cannot_be_approved(submitted, admin_user):
    import datetime

    from django.utils import timezone

    Post.objects.filter(pk=submitted.pk).update(publish_at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(services.PostError) as refused:
        services.post_approve(post=submitted, user=admin_user)
    assert "passed" in refused.value.errors["publish_at"]


def test_a_draft_without_channels_cannot_be_submitted(team, member):
    post = draft(team, member)
    with pytest.raises(services.PostError) as refused:
        services.post_submit(post=post, user=member)
    assert "channel" in refused.value.errors["channels"]


def test_an_asset_deleted_after_drafting_blocks_submission_with_its_name(team, member):
    from tests.scheduling.posting import image

    photo = image(team, name="Latte art")
    post = draft(team, member, channels=[channel(team)], assets=[photo])
    photo.delete()
    with pytest.raises(services.PostError) as refused:
        services.post_submit(post=post, user=member)
    assert "Latte art" in refused.value.errors["assets"]
