"""The X publisher with one video, against the fake API v2 over real HTTP: tweet_video upload, STATUS until X has
processed it, a deferred attempt resumed from its media id, and the rules the composer checks first."""

from datetime import timedelta

import httpx
import pytest

from scheduling.publishers.base import Credentials, PublishError, PublishMedia, PublishRequest
from scheduling.publishers.http import now
from scheduling.publishers.x import XPublisher
from tests.fakes.social import image_bytes, photo, video

pytestmark = pytest.mark.usefixtures("fast_publishing")


@pytest.fixture
def credentials(fake_x):
    return Credentials(access_token=fake_x.issue_token(), account_id=fake_x.authorize_as)


def initialize(fake_x, credentials, **params):
    return httpx.post(
        f"{fake_x.url}/2/media/upload/initialize",
        json=params,
        headers={"Authorization": f"Bearer {credentials.access_token}"},
    )


def test_a_video_goes_out_once_after_x_has_processed_it(fake_x, media_host, credentials):
    clip = video(media_host, seconds=4.0)
    reported = []
    request = PublishRequest("post-1-x", "Our new studio tour", (clip,), on_progress=reported.append)

    result = XPublisher().publish(credentials, request)

    (init,) = fake_x.requests_to(r"/initialize$")
    assert init.json == {"media_type": "video/mp4", "total_bytes": len(clip.data), "media_category": "tweet_video"}
    media_id = fake_x.posts[0]["media"][0]
    assert reported == [{"media_ids": [media_id]}]
    # pending at FINALIZE, in_progress at the first STATUS, succeeded at the second; posted only then.
    statuses = fake_x.requests_to(r"^/2/media/upload$")
    assert [status.query["media_id"] for status in statuses] == [media_id, media_id]
    assert fake_x.uploads[media_id]["state"] == "succeeded"
    (tweet,) = fake_x.requests_to(r"^/2/tweets$")
    assert tweet.json["media"] == {"media_ids": [media_id]}
    assert fake_x.posts[0]["media_kinds"] == ["video"] and fake_x.published["Our new studio tour"] == 1
    assert result.remote_id == fake_x.posts[0]["id"]


