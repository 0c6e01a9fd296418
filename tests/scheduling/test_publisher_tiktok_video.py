"""The TikTok publisher posting one video through Direct Post (video/init, PULL_FROM_URL) against the fake over
real HTTP, and the rules the composer shows for a TikTok video."""

import httpx
import pytest

from scheduling.publishers.base import Credentials, PublishError, PublishMedia, PublishRequest
from scheduling.publishers.tiktok import TikTokPublisher
from tests.fakes.social import image_bytes, photo, video

pytestmark = pytest.mark.usefixtures("fast_publishing")


@pytest.fixture
def credentials(fake_tiktok, media_host):
    fake_tiktok.verified_prefixes.append(f"{media_host.url}/media/")
    return Credentials(access_token=fake_tiktok.issue_token(), account_id=fake_tiktok.authorize_as)


def post(clip, text="Behind the shoot", *, privacy="PUBLIC_TO_EVERYONE", on_progress=None, **options):
    return PublishRequest(
        "post-tt-video", text, (clip,), options={"privacy_level": privacy, **options}, on_progress=on_progress
    )


def attempt(fake, route):
    """The JSON bodies the fake received on `route`."""
    return [request.json for request in fake.requests_to(route)]


def test_a_video_goes_out_once_with_its_caption_as_the_title(fake_tiktok, media_host, credentials):
    fake_tiktok.processing_polls = 1  # TikTok downloads the video first: one read says PROCESSING_DOWNLOAD
    clip, seen = video(media_host, seconds=4.0), []

    result = TikTokPublisher().publish(credentials, post(clip, on_progress=seen.append, video_cover_timestamp_ms=1500))

    (init,) = attempt(fake_tiktok, r"/video/init/$")
    assert init["post_info"]["title"] == "Behind the shoot" and "description" not in init["post_info"]
    assert init["source_info"] == {"source": "PULL_FROM_URL", "video_url": clip.url}
    assert init["post_info"]["video_cover_timestamp_ms"] == 1500
    assert (init["post_info"]["disable_duet"], init["post_info"]["disable_stitch"]) == (False, True)  # creator's
    assert not fake_tiktok.requests_to(r"content/init")
    assert seen == [{"publish_id": result.raw["publish_id"]}] and result.raw["publish_id"].startswith("v_pub_url~")
    statuses = attempt(fake_tiktok, r"status/fetch")
    assert len(statuses) == 2 and {body["publish_id"] for body in statuses} == {result.raw["publish_id"]}
    assert fake_tiktok.published["Behind the shoot"] == 1
    (live,) = fake_tiktok.posts
    assert live["kind"] == "video" and live["duration_ms"] == 4000 and result.remote_id == live["post_id"]


def test_a_video_still_processing_is_confirmed_by_its_publish_id(fake_tiktok, media_host, credentials):
    fake_tiktok.processing_polls = 4  # three reads while publishing, one in the first confirm
    clip = video(media_host)

    with pytest.raises(PublishError) as pending:
        TikTokPublisher().publish(credentials, post(clip))

    assert pending.value.kind == "unconfirmed" and pending.value.partial["publish_id"].startswith("v_pub_url~")
    request = post(clip, **pending.value.partial)
    with pytest.raises(PublishError):
        TikTokPublisher().confirm(credentials, request)
    assert TikTokPublisher().confirm(credentials, request) is not None
    assert len(fake_tiktok.requests_to(r"/video/init/$")) == 1 and fake_tiktok.published["Behind the shoot"] == 1


def test_a_lost_init_answer_is_confirmed_without_posting_twice(fake_tiktok, media_host, credentials):
    fake_tiktok.lose_answers(1, stall=5)
    clip = video(media_host)

    with pytest.raises(PublishError) as lost:
        TikTokPublisher().publish(credentials, post(clip))

    assert lost.value.kind == "unconfirmed" and not lost.value.partial
    found = TikTokPublisher().confirm(credentials, post(clip))
    assert found is not None and found.url == f"https://www.tiktok.com/@postframe/video/{found.remote_id}"
    assert TikTokPublisher().confirm(credentials, post(clip, "Never sent")) is None
    assert len(fake_tiktok.requests_to(r"/video/init/$")) == 1 and fake_tiktok.published["Behind the shoot"] == 1


