"""When Postframe has spent every read-API check on an unconfirmed post, an admin who looked on the platform settles
it: "it is there" marks it published and sends nothing; "it is not there" sends it once more. Refused while
Postframe can still ask, for anything not unconfirmed, and for members; every answer is in the audit log."""

import pytest
from django.urls import reverse

from scheduling import comments, dispatch
from scheduling.models import Post, PostTarget, PublishAttempt
from studio.core.models import AuditEntry
from tests.api.factories import api_client
from tests.scheduling.scheduled import due_post, target_of, token_channel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("short_platform_timeouts")]

S, O = PostTarget.Status, PublishAttempt.Outcome  # noqa: E741


@pytest.fixture(autouse=True)
def two_checks(settings):
    settings.SCHEDULING_CONFIRM_MAX_CHECKS = 2


def _checks_run_out(fake, team, caption):
    """A post X received but whose answer was lost, with X's read API down for every check Postframe may make."""
    channel = token_channel(team, fake, "x")
    post = due_post(team, [channel], caption=caption)
    fake.lose_answers(1)
    dispatch.target_publish(target_id=target_of(post, channel).pk)
    fake.fail_reads(10)
    while dispatch.unconfirmed_check():
        pass
    target = target_of(post, channel)
    assert target.status == S.UNCONFIRMED and dispatch.checks_exhausted(target)
    return post, target


def _cut_before_the_call(team, fake, caption):
    """A worker killed after saving its attempt and before its call left the machine; every check said "can't tell"."""
    channel = token_channel(team, fake, "x")
    post = due_post(team, [channel], caption=caption, status=Post.Status.PUBLISHING)
    target = target_of(post, channel)
    PostTarget.objects.filter(pk=target.pk).update(status=S.UNCONFIRMED, message=dispatch.WORKER_LOST)
    PublishAttempt.objects.create(target=target, number=1, outcome=O.UNCONFIRMED, partial={"checks": 2})
    target.refresh_from_db()
    return post, target


def test_it_is_there_marks_it_published_and_sends_nothing(team, admin_user, fake_x):
    post, target = _checks_run_out(fake_x, team, "Autumn menu")
    publishes = len(fake_x.requests_to(r"^/2/tweets$"))

    dispatch.target_resolve(target=target, user=admin_user, found=True)

    target.refresh_from_db()
    assert target.status == S.PUBLISHED and target.published_at is not None
    assert f"{admin_user.email} found it on X" in target.message
    assert target.attempts.get().outcome == O.CONFIRMED
    assert Post.objects.get(pk=post.pk).status == Post.Status.DONE
    assert len(fake_x.requests_to(r"^/2/tweets$")) == publishes and fake_x.published["Autumn menu"] == 1
    entry = AuditEntry.objects.get(action="post.marked_published")
    assert entry.actor == admin_user and entry.detail["target_id"] == target.pk


def test_it_is_not_there_sends_it_once_more(team, admin_user, fake_x):
    post, target = _cut_before_the_call(team, fake_x, "Winter menu")

    dispatch.target_resolve(target=target, user=admin_user, found=False)
    target.refresh_from_db()
    assert target.status == S.PENDING and "it is sent again" in target.message
    assert AuditEntry.objects.filter(action="post.sent_again", actor=admin_user).exists()

    assert dispatch.dispatch_due() == 1
    dispatch.target_publish(target_id=target.pk)
    target.refresh_from_db()
    assert target.status == S.PUBLISHED
    assert [attempt.outcome for attempt in target.attempts.order_by("number")] == [O.ABSENT, O.PUBLISHED]
    assert fake_x.published["Winter menu"] == 1


def test_refused_while_postframe_can_still_ask_and_when_nothing_is_unconfirmed(team, admin_user, fake_x, settings):
    post, target = _cut_before_the_call(team, fake_x, "Spring menu")
    settings.SCHEDULING_CONFIRM_MAX_CHECKS = 5  # three checks left
    with pytest.raises(dispatch.ResolveRefused, match="still asking X"):
        dispatch.target_resolve(target=target, user=admin_user, found=True)
    settings.SCHEDULING_CONFIRM_MAX_CHECKS = 2
    dispatch.target_resolve(target=target, user=admin_user, found=True)
    with pytest.raises(dispatch.ResolveRefused, match="Nothing to settle on X: it is published"):
        dispatch.target_resolve(target=target, user=admin_user, found=False)
    assert target.attempts.count() == 1 and AuditEntry.objects.filter(action__startswith="post.").count() == 1