def test_a_video_is_appended_in_segments_that_add_up_and_gets_no_alt_text(fake_x, media_host, credentials, monkeypatch):
    monkeypatch.setattr("scheduling.publishers.x.CHUNK", 1024)  # the clip is a few KB
    clip = video(media_host, seconds=2.0)
    clip = PublishMedia(**{**clip.__dict__, "alt_text": "A walk through the studio"})

    XPublisher().publish(credentials, PublishRequest("post-2-x", "In pieces", (clip,)))

    appends = fake_x.requests_to(r"/append$")
    assert len(appends) == -(-len(clip.data) // 1024) > 1
    assert [int(append.form["segment_index"]) for append in appends] == list(range(len(appends)))
    assert b"".join(append.files["media"] for append in appends) == clip.data
    assert not fake_x.requests_to(r"/metadata$")  # alt text is for photos
    assert fake_x.published["In pieces"] == 1


def test_a_video_still_processing_defers_without_posting(fake_x, media_host, credentials):
    fake_x.video_processing_polls = 10

    with pytest.raises(PublishError) as deferred:
        XPublisher().publish(credentials, PublishRequest("post-3-x", "Still cooking", (video(media_host),)))

    assert deferred.value.kind == "rate" and deferred.value.code == "media_processing"
    assert deferred.value.message == "X is still processing the video; the post is retried in a minute."
    assert now() + timedelta(seconds=50) < deferred.value.retry_at < now() + timedelta(seconds=70)
    (media_id,) = fake_x.uploads
    assert deferred.value.partial == {"media_ids": [media_id]}
    assert len(fake_x.requests_to(r"^/2/media/upload$")) == 3  # the poller's attempts, then it gives up
    assert not fake_x.requests_to(r"^/2/tweets$") and not fake_x.published


def test_a_deferred_video_resumes_from_its_media_id_without_uploading_again(fake_x, media_host, credentials):
    fake_x.video_processing_polls = 10
    clip = video(media_host)
    with pytest.raises(PublishError) as deferred:
        XPublisher().publish(credentials, PublishRequest("post-4-x", "Worth the wait", (clip,)))
    fake_x.video_processing_polls = 4  # X finishes at the next STATUS read

    retry = PublishRequest("post-4-x", "Worth the wait", (clip,), options=dict(deferred.value.partial))
    XPublisher().publish(credentials, retry)

    assert len(fake_x.requests_to(r"/initialize$")) == 1 and len(fake_x.requests_to(r"/append$")) == 1
    (tweet,) = fake_x.requests_to(r"^/2/tweets$")
    assert tweet.json["media"]["media_ids"] == deferred.value.partial["media_ids"]
    assert fake_x.published["Worth the wait"] == 1


def test_a_media_id_x_no_longer_knows_is_uploaded_again(fake_x, media_host, credentials):
    forgotten = {"media_ids": ["1880000000000000999"]}  # expired a day after its upload
    retry = PublishRequest("post-5-x", "Second go", (video(media_host),), options=forgotten)

    XPublisher().publish(credentials, retry)

    assert len(fake_x.requests_to(r"/initialize$")) == 1
    (tweet,) = fake_x.requests_to(r"^/2/tweets$")
    assert tweet.json["media"]["media_ids"] != ["1880000000000000999"]
    assert fake_x.posts[0]["media_kinds"] == ["video"]


def test_a_failed_processing_is_the_users_to_fix_with_xs_reason_and_nothing_is_posted(fake_x, media_host, credentials):
    fake_x.fail_video_processing = True

    with pytest.raises(PublishError) as refused:
        XPublisher().publish(credentials, PublishRequest("post-6-x", "Broken cut", (video(media_host),)))

    assert refused.value.kind == "user" and refused.value.code == "media_failed"
    assert refused.value.message == "X could not process the video: Unsupported video: it could not be transcoded."
    assert not fake_x.requests_to(r"^/2/tweets$") and not fake_x.published


def test_a_file_that_is_not_a_video_is_refused_at_finalize(fake_x, credentials):
    data = image_bytes()
    fake = PublishMedia(url="unused", kind="video", mime="video/mp4", size=len(data), data=data)

    with pytest.raises(PublishError) as refused:
        XPublisher().publish(credentials, PublishRequest("post-7-x", "Not a film", (fake,)))

    assert refused.value.kind == "user" and "not a video X can read" in refused.value.message
    assert len(fake_x.requests_to(r"/finalize$")) == 1
    assert not fake_x.requests_to(r"^/2/media/upload$") and not fake_x.requests_to(r"^/2/tweets$")


def test_a_video_longer_than_2_min_20_s_is_refused_at_finalize(fake_x, media_host, credentials):
    long_clip = video(media_host, seconds=141, fps=1, width=64, height=48)
    unknown_length = PublishMedia(**{**long_clip.__dict__, "duration_ms": 0})  # the composer could not tell

    with pytest.raises(PublishError) as refused:
        XPublisher().publish(credentials, PublishRequest("post-8-x", "Director's cut", (unknown_length,)))

    assert refused.value.kind == "user"
    assert "exceeds max duration of 2.minutes+20.seconds" in refused.value.message
    assert not fake_x.requests_to(r"^/2/tweets$")


def test_x_refuses_a_video_with_photos_in_one_post(fake_x, media_host, credentials):
    mixed = (video(media_host), photo(media_host))

    with pytest.raises(PublishError) as refused:
        XPublisher().publish(credentials, PublishRequest("post-9-x", "Both at once", mixed))

    assert refused.value.kind == "user" and refused.value.message == "X refused the post: Your media IDs are invalid."
    assert not fake_x.published


def test_x_refuses_to_post_a_video_it_has_not_processed(fake_x, media_host, credentials):
    fake_x.video_processing_polls = 10
    with pytest.raises(PublishError) as deferred:
        XPublisher().publish(credentials, PublishRequest("post-10-x", "Too soon", (video(media_host),)))

    answer = httpx.post(
        f"{fake_x.url}/2/tweets",
        json={"text": "Too soon", "media": {"media_ids": deferred.value.partial["media_ids"]}},
        headers={"Authorization": f"Bearer {credentials.access_token}"},
    )

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"] == "Your media IDs are invalid."
    assert not fake_x.published


def test_the_fake_refuses_a_category_that_does_not_fit_the_file(fake_x, credentials):
    as_image = initialize(fake_x, credentials, media_type="video/mp4", total_bytes=1000, media_category="tweet_image")
    as_video = initialize(fake_x, credentials, media_type="image/png", total_bytes=1000, media_category="tweet_video")
    too_large = initialize(
        fake_x, credentials, media_type="video/mp4", total_bytes=513 * 1024 * 1024, media_category="tweet_video"
    )
    fine = initialize(fake_x, credentials, media_type="video/quicktime", total_bytes=1000, media_category="tweet_video")

    assert as_image.status_code == as_video.status_code == too_large.status_code == 400
    assert "tweet_image does not take media_type video/mp4" in as_image.json()["errors"][0]["message"]
    assert "tweet_video does not take media_type image/png" in as_video.json()["errors"][0]["message"]
    assert too_large.json()["detail"] == "Videos must be 512 MB or smaller."
    assert fine.status_code == 200 and fake_x.uploads[fine.json()["data"]["id"]]["category"] == "tweet_video"


# The rules the composer checks before saving.


def clip_of(seconds, mime="video/mp4"):
    return PublishMedia(url="u", kind="video", mime=mime, size=3_000_000, duration_ms=round(seconds * 1000))


def png():
    return PublishMedia(url="u", kind="image", mime="image/png", width=1080, height=1080, size=500_000)


def problems(*media):
    return XPublisher().problems(PublishRequest("p", "Caption", media))


def test_the_composer_takes_one_mp4_or_mov_video_up_to_2_min_20_s():
    assert problems(clip_of(4)) == [] and problems(clip_of(140, "video/quicktime")) == []
    assert problems(clip_of(150)) == ["X takes videos from 0.5 s to 2 min 20 s: the video is 2 min 30 s."]
    assert problems(clip_of(0.3)) == ["X takes videos from 0.5 s to 2 min 20 s: the video is 0.3 s."]
    assert problems(clip_of(4, "video/webm")) == ["X takes MP4 or MOV videos: the video is WEBM."]


def test_the_composer_keeps_a_video_alone_and_still_takes_photos():
    assert problems(clip_of(4), png()) == [
        "X posts a video on its own: this post has 2 items. Keep the video alone, or post the images without it."
    ]
    assert problems(png()) == [] and problems(png(), png()) == []
    big = PublishMedia(url="u", kind="video", mime="video/mp4", size=600 * 1024 * 1024, duration_ms=4000)
    assert problems(big) == ["X takes videos up to 512.0 MB: the video is 600.0 MB."]