def test_a_lost_answer_for_a_long_caption_is_found_by_what_tiktok_lists(fake_tiktok, media_host, credentials):
    caption = "Our spring lookbook, shot in one take on the roof. " * 8  # TikTok lists its first 150 characters
    fake_tiktok.lose_answers(1, stall=5)
    clip = video(media_host)

    with pytest.raises(PublishError):
        TikTokPublisher().publish(credentials, post(clip, caption))

    assert TikTokPublisher().confirm(credentials, post(clip, caption)) is not None
    assert TikTokPublisher().confirm(credentials, post(clip, "Autumn: " + caption)) is None


def test_a_video_longer_than_the_creator_may_post_is_refused_before_init(fake_tiktok, media_host, credentials):
    fake_tiktok.max_video_seconds = 3

    with pytest.raises(PublishError) as refused:
        TikTokPublisher().publish(credentials, post(video(media_host, seconds=4.0)))

    assert refused.value.kind == "user"
    assert refused.value.message == "This TikTok account can post videos up to 3 s: this one is 4 s."
    assert not fake_tiktok.requests_to(r"/video/init/$") and not fake_tiktok.posts


def test_the_creators_choices_turn_duets_and_comments_off(fake_tiktok, media_host, credentials):
    clip = video(media_host)

    TikTokPublisher().publish(credentials, post(clip, disable_duet=True, disable_stitch=False))

    (live,) = fake_tiktok.posts
    assert (live["disable_comment"], live["disable_duet"], live["disable_stitch"]) == (False, True, True)


# The fake refuses what TikTok refuses.


def init_video(fake, url, title="Clip", privacy="SELF_ONLY"):
    return httpx.post(
        f"{fake.url}/v2/post/publish/video/init/",
        json={
            "post_info": {"title": title, "privacy_level": privacy},
            "source_info": {"source": "PULL_FROM_URL", "video_url": url},
        },
        headers={"Authorization": f"Bearer {fake.issue_token()}"},
    ).json()["error"]


def test_the_fake_refuses_a_video_url_that_serves_no_video(fake_tiktok, media_host, credentials):
    answer = init_video(fake_tiktok, media_host.add(image_bytes(), "image/jpeg", name="clip.mp4"))

    assert answer["code"] == "file_format_check_failed" and not fake_tiktok.posts


def test_the_fake_refuses_what_tiktok_refuses_in_a_video_post(fake_tiktok, media_host, credentials):
    short, clip = video(media_host, seconds=2.0), video(media_host)
    fake_tiktok.privacy_level_options = ["SELF_ONLY"]

    assert init_video(fake_tiktok, short.url)["code"] == "duration_check_failed"
    assert init_video(fake_tiktok, clip.url, privacy="PUBLIC_TO_EVERYONE")["code"] == "privacy_level_option_mismatch"
    assert init_video(fake_tiktok, clip.url, title="🎬" * 1101)["code"] == "invalid_params"  # 2,202 UTF-16 units
    fake_tiktok.verified_prefixes.clear()
    assert init_video(fake_tiktok, clip.url)["code"] == "url_ownership_unverified"
    assert not fake_tiktok.posts


# What the composer says before saving.


def clip_of(ms, mime="video/mp4"):
    return PublishMedia(url="https://example.test/v", kind="video", mime=mime, size=2_000_000, duration_ms=ms)


def problems(text="Caption", media=(), **options):
    request = PublishRequest("p", text, tuple(media), options={"privacy_level": "SELF_ONLY", **options})
    return TikTokPublisher().problems(request)


def test_a_video_of_three_seconds_to_ten_minutes_may_be_scheduled():
    assert problems(media=[clip_of(3_000)]) == []
    assert problems(media=[clip_of(600_000, mime="video/quicktime")], title="a photo title, not sent") == []


def test_a_two_second_video_is_refused_in_words():
    assert problems(media=[clip_of(2_000)]) == ["TikTok takes videos from 3 s to 10 min: the video is 2 s."]


def test_a_video_with_a_photo_is_refused_in_words():
    image = PublishMedia(url="https://example.test/a", kind="image", mime="image/jpeg", width=1080, height=1350)

    assert problems(media=[clip_of(4_000), image]) == [
        "TikTok posts a video on its own: this post has 2 items. Keep the video alone, or post the images without it."
    ]


def test_a_video_caption_takes_2200_characters_where_photos_take_4000(media_host):
    caption = "c" * 2300

    assert problems(caption, [clip_of(4_000)]) == [
        "TikTok takes up to 2,200 characters with a video: this caption is 2,300, 100 characters too many."
    ]
    assert problems(caption, [photo(media_host)]) == []
    assert problems("🎬" * 1101, [clip_of(4_000)]) == [
        "TikTok counts an emoji as two characters, so this caption is 2,202 of the 2,200 a video takes."
    ]
