"""The Instagram publisher against the fake Graph API over real HTTP."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from scheduling.publishers.base import Credentials, PublishError, PublishRequest
from scheduling.publishers.http import now
from scheduling.publishers.instagram import InstagramPublisher
from tests.fakes.social import photo

pytestmark = pytest.mark.usefixtures("fast_publishing")


@pytest.fixture
def credentials(fake_instagram):
    return Credentials(access_token=fake_instagram.issue_token(), account_id=fake_instagram.authorize_as)


def test_it_publishes_a_photo_with_its_caption_and_alt_text_once(fake_instagram, media_host, credentials):
    request = PublishRequest("post-1-ig", "Autumn drop #postframe", (photo(media_host, alt_text="A red coat"),))

    result = InstagramPublisher().publish(credentials, request)

    assert fake_instagram.published["Autumn drop #postframe"] == 1
    assert result.remote_id in fake_instagram.media
    assert result.url.startswith("https://www.instagram.com/p/")
    (container,) = fake_instagram.requests_to(r"/\d+/media$")
    assert container.form["alt_text"] == "A red coat"
    assert sum(media_host.fetches.values()) == 1  # Meta fetched the image from its signed URL


def test_it_publishes_a_carousel_through_child_containers(fake_instagram, media_host, credentials):
    images = tuple(photo(media_host, 1080, 1080) for _ in range(3))

    InstagramPublisher().publish(credentials, PublishRequest("post-2-ig", "Three looks", images))

    made = fake_instagram.requests_to(r"/\d+/media$")
    assert [request.form.get("is_carousel_item") for request in made[:3]] == ["true"] * 3
    assert made[3].form["media_type"] == "CAROUSEL" and len(made[3].form["children"].split(",")) == 3
    assert fake_instagram.published["Three looks"] == 1
    assert len(fake_instagram.posts[0]["children"]) == 3


def test_it_reports_the_container_before_the_irreversible_call(fake_instagram, media_host, credentials):
    seen = []
    request = PublishRequest("post-3-ig", "Reported", (photo(media_host),), on_progress=seen.append)

    result = InstagramPublisher().publish(credentials, request)

    assert seen == [{"container_id": result.raw["container_id"]}]
    assert fake_instagram.containers[seen[0]["container_id"]]["media_id"] == result.remote_id


def test_a_lost_answer_is_unconfirmed_and_confirm_finds_the_post(fake_instagram, media_host, credentials):
    fake_instagram.lose_answers(1, stall=5)
    request = PublishRequest("post-4-ig", "Lost answer", (photo(media_host),))

    with pytest.raises(PublishError) as lost:
        InstagramPublisher().publish(credentials, request)

    assert lost.value.kind == "unconfirmed"
    container = lost.value.partial["container_id"]
    again = PublishRequest("post-4-ig", "Lost answer", request.media, options={"container_id": container})
    found = InstagramPublisher().confirm(credentials, again)
    assert found is not None and found.remote_id == fake_instagram.containers[container]["media_id"]
    # Publishing again with the saved container finds the post instead of posting it twice.
    assert InstagramPublisher().publish(credentials, again).remote_id == found.remote_id
    assert fake_instagram.published["Lost answer"] == 1


def test_confirm_says_no_when_the_container_was_never_published(fake_instagram, media_host, credentials):
    fake_instagram.rate_limit(60)
    request = PublishRequest("post-5-ig", "Throttled", (photo(media_host),))

    with pytest.raises(PublishError) as limited:
        InstagramPublisher().publish(credentials, request)

    assert limited.value.kind == "rate" and limited.value.retry_at > now()
    options = {"container_id": limited.value.partial["container_id"]}
    assert InstagramPublisher().confirm(credentials, PublishRequest("post-5-ig", "Throttled", options=options)) is None
    assert fake_instagram.published["Throttled"] == 0


def test_a_container_still_processing_defers_and_resumes_without_a_second_container(
    fake_instagram, media_host, credentials
):
    fake_instagram.processing_polls = 10
    request = PublishRequest("post-6-ig", "Slow to process", (photo(media_host),))

    with pytest.raises(PublishError) as deferred:
        InstagramPublisher().publish(credentials, request)

    assert deferred.value.kind == "rate" and deferred.value.code == "container_in_progress"
    fake_instagram.processing_polls = 0
    resumed = PublishRequest("post-6-ig", "Slow to process", request.media, options=deferred.value.partial)
    InstagramPublisher().publish(credentials, resumed)
    assert len(fake_instagram.requests_to(r"/\d+/media$")) == 1
    assert fake_instagram.published["Slow to process"] == 1


def test_a_deferred_container_that_expired_is_replaced_by_a_fresh_one(fake_instagram, media_host, credentials):
    fake_instagram.processing_polls = 10
    request = PublishRequest("post-11-ig", "Expired meanwhile", (photo(media_host),))
    with pytest.raises(PublishError) as deferred:
        InstagramPublisher().publish(credentials, request)
    fake_instagram.expire_container(deferred.value.partial["container_id"])
    fake_instagram.processing_polls = 0

    resumed = PublishRequest("post-11-ig", "Expired meanwhile", request.media, options=deferred.value.partial)
    result = InstagramPublisher().publish(credentials, resumed)

    assert result.raw["container_id"] != deferred.value.partial["container_id"]
    assert fake_instagram.published["Expired meanwhile"] == 1


def test_instagram_refuses_a_png_and_nothing_is_published(fake_instagram, media_host, credentials):
    request = PublishRequest("post-7-ig", "PNG", (photo(media_host, fmt="PNG"),))

    with pytest.raises(PublishError) as refused:
        InstagramPublisher().publish(credentials, request)

    assert refused.value.kind == "user" and "JPEG" in refused.value.message
    assert not fake_instagram.posts


def test_instagram_refuses_an_image_wider_than_191_to_1(fake_instagram, media_host, credentials):
    request = PublishRequest("post-8-ig", "Panorama", (photo(media_host, 2000, 800),))

    with pytest.raises(PublishError) as refused:
        InstagramPublisher().publish(credentials, request)

    assert refused.value.kind == "user" and "aspect ratio" in refused.value.message


@pytest.mark.parametrize("spoil", ["revoke", "expire"])
def test_a_revoked_or_expired_token_is_an_auth_failure(fake_instagram, media_host, credentials, spoil):
    getattr(fake_instagram, spoil)(credentials.access_token)

    with pytest.raises(PublishError) as refused:
        InstagramPublisher().publish(credentials, PublishRequest("post-9-ig", "Token", (photo(media_host),)))

    assert refused.value.kind == "auth" and "Reconnect" in refused.value.message


def test_a_used_up_publishing_limit_defers_the_post_by_a_day(fake_instagram, media_host, credentials):
    fake_instagram.quota_total = 0

    with pytest.raises(PublishError) as limited:
        InstagramPublisher().publish(credentials, PublishRequest("post-10-ig", "Quota", (photo(media_host),)))

    assert limited.value.kind == "rate" and limited.value.code == "content_publishing_limit"
    assert limited.value.retry_at > now() + timedelta(hours=23)
    assert not [r for r in fake_instagram.requests_to(r"/media$") if r.method == "POST"]  # nothing was made


def test_a_used_up_limit_waits_until_the_oldest_post_in_the_window_leaves_it(fake_instagram, media_host, credentials):
    fake_instagram.quota_total = 2
    for hours_ago, caption in ((20, "Earlier"), (3, "Later")):
        at = time.time() - hours_ago * 3600
        media_id = fake_instagram.next_id()
        fake_instagram.media[media_id] = {
            "id": media_id, "caption": caption, "owner": credentials.account_id, "at": at,
            "timestamp": datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"), "permalink": "https://www.instagram.com/p/x/",
        }  # fmt: skip

    with pytest.raises(PublishError) as limited:
        InstagramPublisher().publish(credentials, PublishRequest("post-11-ig", "Quota", (photo(media_host),)))

    frees = now() + timedelta(hours=4, minutes=1)  # the post of 20 hours ago leaves the 24-hour window then
    assert abs((limited.value.retry_at - frees).total_seconds()) < 60


def test_an_unreachable_instagram_is_an_outage(media_host):
    publisher = InstagramPublisher(base_url="http://127.0.0.1:9")
    with pytest.raises(PublishError) as down:
        publisher.publish(Credentials("token", account_id="1"), PublishRequest("p", "x", (photo(media_host),)))
    assert down.value.kind == "outage"