def test_the_page_offers_it_to_admins_only_and_answers_htmx_with_a_reload(team, admin_user, member, client_for, fake_x):
    post, target = _cut_before_the_call(team, fake_x, "Summer menu")
    page = reverse("schedule_post", args=[post.pk])
    resolve = reverse("schedule_post_resolve", args=[post.pk])

    as_member = client_for(member)
    assert 'data-testid="resolve"' not in as_member.get(page).content.decode()
    assert as_member.post(resolve, {"target": target.pk, "answer": "found"}).status_code == 403

    as_admin = client_for(admin_user)
    html = as_admin.get(page).content.decode()
    assert 'data-testid="resolve"' in html and "It is not there: send again" in html
    refused = as_admin.post(resolve, {"target": target.pk, "answer": "maybe"}, follow=True)
    assert "Say whether the post is on the platform" in refused.content.decode()
    target.refresh_from_db()
    assert target.status == S.UNCONFIRMED

    answer = as_admin.post(resolve, {"target": target.pk, "answer": "absent"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and answer.headers["HX-Redirect"] == page
    target.refresh_from_db()
    assert target.status == S.PENDING
    assert "Sending it to" in as_admin.get(page).content.decode()


def test_the_api_says_which_channels_need_a_look_and_takes_the_answer(team, admin_user, member, fake_x):
    post, target = _cut_before_the_call(team, fake_x, "Autumn menu")
    url = f"/api/v1/posts/{post.pk}/targets/{target.pk}/resolve"
    shown = api_client(team, admin_user).get(f"/api/v1/posts/{post.pk}").json()
    assert [t["needsCheckByHand"] for t in shown["targets"]] == [True]

    assert api_client(team, member).post(url, {"found": True}, content_type="application/json").status_code == 403
    wrong = api_client(team, admin_user).post(url, {"found": "perhaps"}, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "found"
    answered = api_client(team, admin_user).post(url, {"found": True}, content_type="application/json")
    assert answered.status_code == 200, answered.content
    assert answered.json()["targets"][0]["status"] == "published"
    assert answered.json()["targets"][0]["needsCheckByHand"] is False
    again = api_client(team, admin_user).post(url, {"found": False}, content_type="application/json")
    assert again.status_code == 409 and "Nothing to settle" in again.json()["errors"][0]["message"]
    other = api_client(team, admin_user).post(
        f"/api/v1/posts/{post.pk}/targets/{target.pk + 1000}/resolve", {"found": True}, content_type="application/json"
    )
    assert other.status_code == 404


def test_its_address_is_kept_and_the_first_comment_goes_under_the_post_it_names(team, admin_user, fake_x):
    post, target = _checks_run_out(fake_x, team, "Harvest menu")
    Post.objects.filter(pk=post.pk).update(first_comment="Full menu: harbor.example/menu")
    (tweet_id,) = [tweet["id"] for tweet in fake_x.posts if tweet["text"] == "Harvest menu"]
    link = f"https://x.com/harborcoffee/status/{tweet_id}?s=20"

    dispatch.target_resolve(target=target, user=admin_user, found=True, link=link)

    target.refresh_from_db()
    assert target.status == S.PUBLISHED
    assert (target.remote_url, target.remote_id) == (link, tweet_id)
    assert "Its first comment goes under it now." in target.message
    assert target.comment_status == PostTarget.Comment.WAITING  # queued with the answer's commit
    assert comments.comment_post(target_id=target.pk) == PostTarget.Comment.POSTED
    target.refresh_from_db()
    assert fake_x.tweets[target.comment_remote_id]["referenced_tweets"] == [{"type": "replied_to", "id": tweet_id}]
    assert fake_x.comments["Full menu: harbor.example/menu"] == 1


def test_an_address_that_is_not_a_post_there_is_refused_and_nothing_changes(team, admin_user, fake_x, client_for):
    post, target = _cut_before_the_call(team, fake_x, "Brunch menu")

    for link, words in (
        ("https://www.linkedin.com/feed/update/urn:li:share:7/", "not the address of a post on X"),
        ("x.com/harbor/status/12", "starting with https://"),
        ("https://x.com/harborcoffee", "not the address of a post on X"),
    ):
        with pytest.raises(dispatch.ResolveRefused, match=words):
            dispatch.target_resolve(target=target, user=admin_user, found=True, link=link)
    target.refresh_from_db()
    assert target.status == S.UNCONFIRMED and not target.remote_url
    assert not AuditEntry.objects.filter(action__startswith="post.").exists()

    page = reverse("schedule_post", args=[post.pk])
    answer = client_for(admin_user).post(
        reverse("schedule_post_resolve", args=[post.pk]),
        {"target": target.pk, "answer": "found", "link": "https://example.com/post/1"},
        follow=True,
    )
    assert "That is not the address of a post on X; it looks like https://x.com/" in answer.content.decode()
    assert answer.redirect_chain[-1][0] == page
    target.refresh_from_db()
    assert target.status == S.UNCONFIRMED

    url = f"/api/v1/posts/{post.pk}/targets/{target.pk}/resolve"
    wrong = api_client(team, admin_user).post(url, {"found": True, "link": "ftp://x"}, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "link"


def test_without_an_address_the_post_is_marked_published_and_says_its_comment_did_not_go(
    team, admin_user, fake_x, client_for
):
    post, target = _cut_before_the_call(team, fake_x, "Lunch menu")
    Post.objects.filter(pk=post.pk).update(first_comment="Today's soup: leek")
    html = client_for(admin_user).get(reverse("schedule_post", args=[post.pk])).content.decode()
    assert "Its address on X" in html and "the first comment goes under it" in html

    dispatch.target_resolve(target=target, user=admin_user, found=True)

    target.refresh_from_db()
    assert target.status == S.PUBLISHED and target.remote_id == ""
    assert "Its first comment was not posted (no address to find the post by)." in target.message
    assert not fake_x.comments


@pytest.mark.parametrize(
    ("platform", "link", "expected"),
    [
        ("x", "https://twitter.com/a/status/123", "123"),
        ("x", "https://x.com/i/web/status/456", "456"),
        ("linkedin", "https://www.linkedin.com/feed/update/urn%3Ali%3AugcPost%3A789/", "urn:li:ugcPost:789"),
        ("linkedin", "https://www.linkedin.com/feed/update/urn:li:activity:42", "urn:li:activity:42"),
        ("tiktok", "https://www.tiktok.com/@harbor/video/7300000000000000001", "7300000000000000001"),
        ("instagram", "https://www.instagram.com/reel/C0ffee12/", ""),
        ("webhook", "https://crm.example/posts/9", ""),
    ],
)
def test_a_posts_address_names_the_id_its_platform_knows_it_by(platform, link, expected):
    from scheduling.post_links import post_link_read

    assert post_link_read(platform, link, label=platform) == (link, expected)
