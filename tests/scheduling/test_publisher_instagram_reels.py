"""A video goes to Instagram as a Reel: the publisher against the fake Graph API over real HTTP."""

import pytest

from scheduling.publishers.base import Credentials, PublishError, PublishMedia, PublishRequest
from scheduling.publishers.instagram import InstagramPublisher
from tests.fakes.social import photo, video

pytestmark = pytest.mark.usefixtures("fast_publishing")


@pytest.fixture
def credentials(fake_instagram):
    return Credentials(access_token=fake_instagram.issue_token(), account_id=fake_instagram.authorize_as)


def test_a_video_goes_out_once_as_a_reel_shared_to_the_feed(fake_instagram, media_host, credentials):
    request = PublishRequest("post-1-reel", "Behind the shoot #reels", (video(media_host, seconds=4),))

    result = InstagramPublisher().publish(credentials, request)

    (container,) = fake_instagram.requests_to(r"/\d+/media$")
    assert container.form["media_type"] == "REELS" and container.form["share_to_feed"] == "true"
    assert container.form["video_url"] == request.media[0].url and "image_url" not in container.form
    assert fake_instagram.published["Behind the shoot #reels"] == 1
    assert fake_instagram.media[result.remote_id]["media_product_type"] == "REELS"
    # Reels take a while: the container was asked until it was ready, then published once.
    assert fake_instagram.containers[result.raw["container_id"]]["reads"] == 3
    assert sum(media_host.fetches.values()) == 1


def test_a_reel_still_processing_defers_and_resumes_with_the_same_container(fake_instagram, media_host, credentials):
    fake_instagram.video_processing_polls = 10
    request = PublishRequest("post-2-reel", "Long edit", (video(media_host, seconds=4),))

    with pytest.raises(PublishError) as deferred:
        InstagramPublisher().publish(credentials, request)

    assert deferred.value.kind == "rate" and "still preparing the media" in deferred.value.message
    assert not fake_instagram.posts
    fake_instagram.video_processing_polls = 0
    resumed = PublishRequest("post-2-reel", "Long edit", request.media, options=deferred.value.partial)
    InstagramPublisher().publish(credentials, resumed)
    assert len(fake_instagram.requests_to(r"/\d+/media$")) == 1
    assert fake_instagram.published["Long edit"] == 1


def test_a_reel_instagram_cannot_process_fails_in_words_and_nothing_is_published(
    fake_instagram, media_host, credentials
):
    fake_instagram.fail_video_processing = True

    with pytest.raises(PublishError) as failed:
        InstagramPublisher().publish(credentials, PublishRequest("post-3-reel", "Broken", (video(media_host),)))

    assert failed.value.kind == "user"
    assert "could not prepare the post (error: Error: 2207076" in failed.value.message
    assert not fake_instagram.posts


def test_the_fake_refuses_what_instagram_refuses_for_a_reel(fake_instagram, media_host, credentials):
    short = video(media_host, seconds=2)
    not_a_video = PublishMedia(url=media_host.add(b"not a video", "video/mp4"), kind="video", mime="video/mp4")

    for medium, words in ((short, "duration"), (not_a_video, "format")):
        with pytest.raises(PublishError) as refused:
            InstagramPublisher().publish(credentials, PublishRequest("post-4-reel", "Refused", (medium,)))
        assert refused.value.kind == "user" and words in refused.value.message
    assert not fake_instagram.posts


def _problems(*media, text="Caption"):
    return InstagramPublisher().problems(PublishRequest("check", text, media))


def test_the_composer_says_what_instagram_would_refuse_in_a_video_post(media_host):
    assert _problems(video(media_host, seconds=4)) == []
    assert _problems(video(media_host, seconds=2)) == ["Instagram takes videos from 3 s to 15 min: the video is 2 s."]
    long = PublishMedia(url="u", kind="video", mime="video/mp4", size=1000, duration_ms=16 * 60_000 + 5_000)
    assert _problems(long) == ["Instagram takes videos from 3 s to 15 min: the video is 16 min 5 s."]
    webm = PublishMedia(url="u", kind="video", mime="video/webm", size=1000, duration_ms=5_000)
    assert _problems(webm) == ["Instagram takes MP4 or MOV videos: the video is WEBM."]
    huge = PublishMedia(url="u", kind="video", mime="video/mp4", size=400 * 1024 * 1024, duration_ms=5_000)
    assert _problems(huge) == ["Instagram takes videos up to 300.0 MB: the video is 400.0 MB."]
    mixed = _problems(video(media_host, seconds=4), photo(media_host))
    assert mixed == [
        "Instagram posts a video on its own: this post has 2 items. Keep the video alone, or post the images "
        "without it."
    ]
