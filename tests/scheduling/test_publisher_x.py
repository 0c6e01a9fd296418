"""The X publisher against the fake API v2 over real HTTP."""

from datetime import timedelta

import pytest

from scheduling.publishers.base import Credentials, PublishError, PublishRequest
from scheduling.publishers.http import now
from scheduling.publishers.x import XPublisher
from tests.fakes.social import photo

pytestmark = pytest.mark.usefixtures("fast_publishing")


@pytest.fixture
def credentials(fake_x):
    return Credentials(access_token=fake_x.issue_token(), account_id=fake_x.authorize_as)


def test_it_uploads_photos_and_posts_them_once(fake_x, media_host, credentials):
    images = (photo(media_host, alt_text="Front"), photo(media_host, fmt="PNG"))
    result = XPublisher().publish(credentials, PublishRequest("post-1-x", "Two photos & a caption", images))

    assert result.url == f"https://x.com/i/web/status/{result.remote_id}"
    assert len(fake_x.requests_to(r"/initialize$")) == 2 and len(fake_x.requests_to(r"/finalize$")) == 2
    (tweet,) = fake_x.requests_to(r"^/2/tweets$")
    media_ids = tweet.json["media"]["media_ids"]
    assert len(media_ids) == 2 and fake_x.uploads[media_ids[0]]["alt"] == "Front"
    assert fake_x.published["Two photos & a caption"] == 1


def test_it_waits_for_media_processing_through_status(fake_x, media_host, credentials):
    fake_x.processing_polls = 2

    XPublisher().publish(credentials, PublishRequest("post-2-x", "Processed", (photo(media_host),)))

    assert len(fake_x.requests_to(r"^/2/media/upload$")) == 2
    assert fake_x.published["Processed"] == 1


def test_photos_still_processing_defer_without_posting_and_are_uploaded_anew_next_time(fake_x, media_host, credentials):
    fake_x.processing_polls = 10

    with pytest.raises(PublishError) as deferred:
        XPublisher().publish(credentials, PublishRequest("post-2b-x", "Slow photo", (photo(media_host),)))

    assert deferred.value.kind == "rate"
    assert deferred.value.message == "X is still processing the photos; the post is retried in a minute."
    assert deferred.value.partial == {}  # only a video is resumed: photos upload again in a moment
    assert not fake_x.requests_to(r"^/2/tweets$")


def test_the_same_text_again_is_a_duplicate_and_confirm_finds_the_first(fake_x, media_host, credentials):
    request = PublishRequest("post-3-x", "Fish & chips <3", (photo(media_host),))
    first = XPublisher().publish(credentials, request)

    with pytest.raises(PublishError) as repeat:
        XPublisher().publish(credentials, request)

    assert repeat.value.kind == "duplicate"
    # X shows the text escaped and with a t.co link appended; confirm still recognises it.
    assert XPublisher().confirm(credentials, request).remote_id == first.remote_id
    assert fake_x.published["Fish & chips <3"] == 1 and fake_x.duplicates["Fish & chips <3"] == 1


def test_a_lost_answer_is_unconfirmed_and_confirm_finds_the_post(fake_x, credentials):
    fake_x.lose_answers(1, stall=5)
    request = PublishRequest("post-4-x", "Did it go?")

    with pytest.raises(PublishError) as lost:
        XPublisher().publish(credentials, request)

    assert lost.value.kind == "unconfirmed"
    assert XPublisher().confirm(credentials, request).remote_id == fake_x.posts[0]["id"]
    assert XPublisher().confirm(credentials, PublishRequest("post-5-x", "Never sent")) is None


def test_an_expired_token_is_an_auth_failure(fake_x, credentials):
    fake_x.expire(credentials.access_token)

    with pytest.raises(PublishError) as refused:
        XPublisher().publish(credentials, PublishRequest("post-6-x", "Expired"))

    assert refused.value.kind == "auth"


def test_a_rate_limit_defers_until_xs_reset_time(fake_x, credentials):
    fake_x.rate_limit(300)

    with pytest.raises(PublishError) as limited:
        XPublisher().publish(credentials, PublishRequest("post-7-x", "Busy"))

    assert limited.value.kind == "rate"
    assert now() + timedelta(seconds=250) < limited.value.retry_at < now() + timedelta(seconds=310)


def test_x_refuses_more_than_280_characters(fake_x, credentials):
    with pytest.raises(PublishError) as refused:
        XPublisher().publish(credentials, PublishRequest("post-8-x", "x" * 281))

    assert refused.value.kind == "user" and "too long" in refused.value.message
